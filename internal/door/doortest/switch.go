package doortest

import (
	"errors"
	"sync"

	"github.com/doorsip/intercom/internal/door"
)

// ErrNoSuchPhone is a Dial to a URI no phone on the Switch answers to.
var ErrNoSuchPhone = errors.New("doortest: no phone with that URI")

// Switch joins Phones like a PBX: a Dial on one rings the phone with the target URI, and
// Ring, Answer, Reject, Hangup and SendDTMF on either end arrive at the other as events. Its
// phones' event channels are buffered, since two controllers call into each other.
type Switch struct {
	mu     sync.Mutex
	phones map[string]*Phone
}

// NewSwitch returns an empty switch.
func NewSwitch() *Switch { return &Switch{phones: map[string]*Phone{}} }

// Phone returns a new phone on the switch, reachable as uri.
func (s *Switch) Phone(uri string) *Phone {
	p := &Phone{ev: make(chan door.PhoneEvent, 256), uri: uri, sw: s, dialErr: map[string]error{}}
	s.mu.Lock()
	s.phones[uri] = p
	s.mu.Unlock()
	return p
}

// connect makes the far end of out, a call from uri to target, and announces it there.
func (s *Switch) connect(out *Call, from, target string) error {
	s.mu.Lock()
	callee := s.phones[target]
	s.mu.Unlock()
	if callee == nil {
		return ErrNoSuchPhone
	}
	in := callee.NewIncoming(from)
	out.mu.Lock()
	out.peer = in
	out.mu.Unlock()
	in.mu.Lock()
	in.peer = out
	in.mu.Unlock()
	callee.deliver(door.PhoneEvent{Kind: door.Incoming, Call: in})
	return nil
}

// deliver queues ev for the phone's controller without waiting for it.
func (p *Phone) deliver(ev door.PhoneEvent) { p.ev <- ev }
