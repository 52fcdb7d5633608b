package sip

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, returning their paths (the
// certificate doubles as the CA bundle).
func selfSigned(t *testing.T) (certPath, keyPath string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "intercom test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}

// TestCallTLS: a call over TLS between two UAs trusting the same test CA; BYE comes back
// over a TLS connection the callee opens to the caller's Contact.
func TestCallTLS(t *testing.T) {
	cert, key := selfSigned(t)
	withTLS := func(c *Config) {
		c.Transports = []string{"udp", "tcp", "tls"}
		c.TLS = TLSConfig{Cert: cert, Key: key, CA: cert}
	}
	a := runUA(t, context.Background(), withTLS, nil)
	b := runUA(t, context.Background(), withTLS, nil)
	target := "sip:door@" + b.Addr("tls").String() + ";transport=tls"
	call, err := a.Dial(context.Background(), target, offerFor(4000, pcma))
	if err != nil {
		t.Fatal(err)
	}
	in := waitEvent(t, b, IncomingCall).Call
	if err := in.Answer(offerFor(5000, pcma)); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, a, Answered)
	waitEvent(t, b, Answered)
	if err := call.SendDTMF('9'); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, DTMF)
	in.Hangup()
	waitEvent(t, a, Ended)
}
