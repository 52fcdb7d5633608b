package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/internal/audio"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/sip"
)

// phoneUA is what the phone uses of the SIP user agent (*sip.UA).
type phoneUA interface {
	Dial(ctx context.Context, target string, offer sip.MediaOffer) (*sip.Call, error)
	Events() <-chan sip.Event
}

// phone adapts sip.UA plus one media.Session per call to door.Phone: the controller sees
// calls that carry their own audio, and DTMF whether it came by SIP INFO or RFC 4733.
type phone struct {
	ua    phoneUA
	media media.Config
	audio audio.Config
	log   *slog.Logger
	clk   clock.Clock
	bind  netip.Addr // where RTP sockets bind: the SIP listen address

	events chan door.PhoneEvent
	fb     *feedback // the visitor's sounds on the door's speaker
	idle   func()    // called when the last call has ended and its media stopped

	// dialMu is held by Dial from the INVITE until the new call is in calls: the UA reports
	// the call's first responses from its own goroutine, and on loopback an answer can reach
	// handle before Dial has returned. handle waits on it before giving up on a call it does
	// not know (an Answered dropped there left the door dialing a call that was up).
	dialMu sync.Mutex

	openPCM func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error) // nil: alsa.OpenPCM

	// forged records an incoming call refused because its From could not be believed (the
	// app writes it to the event log, folded per source).
	forged func(from string, o sip.Origin, why string)
	// text records a received SIP MESSAGE (the app writes it to the event log).
	text func(sip.TextMessage)

	mu    sync.Mutex
	trust trust // who may claim which From (trust.go); a reload replaces it
	calls map[*sip.Call]*call
	ctx   context.Context // Run's context: media sessions live inside it
	wg    sync.WaitGroup
}

func newPhone(ua *sip.UA, mc media.Config, ac audio.Config, listen string, log *slog.Logger, clk clock.Clock) *phone {
	bind := netip.IPv4Unspecified()
	if ap, err := netip.ParseAddrPort(listen); err == nil {
		bind = ap.Addr()
	}
	p := &phone{
		ua: ua, media: mc, audio: ac, log: log, clk: clk, bind: bind,
		events: make(chan door.PhoneEvent, 64),
		calls:  map[*sip.Call]*call{},
		ctx:    context.Background(),
		idle:   func() {},
	}
	p.fb = newFeedback(nil, log, openSpeaker(p))
	return p
}

// busy reports whether a call exists, ringing or answered.
func (p *phone) busy() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls) > 0
}

func (p *phone) Events() <-chan door.PhoneEvent { return p.events }

// run translates UA events until ctx ends, then stops every call's media and waits for it.
func (p *phone) run(ctx context.Context) {
	p.mu.Lock()
	p.ctx = ctx
	p.mu.Unlock()
	defer func() {
		for _, c := range p.snapshot() {
			c.stopMedia()
			c.stopINFO()
			c.stopDialog()
		}
		p.wg.Wait()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-p.ua.Events():
			p.handle(ev)
		}
	}
}

func (p *phone) emit(ev door.PhoneEvent) {
	select {
	case p.events <- ev:
	default:
		// The controller is the only reader and never blocks for long; a full queue means
		// it is wedged, and the watchdog will restart us. Do not wedge the UA with it.
		p.log.Error("phone: controller not reading events, dropped one", "kind", ev.Kind)
	}
}

func (p *phone) lookup(sc *sip.Call, create bool) *call {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.calls[sc]
	if c == nil && create {
		c = newCall(p, sc)
		p.calls[sc] = c
	}
	return c
}

// known finds the call sc belongs to, waiting for a Dial in progress to record it.
func (p *phone) known(sc *sip.Call) *call {
	if c := p.lookup(sc, false); c != nil {
		return c
	}
	p.dialMu.Lock()
	defer p.dialMu.Unlock()
	return p.lookup(sc, false)
}

