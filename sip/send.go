package sip

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	gosip "github.com/emiago/sipgo/sip"
)

// allowMethods is what we answer in Allow; acceptTypes what we take as bodies.
const (
	allowMethods = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, REFER, NOTIFY, SUBSCRIBE, MESSAGE"
	acceptTypes  = "application/sdp, application/dtmf-relay, application/dtmf"
)

// prebuilt tells sipgo not to add headers of its own: prepare has done it.
func prebuilt(*sipgo.Client, *gosip.Request) error { return nil }

// transportFor picks the transport for a URI: its transport parameter, else UDP when we
// listen on UDP, else TCP.
func (u *UA) transportFor(uri gosip.Uri) string {
	if t, ok := uri.UriParams.Get("transport"); ok && t != "" {
		return strings.ToUpper(t)
	}
	if uri.Scheme == "sips" {
		return "TLS"
	}
	u.mu.Lock()
	_, ok := u.bound["udp"]
	u.mu.Unlock()
	if ok {
		return "UDP"
	}
	return "TCP"
}

// destOf is host:port of uri with the SIP default port.
func destOf(uri gosip.Uri) string {
	port := uri.Port
	if port == 0 {
		port = 5060
		if uri.Scheme == "sips" {
			port = 5061
		}
	}
	return net.JoinHostPort(strings.Trim(uri.Host, "[]"), strconv.Itoa(port))
}

// uriHost writes an address as a URI or Via host: IPv6 in brackets (RFC 3261 section 25.1).
func uriHost(a netip.Addr) string {
	if a.Is6() && !a.Is4In6() {
		return "[" + a.String() + "]"
	}
	return a.Unmap().String()
}

// prepare fills what every request we send needs: a Via with our address and listening port
// (and rport, RFC 3581), Max-Forwards, User-Agent, the transport, destination and, on UDP,
// the listening socket, so that replies and NAT bindings use the port the registrar knows.
func (u *UA) prepare(req *gosip.Request, transport, dest string) {
	req.SetTransport(transport)
	req.SetDestination(dest)
	lt := strings.ToLower(transport)
	u.mu.Lock()
	bound := u.bound[lt]
	udpKey := u.udpKey
	u.mu.Unlock()
	if req.Via() == nil {
		via := &gosip.ViaHeader{
			ProtocolName:    "SIP",
			ProtocolVersion: "2.0",
			Transport:       transport,
			Host:            uriHost(u.localIP(dest)),
			Port:            int(bound.Port()),
			Params:          gosip.NewParams(),
		}
		via.Params.Add("branch", gosip.GenerateBranchN(16))
		via.Params.Add("rport", "")
		req.PrependHeader(via)
	}
	if req.MaxForwards() == nil {
		mf := gosip.MaxForwardsHeader(70)
		req.AppendHeader(&mf)
	}
	if req.GetHeader("User-Agent") == nil && u.cfg.UserAgent != "" {
		req.AppendHeader(gosip.NewHeader("User-Agent", u.cfg.UserAgent))
	}
	if req.Body() == nil {
		req.SetBody(nil) // Content-Length: 0 is mandatory on TCP
	}
	if lt == "udp" && udpKey != "" {
		host, port, err := gosip.ParseAddr(udpKey)
		if err == nil {
			req.Laddr = gosip.Addr{IP: net.ParseIP(host), Port: port, Hostname: host}
		}
	}
}

// contactFor is our Contact for a request to dest.
func (u *UA) contactFor(user, transport, dest string) *gosip.ContactHeader {
	lt := strings.ToLower(transport)
	u.mu.Lock()
	port := int(u.bound[lt].Port())
	u.mu.Unlock()
	c := &gosip.ContactHeader{
		Address: gosip.Uri{Scheme: "sip", User: user, Host: uriHost(u.localIP(dest)), Port: port},
	}
	if lt != "udp" {
		c.Address.UriParams = gosip.NewParams()
		c.Address.UriParams.Add("transport", lt)
	}
	return c
}

// request sends req as a new client transaction.
func (u *UA) request(ctx context.Context, req *gosip.Request) (gosip.ClientTransaction, error) {
	return u.cli.TransactionRequest(ctx, req, prebuilt)
}

// do sends req and waits for its final response.
func (u *UA) do(ctx context.Context, req *gosip.Request) (*gosip.Response, error) {
	tx, err := u.request(ctx, req)
	if err != nil {
		return nil, err
	}
	defer tx.Terminate()
	// Once Run is stopping, a request in flight gets shutdownGrace more, not Timer F.
	done := u.done
	var grace <-chan time.Time
	for {
		select {
		case res := <-tx.Responses():
			if res == nil {
				return nil, errTxEnded
			}
			if res.IsProvisional() {
				continue
			}
			return res, nil
		case <-tx.Done():
			if err := tx.Err(); err != nil {
				return nil, err
			}
			// Ended without an error (the dialog or the UA terminated it): no answer.
			return nil, errTxEnded
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-done:
			done = nil
			grace = time.After(shutdownGrace)
		case <-grace:
			return nil, fmt.Errorf("%w: no answer while stopping", ErrClosed)
		}
	}
}

// respond builds and sends a response to req on tx, logging a failure: a response we could
// not send is the peer's retransmission to deal with.
func (u *UA) respond(tx gosip.ServerTransaction, req *gosip.Request, code int, reason string, body []byte, hdrs ...gosip.Header) {
	res := gosip.NewResponseFromRequest(req, code, reason, body)
	for _, h := range hdrs {
		res.AppendHeader(h)
	}
	if u.cfg.UserAgent != "" {
		res.AppendHeader(gosip.NewHeader("Server", u.cfg.UserAgent))
	}
	if err := tx.Respond(res); err != nil {
		u.log.Debug("sip: respond failed", "code", code, "method", string(req.Method), "err", err)
	}
}
