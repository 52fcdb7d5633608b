package httpapi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Names of the self-signed certificate and key in the state directory.
const (
	selfCertFile = "https-cert.pem"
	selfKeyFile  = "https-key.pem"
)

// loadCert returns the configured certificate, or the self-signed one from the state
// directory, making it first when there is none yet. A self-signed certificate is the
// default because a door must not serve passwords in clear text while its installer has not
// yet set up a proper one; its fingerprint (Fingerprint) lets a client pin it.
func loadCert(cfg Config, hostname string, now time.Time) (tls.Certificate, error) {
	certFile, keyFile := cfg.TLSCert, cfg.TLSKey
	if certFile == "" {
		certFile, keyFile = filepath.Join(cfg.StateDir, selfCertFile), filepath.Join(cfg.StateDir, selfKeyFile)
		if _, err := os.Stat(certFile); errors.Is(err, fs.ErrNotExist) {
			if err := makeSelfSigned(certFile, keyFile, hostname, now); err != nil {
				return tls.Certificate{}, err
			}
		}
	}
	c, err := loadKeyPair(certFile, keyFile)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: %w", ErrCert, err)
	}
	return c, nil
}

func makeSelfSigned(certFile, keyFile, hostname string, now time.Time) error {
	if err := os.MkdirAll(filepath.Dir(certFile), 0o700); err != nil {
		return fmt.Errorf("%w: %w", ErrCert, err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCert, err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCert, err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: hostname, Organization: []string{"intercom"}},
		DNSNames:     []string{hostname, "localhost"},
		NotBefore:    now.Add(-time.Hour),
		// Ten years: a door is not re-commissioned often, and the fingerprint is what a
		// client pins.
		NotAfter:    now.AddDate(10, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCert, err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrCert, err)
	}
	// The key first: a crash between the two leaves no certificate, so the next start makes
	// a new pair instead of loading a certificate without its key.
	if err := writeFileAtomic(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return err
	}
	return writeFileAtomic(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return fmt.Errorf("%w: %w", ErrCert, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("%w: %w", ErrCert, err)
	}
	return nil
}

// Fingerprint is the SHA-256 of the certificate's DER, as colon-separated hex (what browsers
// and `openssl x509 -fingerprint -sha256` show).
func Fingerprint(c tls.Certificate) string {
	if len(c.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(c.Certificate[0])
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}
