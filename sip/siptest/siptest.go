package siptest

import (
	"context"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/sip"
	"github.com/doorsip/intercom/sip/internal/testrun"
)

// Codecs the helpers offer: PCMA and PCMU with telephone-event 101, 20 ms.
var (
	PCMA = sip.Codec{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1}
	PCMU = sip.Codec{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1}
)

// Offer is a MediaOffer for port on the address the UA picks, with codecs (PCMA, PCMU when
// none are given).
func Offer(port uint16, codecs ...sip.Codec) sip.MediaOffer {
	if len(codecs) == 0 {
		codecs = []sip.Codec{PCMA, PCMU}
	}
	return sip.MediaOffer{
		Addr:            netip.AddrPortFrom(netip.IPv4Unspecified(), port),
		Codecs:          codecs,
		DTMFPayloadType: 101,
		Ptime:           20 * time.Millisecond,
	}
}

// StartUA runs a userless UA on 127.0.0.1 (ephemeral port) until the test ends; mutate may
// adjust the config (accounts, transports), clk may be nil for the wall clock.
func StartUA(t testing.TB, mutate func(*sip.Config), clk clock.Clock) *sip.UA {
	t.Helper()
	cfg := sip.Defaults()
	cfg.Listen = "127.0.0.1:0"
	if mutate != nil {
		mutate(&cfg)
	}
	u, err := sip.NewUA(cfg, sip.Options{Logger: slog.New(slog.DiscardHandler), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	testrun.Run(t, context.Background(), u.Run, u.Ready())
	return u
}

// URI is a dialable URI for user at u's UDP address.
func URI(u *sip.UA, user string) string {
	return "sip:" + user + "@" + u.Addr("udp").String()
}

// WaitEvent returns u's next event of kind, skipping others, failing after 10 s.
func WaitEvent(t testing.TB, u *sip.UA, kind sip.EventKind) sip.Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-u.Events():
			if ev.Kind == kind {
				return ev
			}
		case <-deadline:
			t.Fatalf("siptest: no %v event", kind)
		}
	}
}

// Policy is how a Peer treats incoming calls.
type Policy struct {
	// Ring sends 180 before anything else.
	Ring bool
	// RejectCode, when non-zero, rejects every call with it instead of answering.
	RejectCode int
	// NoAnswer leaves calls ringing (to test the caller's timeout and CANCEL).
	NoAnswer bool
	// Offer answers calls; default Offer(6000).
	Offer *sip.MediaOffer
}

// Peer is a scripted far end: a running UA whose incoming calls follow a Policy, recording
// every event it saw.
type Peer struct {
	UA *sip.UA

	mu     sync.Mutex
	events []sip.Event
	notify chan struct{}
}

// StartPeer runs a Peer until the test ends.
func StartPeer(t testing.TB, p Policy) *Peer {
	t.Helper()
	u := StartUA(t, nil, nil)
	peer := &Peer{UA: u, notify: make(chan struct{}, 1)}
	offer := Offer(6000)
	if p.Offer != nil {
		offer = *p.Offer
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case ev := <-u.Events():
				peer.record(ev)
				if ev.Kind != sip.IncomingCall {
					continue
				}
				switch {
				case p.RejectCode != 0:
					ev.Call.Reject(p.RejectCode)
				case p.NoAnswer:
					ev.Call.Ring()
				default:
					if p.Ring {
						ev.Call.Ring()
					}
					_ = ev.Call.Answer(offer)
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	// Registered before StartUA's cleanup runs (LIFO), so the loop stops first.
	t.Cleanup(func() { cancel(); <-done })
	return peer
}

// URI dials the peer.
func (p *Peer) URI() string { return URI(p.UA, "peer") }

func (p *Peer) record(ev sip.Event) {
	p.mu.Lock()
	p.events = append(p.events, ev)
	p.mu.Unlock()
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// Events returns what the peer has seen so far.
func (p *Peer) Events() []sip.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]sip.Event(nil), p.events...)
}

// Wait blocks until the peer has seen an event of kind (returning it), failing after 10 s.
func (p *Peer) Wait(t testing.TB, kind sip.EventKind) sip.Event {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		for _, ev := range p.Events() {
			if ev.Kind == kind {
				return ev
			}
		}
		select {
		case <-p.notify:
		case <-deadline:
			t.Fatalf("siptest: peer saw no %v event", kind)
		}
	}
}
