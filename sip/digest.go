package sip

import (
	"fmt"
	"strings"

	gosip "github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// applyDigest answers a 401/407 challenge in res by adding (Proxy-)Authorization to req
// (RFC 3261 section 22, RFC 7616: MD5 or SHA-256, qop=auth). When several challenges are
// offered, SHA-256 wins over MD5.
func applyDigest(req *gosip.Request, res *gosip.Response, a *Account) error {
	chName, authName := "WWW-Authenticate", "Authorization"
	if res.StatusCode == 407 {
		chName, authName = "Proxy-Authenticate", "Proxy-Authorization"
	}
	var best *digest.Challenge
	for _, h := range res.GetHeaders(chName) {
		ch, err := digest.ParseChallenge(h.Value())
		if err != nil {
			continue
		}
		ch.Algorithm = strings.ToUpper(ch.Algorithm)
		if !digest.CanDigest(ch) || strings.HasSuffix(ch.Algorithm, "-SESS") {
			continue
		}
		if best == nil || (ch.Algorithm == "SHA-256" && best.Algorithm != "SHA-256") {
			best = ch
		}
	}
	if best == nil {
		return fmt.Errorf("%w: no usable %s challenge", ErrAuth, chName)
	}
	user := a.AuthUser
	if user == "" {
		user = a.User
	}
	cred, err := digest.Digest(best, digest.Options{
		Method:   string(req.Method),
		URI:      req.Recipient.String(),
		Username: user,
		Password: a.Password,
		Count:    1,
	})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrAuth, err)
	}
	req.RemoveHeader(authName)
	req.AppendHeader(gosip.NewHeader(authName, cred.String()))
	return nil
}
