package sip

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	gosip "github.com/emiago/sipgo/sip"
)

type callState int

const (
	stateCalling   callState = iota // outgoing INVITE sent, no provisional with a tag yet
	stateEarly                      // outgoing: 1xx received; incoming: INVITE received
	stateAnswering                  // incoming: 200 sent, waiting for ACK
	stateConfirmed                  // dialog established
	stateEnded
)

// Call is one call, incoming or outgoing. Its methods are safe for concurrent use.
type Call struct {
	ua       *UA
	id       string // Call-ID
	incoming bool

	mu        sync.Mutex
	state     callState
	local     MediaOffer // what we offered or answered from
	direction string     // what we want: sendrecv, or sendonly while we hold
	neg       Negotiated
	sessID    uint64
	sdpVer    uint64

	// dialog (RFC 3261 section 12)
	localURI, remoteURI gosip.Uri
	localTag, remoteTag string
	remoteTarget        gosip.Uri
	routeSet            []string // Route values, in order
	localCSeq           uint32
	remoteCSeq          uint32
	transport           string // "UDP" or "TCP"
	user                string // our user part for Contact
	acct                *Account
	public              publicAddr // named in Contact and SDP when the call crosses a NAT

	// outgoing INVITE transaction
	inviteReq    *gosip.Request
	inviteTx     gosip.ClientTransaction
	provisional  bool // a 1xx arrived: CANCEL may be sent (RFC 3261 section 9.1)
	cancelWanted bool
	cancelSent   bool
	hangup       chan struct{} // closed by Hangup/Reject on an outgoing call before answer
	arrived      arrivals      // INVITE responses in arrival order (noteArrival)

	// incoming INVITE transaction
	inviteSrv   *gosip.Request
	inviteSrvTx gosip.ServerTransaction
	finalSent   chan struct{} // closed when we sent a final response to the INVITE

	unacked *sent2xx // our latest 2xx to an INVITE or re-INVITE, until its ACK arrives
	// lateOffer: the INVITE had no SDP, our offer went in the 200 and the answer is due in
	// the ACK (RFC 3261 section 13.2.1); Negotiated is empty until it arrives.
	lateOffer bool
	origin    Origin // incoming: where the INVITE came from

	// RFC 4028 session timer
	session   time.Duration
	refresher string // "uac" or "uas" as agreed
	stTimer   clock.Timer
	stWait    time.Duration
	// peerUpdate: the peer's latest Allow listed UPDATE, so a refresh goes by UPDATE.
	peerUpdate bool

	over    chan struct{} // closed when the call ends
	endOnce sync.Once
	// refused: we sent a final refusal before answering. Such calls log at debug, so that
	// a flood of refused INVITEs cannot fill the log.
	refused bool
}

// ID is the call's Call-ID.
func (c *Call) ID() string { return c.id }

// Incoming reports whether the far end called us.
func (c *Call) Incoming() bool { return c.incoming }

// Remote is the far end's URI, "sip:user@host", without parameters (for allow lists).
func (c *Call) Remote() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	u := gosip.Uri{Scheme: c.remoteURI.Scheme, User: c.remoteURI.User, Host: c.remoteURI.Host, Port: c.remoteURI.Port}
	if u.Scheme == "" {
		u.Scheme = "sip"
	}
	return u.String()
}

// AwaitingAnswer reports an incoming late-offer call answered with our offer that has no
// agreed media yet: the peer's answer comes in its ACK, and media can start only on
// Answered (or the call ends when the ACK brings no usable answer).
func (c *Call) AwaitingAnswer() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lateOffer && c.neg.Codec.Name == ""
}

// Negotiated is the media state agreed with the far end (valid from EarlyMedia or Answered).
func (c *Call) Negotiated() Negotiated {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.neg
}

// ended reports whether the call is over.
func (c *Call) ended() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state == stateEnded
}

// end marks the call over, forgets it and emits Ended once.
func (c *Call) end(code int, reason string) {
	c.endOnce.Do(func() {
		c.mu.Lock()
		c.state = stateEnded
		level := slog.LevelInfo
		if c.refused {
			level = slog.LevelDebug
		}
		c.mu.Unlock()
		close(c.over)
		c.ua.forget(c)
		c.ua.log.Log(context.Background(), level, "sip: call ended", "call", c.id, "code", code, "reason", reason)
		c.ua.emit(Event{Kind: Ended, Call: c, Code: code, Reason: reason})
	})
}

func (u *UA) forget(c *Call) {
	u.mu.Lock()
	if u.calls[c.id] == c {
		delete(u.calls, c.id)
	}
	u.mu.Unlock()
}

func (u *UA) lookup(callID string) *Call {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.calls[callID]
}