func (p *phone) handle(ev sip.Event) {
	switch ev.Kind {
	case sip.Registration:
		p.emit(door.PhoneEvent{Kind: door.Registration, Account: ev.Reg.Account,
			Registered: ev.Reg.State == sip.Registered, Code: ev.Reg.Code, Reason: ev.Reg.Reason})
		return
	case sip.MessageWaiting:
		p.emit(door.PhoneEvent{Kind: door.MessageWaiting, Account: ev.MWI.Account, Waiting: ev.MWI.Waiting})
		return
	case sip.Message:
		if p.text != nil {
			p.text(ev.Text)
		}
		return
	}
	if ev.Call == nil {
		return
	}
	switch ev.Kind {
	case sip.IncomingCall:
		p.mu.Lock()
		tr := p.trust
		p.mu.Unlock()
		if why := tr.refusal(ev.Call.Origin()); why != "" {
			// Refused before the controller sees it: a forged From must not ring, let alone
			// reach the door code. 403, as RFC 3261 section 21.4.4 has it for "understood,
			// not allowed".
			ev.Call.Reject(403)
			p.log.Debug("phone: refused a call whose From cannot be believed", "from", ev.Call.Remote(), "reason", why)
			if p.forged != nil {
				p.forged(ev.Call.Remote(), ev.Call.Origin(), why)
			}
			return
		}
		c := p.lookup(ev.Call, true)
		p.emit(door.PhoneEvent{Kind: door.Incoming, Call: c})
	case sip.Ringing, sip.EarlyMedia:
		if c := p.known(ev.Call); c != nil {
			if ev.Kind == sip.EarlyMedia {
				p.earlyMedia(c)
			}
			p.emit(door.PhoneEvent{Kind: door.Ringing, Call: c})
		}
	case sip.Transfer:
		if c := p.known(ev.Call); c != nil {
			p.transfer(c, ev.Reason)
		}
	case sip.Answered:
		c := p.known(ev.Call)
		if c == nil {
			return
		}
		if done, ok := c.completeTransfer(ev.Call); done {
			if ok {
				p.emit(door.PhoneEvent{Kind: door.Transferred, Call: c})
			}
			return
		}
		if err := p.answered(c); err != nil {
			p.log.Error("phone: media did not start; hanging up", "call", c.ID(), "err", err)
			_ = c.Hangup()
			return
		}
		p.emit(door.PhoneEvent{Kind: door.Answered, Call: c})
	case sip.MediaUpdate:
		if c := p.known(ev.Call); c != nil {
			c.updateMedia()
		}
	case sip.DTMF:
		if c := p.known(ev.Call); c != nil && c.dtmf.accept(ev.Digit, dtmfINFO, arrivedAt(ev.At, p.clk)) {
			p.emit(door.PhoneEvent{Kind: door.DTMF, Call: c, Digit: ev.Digit})
		}
	case sip.Ended:
		defer func() {
			if !p.busy() {
				p.idle()
			}
		}()
		c := p.known(ev.Call)
		p.mu.Lock()
		delete(p.calls, ev.Call)
		p.mu.Unlock()
		if c == nil || c.legEnded(ev.Call) {
			return
		}
		c.stopMedia()
		c.stopINFO()
		c.stopDialog()
		p.emit(door.PhoneEvent{Kind: door.Ended, Call: c, Code: ev.Code, Reason: ev.Reason})
	}
}

// Dial allocates an RTP port, offers our codecs and sends the INVITE.
func (p *phone) Dial(ctx context.Context, target string) (door.PhoneCall, error) {
	conn, offer, key, err := p.offer(false)
	if err != nil {
		return nil, err
	}
	p.dialMu.Lock()
	defer p.dialMu.Unlock()
	sc, err := p.ua.Dial(ctx, target, offer)
	if err != nil {
		conn.Close()
		return nil, err
	}
	c := newCall(p, sc)
	c.conn, c.key = conn, key
	p.mu.Lock()
	p.calls[sc] = c // no event can have recorded it first: handle waits on dialMu
	p.mu.Unlock()
	return c, nil
}

