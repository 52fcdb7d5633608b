package doortest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/doorsip/intercom/internal/door"
)

// Phone is a fake door.Phone. Dial creates a Call that records what is done to it. A Phone
// on a Switch also reaches the other phones on it, as a PBX would.
type Phone struct {
	ev  chan door.PhoneEvent
	uri string
	sw  *Switch

	mu      sync.Mutex
	n       int
	dialed  []*Call
	dialErr map[string]error
}

// NewPhone returns a fake phone.
func NewPhone() *Phone {
	return &Phone{ev: make(chan door.PhoneEvent), dialErr: map[string]error{}}
}

// Events implements door.Phone.
func (p *Phone) Events() <-chan door.PhoneEvent { return p.ev }

// Dial implements door.Phone: it records target and returns a new outgoing Call, or the
// error set with FailDial.
func (p *Phone) Dial(_ context.Context, target string) (door.PhoneCall, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.dialErr[target]; err != nil {
		return nil, err
	}
	c := p.newCallLocked(target, false)
	p.dialed = append(p.dialed, c)
	if p.sw != nil {
		if err := p.sw.connect(c, p.uri, target); err != nil {
			p.dialed = p.dialed[:len(p.dialed)-1]
			return nil, err
		}
	}
	return c, nil
}

// FailDial makes Dial(target) return err.
func (p *Phone) FailDial(target string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dialErr[target] = err
}

// Dialed returns the calls Dial made, in order.
func (p *Phone) Dialed() []*Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*Call(nil), p.dialed...)
}

// Last returns the last dialed call to target, or nil.
func (p *Phone) Last(target string) *Call {
	d := p.Dialed()
	for i := len(d) - 1; i >= 0; i-- {
		if d[i].remote == target {
			return d[i]
		}
	}
	return nil
}

// NewIncoming returns an incoming call from remote without announcing it.
func (p *Phone) NewIncoming(remote string) *Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.newCallLocked(remote, true)
}

func (p *Phone) newCallLocked(remote string, incoming bool) *Call {
	p.n++
	return &Call{id: fmt.Sprintf("%scall-%d", p.uri, p.n), remote: remote, incoming: incoming, owner: p}
}

// Push hands ev to the controller; it blocks until the controller takes it or ctx ends.
func (p *Phone) Push(ctx context.Context, ev door.PhoneEvent) error {
	select {
	case p.ev <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Call is a fake door.PhoneCall.
type Call struct {
	id       string
	remote   string
	incoming bool
	owner    *Phone
	peer     *Call // the other end, on a Switch

	mu       sync.Mutex
	rang     bool
	answered bool
	rejected int
	hungUp   int
	dtmf     []rune
	tones    []string
	// Fail, when set, is returned by every method that returns an error.
	fail error
	// panicOn names a method that panics, to test the controller's recovery.
	panicOn string
	actions []string // hold, unhold, transfer TARGET
	// autoAnswer is the delay the caller asked to be answered after, when asked.
	autoAnswer  time.Duration
	askedAnswer bool
}

// AskAutoAnswer makes the call's caller ask to be answered after d (answer-after).
func (c *Call) AskAutoAnswer(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.autoAnswer, c.askedAnswer = d, true
}

// AutoAnswer reports what AskAutoAnswer set (door.AutoAnswerer).
func (c *Call) AutoAnswer() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.autoAnswer, c.askedAnswer
}

func (c *Call) ID() string { return c.id }
func (c *Call) Remote() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.remote
}
func (c *Call) Incoming() bool { return c.incoming }

// TransferTo makes the call carry another party, as a blind transfer does; push a
// door.Transferred event to tell the controller.
func (c *Call) TransferTo(remote string) {
	c.mu.Lock()
	c.remote = remote
	c.mu.Unlock()
}

// act records an action, then (on a Switch) tells the other end what it means there.
func (c *Call) act(name string, f func(), far door.PhoneEvent) error {
	c.mu.Lock()
	if c.panicOn == name {
		c.mu.Unlock()
		panic("doortest: " + name + " panics as asked")
	}
	if c.fail != nil {
		c.mu.Unlock()
		return c.fail
	}
	f()
	peer := c.peer
	c.mu.Unlock()
	if peer != nil && far.Kind != 0 {
		far.Call = peer
		peer.owner.deliver(far)
	}
	return nil
}

func (c *Call) Ring() error {
	return c.act("Ring", func() { c.rang = true }, door.PhoneEvent{Kind: door.Ringing})
}
func (c *Call) Answer() error {
	return c.act("Answer", func() { c.answered = true }, door.PhoneEvent{Kind: door.Answered})
}
func (c *Call) Reject(code int) error {
	return c.act("Reject", func() { c.rejected = code }, door.PhoneEvent{Kind: door.Ended, Code: code, Reason: "rejected"})
}
func (c *Call) Hangup() error {
	return c.act("Hangup", func() { c.hungUp++ }, door.PhoneEvent{Kind: door.Ended, Reason: "hangup"})
}
func (c *Call) SendDTMF(d rune) error {
	return c.act("SendDTMF", func() { c.dtmf = append(c.dtmf, d) }, door.PhoneEvent{Kind: door.DTMF, Digit: d})
}
func (c *Call) PlayTone(kind string) error {
	return c.act("PlayTone", func() { c.tones = append(c.tones, kind) }, door.PhoneEvent{})
}

// Fail makes every later method return err (nil to stop).
func (c *Call) Fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fail = err
}

// PanicOn makes the named method ("Answer", "Hangup", ...) panic.
func (c *Call) PanicOn(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.panicOn = method
}

// Rang reports whether Ring was called.
func (c *Call) Rang() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.rang }

// Answered reports whether Answer was called.
func (c *Call) Answered() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.answered }

// Rejected returns the code given to Reject, 0 if none.
func (c *Call) Rejected() int { c.mu.Lock(); defer c.mu.Unlock(); return c.rejected }

// HungUp returns how many times Hangup was called.
func (c *Call) HungUp() int { c.mu.Lock(); defer c.mu.Unlock(); return c.hungUp }

// DTMF returns the digits sent.
func (c *Call) DTMF() string { c.mu.Lock(); defer c.mu.Unlock(); return string(c.dtmf) }

// Tones returns the tones played.
func (c *Call) Tones() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.tones...)
}

// Hold, Unhold and Transfer record what the controller asked (door.Holder, door.Transferrer).
func (c *Call) Hold() error {
	return c.act("Hold", func() { c.actions = append(c.actions, "hold") }, door.PhoneEvent{})
}

func (c *Call) Unhold() error {
	return c.act("Unhold", func() { c.actions = append(c.actions, "unhold") }, door.PhoneEvent{})
}

func (c *Call) Transfer(target string) error {
	return c.act("Transfer", func() { c.actions = append(c.actions, "transfer "+target) }, door.PhoneEvent{})
}

// Actions lists the hold, unhold and transfer requests in order.
func (c *Call) Actions() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.actions...)
}