// newInDialog builds a request inside the call's dialog (RFC 3261 section 12.2.1.1).
func (c *Call) newInDialog(method gosip.RequestMethod) *gosip.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	req := gosip.NewRequest(method, c.remoteTarget)
	for _, r := range c.routeSet {
		req.AppendHeader(gosip.NewHeader("Route", r))
	}
	from := &gosip.FromHeader{Address: c.localURI, Params: gosip.NewParams()}
	from.Params.Add("tag", c.localTag)
	to := &gosip.ToHeader{Address: c.remoteURI, Params: gosip.NewParams()}
	if c.remoteTag != "" {
		to.Params.Add("tag", c.remoteTag)
	}
	callID := gosip.CallIDHeader(c.id)
	if method != gosip.ACK {
		c.localCSeq++
	}
	cseq := &gosip.CSeqHeader{SeqNo: c.localCSeq, MethodName: method}
	req.AppendHeader(from)
	req.AppendHeader(to)
	req.AppendHeader(&callID)
	req.AppendHeader(cseq)
	dest := destOf(c.remoteTarget)
	if len(c.routeSet) > 0 {
		if r := req.Route(); r != nil {
			dest = destOf(r.Address)
		}
	}
	if method == gosip.INVITE || method == gosip.UPDATE {
		req.AppendHeader(applyPublic(c.ua.contactFor(c.user, c.transport, dest), c.public))
	}
	c.ua.prepare(req, c.transport, dest)
	return req
}

// doInDialog sends an in-dialog request and waits for its final response, with a bound so
// a vanished peer cannot block the caller past Timer F.
func (c *Call) doInDialog(req *gosip.Request) (*gosip.Response, error) {
	limit := 64*gosip.T1 + time.Second
	if c.ua.isClosing() {
		limit = shutdownGrace
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	res, err := c.ua.do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("sip: %s: %w", req.Method, err)
	}
	if !res.IsSuccess() {
		return res, &StatusError{Method: string(req.Method), Code: res.StatusCode, Reason: res.Reason}
	}
	return res, nil
}

// bye sends BYE in the background (Hangup must not block) and ends the call.
func (c *Call) bye(reason string) { c.byeReason(reason) }

// byeReason is bye; the name reads better at the session timer's call sites.
func (c *Call) byeReason(reason string) {
	req := c.newInDialog(gosip.BYE)
	c.end(0, reason)
	c.ua.goBackground(func() {
		if _, err := c.doInDialog(req); err != nil {
			c.ua.log.Debug("sip: BYE", "call", c.id, "err", err)
		}
	})
}

// goBackground runs f on the UA's wait group.
func (u *UA) goBackground(f func()) {
	u.wg.Add(1)
	go func() { defer u.wg.Done(); f() }()
}

// Hangup ends the call whatever its state: CANCEL for an outgoing call not yet answered
// (sent as soon as a provisional response allows it; a 200 that crosses it gets ACK and BYE),
// 480 for an incoming call not yet answered (use Reject for another code), BYE once
// answered. Ended follows on Events; the request runs in the background.
func (c *Call) Hangup() {
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	switch {
	case st == stateEnded:
	case c.incoming && st == stateEarly:
		c.Reject(480)
	case !c.incoming && st < stateConfirmed:
		c.mu.Lock()
		if !c.cancelWanted {
			c.cancelWanted = true
			close(c.hangup)
		}
		c.mu.Unlock()
	default:
		c.bye("local hangup")
	}
}

// SendDTMF sends one digit as SIP INFO application/dtmf-relay and waits for the answer.
func (c *Call) SendDTMF(digit rune) error { return c.SendDTMFDuration(digit, 160*time.Millisecond) }

// SendDTMFDuration is SendDTMF with the Duration the INFO body announces.
func (c *Call) SendDTMFDuration(digit rune, d time.Duration) error {
	if !validDigit(digit) {
		return fmt.Errorf("%w: %q", ErrBadDigit, digit)
	}
	c.mu.Lock()
	st := c.state
	c.mu.Unlock()
	if st != stateConfirmed && st != stateAnswering {
		return fmt.Errorf("%w: DTMF needs an answered call", ErrCallState)
	}
	req := c.newInDialog(gosip.INFO)
	req.AppendHeader(gosip.NewHeader("Content-Type", "application/dtmf-relay"))
	req.SetBody([]byte(fmt.Sprintf("Signal=%c\r\nDuration=%d\r\n", digit, d.Milliseconds())))
	_, err := c.doInDialog(req)
	return err
}

func validDigit(d rune) bool {
	switch {
	case d >= '0' && d <= '9', d == '*', d == '#', d >= 'A' && d <= 'D':
		return true
	}
	return false
}

func randUint64() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint64(b[:]) >> 2 // fits SDP's o= field comfortably
}

func randCSeq() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return binary.BigEndian.Uint32(b[:])&0x7fff + 1
}