// offer opens an RTP socket from media.rtp_ports and describes what we can do. With SRTP it
// also returns our SDES master key. "optional" SRTP offers plain RTP when we call (a
// RTP/SAVP offer is refused by peers without SRTP) and accepts SRTP when called.
func (p *phone) offer(incoming bool) (*net.UDPConn, sip.MediaOffer, []byte, error) {
	mc, _ := p.settings()
	lo, hi, err := media.ParsePortRange(mc.RTPPorts)
	if err != nil {
		return nil, sip.MediaOffer{}, nil, err
	}
	var crypto string
	var key []byte
	if mc.SRTP == "mandatory" || (mc.SRTP == "optional" && incoming) {
		c, err := media.NewSDESCrypto(1)
		if err != nil {
			return nil, sip.MediaOffer{}, nil, err
		}
		_, crypto, _ = strings.Cut(c.String(), " ") // sip adds its own tag
		key = c.Key
	}
	conn, err := media.ListenRTP(lo, hi, p.bind)
	if err != nil {
		return nil, sip.MediaOffer{}, nil, fmt.Errorf("app: rtp port: %w", err)
	}
	la := conn.LocalAddr().(*net.UDPAddr).AddrPort()
	offer := sip.MediaOffer{
		Addr:            netip.AddrPortFrom(p.bind, la.Port()),
		DTMFPayloadType: uint8(mc.DTMFPayloadType),
		Ptime:           mc.Ptime,
		Crypto:          crypto,
	}
	for _, name := range mc.Codecs {
		if c, ok := codecFor(name); ok {
			offer.Codecs = append(offer.Codecs, c)
		}
	}
	offer.Pinhole = p.pinhole(conn)
	return conn, p.mapRTP(conn, mc.STUNServer, offer), key, nil
}

func codecFor(name string) (sip.Codec, bool) {
	switch name {
	case "PCMU":
		return sip.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}, true
	case "PCMA":
		return sip.Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1}, true
	case "G722":
		// RFC 3551: G.722's RTP clock rate is 8000 although it samples at 16 kHz.
		return sip.Codec{Name: "G722", PayloadType: 9, ClockRate: 8000, Channels: 1}, true
	case "L16":
		return sip.Codec{Name: "L16", PayloadType: 96, ClockRate: 8000, Channels: 1}, true
	}
	return sip.Codec{}, false
}

// setTrust applies the allow lists' pinned addresses to the next incoming call.
func (p *phone) setTrust(t trust) {
	p.mu.Lock()
	p.trust = t
	p.mu.Unlock()
}

// setMedia applies reloaded [media] and [audio] settings to the next call.
func (p *phone) setMedia(mc media.Config, ac audio.Config) {
	p.mu.Lock()
	p.media, p.audio = mc, ac
	p.mu.Unlock()
}

// settings returns the current [media] and [audio] settings (a reload may change them).
func (p *phone) settings() (media.Config, audio.Config) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.media, p.audio
}

func (p *phone) stats() (media.Stats, bool) {
	for _, c := range p.snapshot() {
		c.mu.Lock()
		s := c.sess
		c.mu.Unlock()
		if s != nil {
			return s.Stats(), true
		}
	}
	return media.Stats{}, false
}

// voiceStats are the hands-free figures of the call in progress, if it has any.
func (p *phone) voiceStats() (audio.VoiceStats, bool) {
	for _, c := range p.snapshot() {
		c.mu.Lock()
		v := c.voice
		c.mu.Unlock()
		if v != nil {
			return v.Stats(), true
		}
	}
	return audio.VoiceStats{}, false
}

// snapshot lists the calls without holding p.mu afterwards: a call's own lock is taken
// before p.mu (startMedia reads the settings), never after.
func (p *phone) snapshot() []*call {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*call, 0, len(p.calls))
	for _, c := range p.calls {
		out = append(out, c)
	}
	return out
}
