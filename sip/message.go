package sip

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode"

	gosip "github.com/emiago/sipgo/sip"
)

// maxMessageBody bounds a MESSAGE body either way: RFC 3428 section 8 keeps pager-mode
// messages below 1300 bytes where congestion control is not assured, and a received text
// goes into the event log.
const maxMessageBody = 1300

// messageTimeout bounds sending one MESSAGE (Timer F is 32 s; a person waits less).
const messageTimeout = 10 * time.Second

// TextMessage is a SIP MESSAGE (RFC 3428) the door received.
type TextMessage struct {
	From   string         // the From URI
	Text   string         // the body, control characters replaced
	Source netip.AddrPort // where the request came from
}

// onMessage takes a text/plain MESSAGE, in a dialog or not: 200, and the text on Events.
// Other content types get 415 with Accept, larger bodies 413.
func (u *UA) onMessage(req *gosip.Request, tx gosip.ServerTransaction) {
	if to := req.To(); to != nil {
		if tag, ok := to.Params.Get("tag"); ok && tag != "" && u.inDialog(req, tx) == nil {
			return // inDialog answered 481
		}
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(h.Value())), ";")
		ct = strings.TrimSpace(ct)
	}
	if ct != "text/plain" {
		u.respond(tx, req, 415, "Unsupported Media Type", nil, gosip.NewHeader("Accept", "text/plain"))
		return
	}
	body := req.Body()
	if len(body) > maxMessageBody {
		u.respond(tx, req, 413, "Request Entity Too Large", nil)
		return
	}
	from := ""
	if f := req.From(); f != nil {
		from = f.Address.String()
	}
	src, _ := netip.ParseAddrPort(req.Source())
	u.respond(tx, req, 200, "OK", nil)
	u.emit(Event{Kind: Message, Text: TextMessage{From: from, Text: cleanText(body), Source: src}})
}

// cleanText makes a received body safe to log: valid UTF-8, no control characters but line
// breaks and tabs (a terminal escape in the event log must not reach an operator's screen).
func cleanText(b []byte) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		if r == '\r' {
			return -1
		}
		return '\uFFFD'
	}, s)
}

// SendMessage sends text to target as a MESSAGE (text/plain): through the first account's
// registrar with its identity and credentials, or straight to the URI when userless. It
// returns once the far end answered; a non-2xx final response is an ErrRejected.
func (u *UA) SendMessage(ctx context.Context, target, text string) error {
	select {
	case <-u.ready:
	default:
		return ErrNotRunning
	}
	if len(text) > maxMessageBody {
		return fmt.Errorf("%w: message of %d bytes (at most %d)", ErrBadTarget, len(text), maxMessageBody)
	}
	rt := u.outbound()
	acct, reg := rt.acct, rt.reg
	if acct != nil && !strings.Contains(target, ":") {
		target = "sip:" + target + "@" + accountDomain(*acct)
	}
	var ruri gosip.Uri
	if err := gosip.ParseUri(target, &ruri); err != nil || ruri.Host == "" || (ruri.Scheme != "sip" && ruri.Scheme != "sips") {
		return fmt.Errorf("%w: %q", ErrBadTarget, target)
	}
	rt.retarget(&ruri)
	dest, transport := destOf(ruri), u.transportFor(ruri)
	fromURI := gosip.Uri{Scheme: "sip", User: "door"}
	if acct != nil {
		transport, dest = u.proxyTransport(ctx, reg)
		fromURI = gosip.Uri{Scheme: "sip", User: acct.User, Host: accountDomain(*acct)}
	}
	if fromURI.Host == "" {
		fromURI.Host = uriHost(u.localIP(dest))
	}
	callID, tag, cseq := gosip.GenerateTagN(24), gosip.GenerateTagN(16), randCSeq()
	var challenge *gosip.Response
	for auths := 0; ; auths++ {
		req := gosip.NewRequest(gosip.MESSAGE, ruri)
		from := &gosip.FromHeader{DisplayName: u.cfg.DisplayName, Address: fromURI, Params: gosip.NewParams()}
		from.Params.Add("tag", tag)
		cid := gosip.CallIDHeader(callID)
		req.AppendHeader(from)
		req.AppendHeader(&gosip.ToHeader{Address: gosip.Uri{Scheme: ruri.Scheme, User: ruri.User, Host: ruri.Host, Port: ruri.Port}})
		req.AppendHeader(&cid)
		req.AppendHeader(&gosip.CSeqHeader{SeqNo: cseq + uint32(auths), MethodName: gosip.MESSAGE})
		req.AppendHeader(gosip.NewHeader("Content-Type", "text/plain;charset=UTF-8"))
		req.SetBody([]byte(text))
		u.prepare(req, transport, dest)
		if challenge != nil {
			if err := applyDigest(req, challenge, acct); err != nil {
				return err
			}
		}
		rctx, cancel := context.WithTimeout(ctx, messageTimeout)
		res, err := u.do(rctx, req)
		cancel()
		if err != nil {
			return fmt.Errorf("sip: MESSAGE %s: %w", target, err)
		}
		switch code := res.StatusCode; {
		case res.IsSuccess():
			return nil
		case (code == 401 || code == 407) && acct != nil && acct.Password != "" && auths < 2:
			challenge = res
		default:
			return fmt.Errorf("%w: MESSAGE %s: %d %s", ErrRejected, target, code, res.Reason)
		}
	}
}
