package sip

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"slices"
	"strconv"
)

// tlsConfigs loads [sip.tls]: our certificate for the listener, and the CA bundle we check
// registrars and peers against when dialling (the system roots when ca is empty).
func tlsConfigs(c TLSConfig) (server, client *tls.Config, err error) {
	cert, err := loadKeyPair(c.Cert, c.Key)
	if err != nil {
		return nil, nil, fmt.Errorf("sip: tls: %w", err)
	}
	server = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{MinVersion: tls.VersionTLS12}
	if c.CA != "" {
		pem, err := readPEMFile(c.CA)
		if err != nil {
			return nil, nil, fmt.Errorf("sip: tls ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("sip: tls ca %s: no certificates", c.CA)
		}
		client.RootCAs = pool
	}
	return server, client, nil
}

func (c Config) wantsTLS() bool { return slices.Contains(c.Transports, "tls") }

// tlsListenAddr is TLS.Listen, or Listen's host with port+1 (port 0 stays 0: ephemeral).
func (c Config) tlsListenAddr(boundPort int) string {
	if c.TLS.Listen != "" {
		return c.TLS.Listen
	}
	host := hostOf(c.Listen)
	if boundPort == 0 {
		return net.JoinHostPort(host, "0")
	}
	return net.JoinHostPort(host, strconv.Itoa(boundPort+1))
}
