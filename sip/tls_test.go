package sip

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	gosip "github.com/emiago/sipgo/sip"
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
	call, in := answered(t, a, b, target)
	if err := call.SendDTMF('9'); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, b, DTMF)
	in.Hangup()
	waitEvent(t, a, Ended)
}

// TestRegisterTLS: REGISTER to a sips: registrar over TLS (checked against the test CA),
// then CRLFCRLF keepalives down the same connection.
func TestRegisterTLS(t *testing.T) {
	cert, key := selfSigned(t)
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	registers, crlfs := 0, 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		for {
			head, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if head == "\r\n" {
				mu.Lock()
				crlfs++
				mu.Unlock()
				continue
			}
			var msg strings.Builder
			msg.WriteString(head)
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				msg.WriteString(line)
				if line == "\r\n" {
					break
				}
			}
			m, err := gosip.ParseMessage([]byte(msg.String()))
			if err != nil {
				continue
			}
			req := m.(*gosip.Request)
			if req.Method != gosip.REGISTER {
				// The UA's registrar probe (OPTIONS): a live registrar that knows us.
				if _, err := c.Write([]byte(gosip.NewResponseFromRequest(req, 200, "OK", nil).String())); err != nil {
					return
				}
				continue
			}
			mu.Lock()
			registers++
			mu.Unlock()
			res := gosip.NewResponseFromRequest(req, 200, "OK", nil)
			ct := req.Contact().Clone()
			ct.Params = gosip.NewParams()
			ct.Params.Add("expires", "60")
			res.AppendHeader(ct)
			if _, err := c.Write([]byte(res.String())); err != nil {
				return
			}
		}
	}()
	// Registered before runUA: cleanups run last-in first-out, so the UA (which holds the
	// TLS connection) stops first and the reader sees EOF.
	t.Cleanup(func() { l.Close(); <-done })

	clk := clock.NewFake(time.Unix(1_700_000_000, 0))
	a := AccountDefaults()
	a.ID, a.User, a.Password = "pbx", "door", "secret"
	a.Registrar = "sips:" + l.Addr().String()
	u := runUA(t, context.Background(), func(c *Config) {
		c.Transports = []string{"udp", "tcp", "tls"}
		c.TLS = TLSConfig{Cert: cert, Key: key, CA: cert}
		c.Accounts = []Account{a}
		c.Keepalive = 15 * time.Second
	}, clk)
	ev := waitReg(t, u, Registered)
	if !strings.Contains(ev.Reg.Contact, "transport=tls") {
		t.Errorf("contact %q", ev.Reg.Contact)
	}
	waitTimers(t, clk, 2)
	clk.Advance(15 * time.Second)
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return crlfs >= 1 })
}
