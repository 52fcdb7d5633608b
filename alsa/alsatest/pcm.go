package alsatest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/internal/clock"
)

// Caps is what the simulated card supports.
type Caps struct {
	Formats   []alsa.Format
	Rates     []int
	Channels  [2]int // min, max
	Period    [2]int // frames
	Periods   [2]int
	BufferMax int // frames; 0 means Period[1]*Periods[1]
}

// VoiceCodec is a card that does 8k and 16k mono as well as 48k stereo.
func VoiceCodec() Caps {
	return Caps{
		Formats:  []alsa.Format{alsa.FormatS16LE},
		Rates:    []int{8000, 16000, 48000},
		Channels: [2]int{1, 2}, Period: [2]int{32, 8192}, Periods: [2]int{2, 32},
	}
}

// USBHeadset is a typical cheap USB codec: 48k (and 44.1k) stereo only.
func USBHeadset() Caps {
	return Caps{
		Formats:  []alsa.Format{alsa.FormatS16LE},
		Rates:    []int{44100, 48000},
		Channels: [2]int{2, 2}, Period: [2]int{48, 16384}, Periods: [2]int{2, 1024},
	}
}

// I2SMic is an I2S MEMS microphone HAT: 32-bit samples, 48k stereo, small buffers.
func I2SMic() Caps {
	return Caps{
		Formats:  []alsa.Format{alsa.FormatS32LE},
		Rates:    []int{48000},
		Channels: [2]int{2, 2}, Period: [2]int{256, 4096}, Periods: [2]int{2, 4}, BufferMax: 4096,
	}
}

// State is the simulated stream state, after the kernel's.
type State int

const (
	StateOpen State = iota
	StateSetup
	StatePrepared
	StateRunning
	StateXrun
	StateSuspended
	StateGone
	StateClosed
)

// PCM is a simulated PCM device. The zero value is unusable; use New.
type PCM struct {
	caps Caps

	mu       sync.Mutex
	state    State
	params   alsa.Params
	sw       alsa.SWParams
	ops      []string
	pending  []error
	next     int     // capture pattern counter (per sample)
	written  []int16 // playback record, converted to int16
	delay    int
	appl     uint64 // frames moved since the last prepare, as the kernel's appl_ptr
	resumeOK bool

	link    *loop       // Loopback: playback feeds capture
	clk     *clock.Fake // Loopback capture: advanced by each read
	scratch []int16
}

// New returns a device with caps, freshly opened.
func New(c Caps) *PCM {
	if c.BufferMax == 0 {
		c.BufferMax = c.Period[1] * c.Periods[1]
	}
	return &PCM{caps: c, resumeOK: true}
}

var _ alsa.Device = (*PCM)(nil)

// Inject makes the next ReadI/WriteI fail with err: alsa.ErrXrun puts the stream into the
// xrun state (every transfer fails until Prepare), alsa.ErrSuspended into suspend,
// alsa.ErrDeviceGone unplugs the card for good.
func (d *PCM) Inject(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending = append(d.pending, err)
}

// Unplug makes every further call fail as a disconnected card does.
func (d *PCM) Unplug() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.state = StateGone
}

// SetResume chooses whether Resume succeeds after a suspend (some drivers cannot resume).
func (d *PCM) SetResume(ok bool) { d.mu.Lock(); d.resumeOK = ok; d.mu.Unlock() }

// SetDelay sets what Delay reports.
func (d *PCM) SetDelay(frames int) { d.mu.Lock(); d.delay = frames; d.mu.Unlock() }

// Ops is the log of control calls: "refine", "install", "sw", "prepare", "start", "drop",
// "drain", "resume", "close" (consecutive refines are logged once).
func (d *PCM) Ops() []string { d.mu.Lock(); defer d.mu.Unlock(); return slices.Clone(d.ops) }

// State is the current stream state.
func (d *PCM) State() State { d.mu.Lock(); defer d.mu.Unlock(); return d.state }

// Installed is what HW_PARAMS committed.
func (d *PCM) Installed() alsa.Params { d.mu.Lock(); defer d.mu.Unlock(); return d.params }

// SW is what SW_PARAMS set.
func (d *PCM) SW() alsa.SWParams { d.mu.Lock(); defer d.mu.Unlock(); return d.sw }

// Written is everything played so far, as int16 samples.
func (d *PCM) Written() []int16 { d.mu.Lock(); defer d.mu.Unlock(); return slices.Clone(d.written) }

func (d *PCM) log(op string) {
	if op == "refine" && len(d.ops) > 0 && d.ops[len(d.ops)-1] == op {
		return
	}
	d.ops = append(d.ops, op)
}

func (d *PCM) check() error {
	switch d.state {
	case StateGone:
		return alsa.ErrDeviceGone
	case StateClosed:
		return alsa.ErrBadState
	}
	return nil
}

// Refine narrows p to what the card allows, like HW_REFINE.
func (d *PCM) Refine(p *alsa.HWParams) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log("refine")
	if err := d.check(); err != nil {
		return err
	}
	return d.refine(p)
}

func (d *PCM) refine(p *alsa.HWParams) error {
	c := d.caps
	if !p.Test(alsa.ParamAccess, alsa.AccessRWInterleaved) {
		return fmt.Errorf("access: %w", alsa.ErrUnsupported)
	}
	p.SetOnly(alsa.ParamAccess, alsa.AccessRWInterleaved)
	keep := -1
	for _, f := range []alsa.Format{alsa.FormatS16LE, alsa.FormatS32LE} {
		ok := p.Test(alsa.ParamFormat, int(f)) && slices.Contains(c.Formats, f)
		if ok && keep < 0 {
			keep = int(f)
		}
		if !ok {
			p.Clear(alsa.ParamFormat, int(f))
		}
	}
	if keep < 0 {
		return fmt.Errorf("format: %w", alsa.ErrUnsupported)
	}
	// Only S16/S32 can remain; any other bit the caller left set is not ours.
	for v := 0; v < 256; v++ {
		if v != int(alsa.FormatS16LE) && v != int(alsa.FormatS32LE) {
			p.Clear(alsa.ParamFormat, v)
		}
	}
	lo, hi := p.Range(alsa.ParamRate)
	rlo, rhi := -1, -1
	for _, r := range c.Rates {
		if r >= lo && r <= hi {
			if rlo < 0 || r < rlo {
				rlo = r
			}
			rhi = max(rhi, r)
		}
	}
	if rlo < 0 {
		return fmt.Errorf("rate: %w", alsa.ErrUnsupported)
	}
	p.SetRange(alsa.ParamRate, rlo, rhi)
	if err := intersect(p, alsa.ParamChannels, c.Channels[0], c.Channels[1]); err != nil {
		return err
	}
	if err := intersect(p, alsa.ParamPeriodSize, c.Period[0], c.Period[1]); err != nil {
		return err
	}
	if err := intersect(p, alsa.ParamPeriods, c.Periods[0], c.Periods[1]); err != nil {
		return err
	}
	plo, phi := p.Range(alsa.ParamPeriodSize)
	nlo, nhi := p.Range(alsa.ParamPeriods)
	if err := intersect(p, alsa.ParamBufferSize, plo*nlo, min(phi*nhi, c.BufferMax)); err != nil {
		return err
	}
	if plo == phi && nlo == nhi {
		return intersect(p, alsa.ParamBufferSize, plo*nlo, plo*nlo)
	}
	return nil
}

func intersect(p *alsa.HWParams, i alsa.Param, lo, hi int) error {
	a, b := p.Range(i)
	lo, hi = max(a, lo), min(b, hi)
	if lo > hi {
		return fmt.Errorf("param %d: %w", i, alsa.ErrUnsupported)
	}
	p.SetRange(i, lo, hi)
	return nil
}

// Install commits p, choosing the lowest value of anything still a range (as the kernel does).
func (d *PCM) Install(p *alsa.HWParams) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log("install")
	if err := d.check(); err != nil {
		return err
	}
	if err := d.refine(p); err != nil {
		return err
	}
	for _, i := range []alsa.Param{alsa.ParamRate, alsa.ParamChannels, alsa.ParamPeriodSize, alsa.ParamPeriods} {
		p.SetValue(i, p.Value(i))
	}
	if err := d.refine(p); err != nil {
		return err
	}
	f := alsa.FormatS32LE
	if p.Test(alsa.ParamFormat, int(alsa.FormatS16LE)) {
		f = alsa.FormatS16LE
	}
	p.SetOnly(alsa.ParamFormat, int(f))
	d.params = alsa.Params{
		Rate: p.Value(alsa.ParamRate), Channels: p.Value(alsa.ParamChannels),
		PeriodFrames: p.Value(alsa.ParamPeriodSize), Periods: p.Value(alsa.ParamPeriods), Format: f,
	}
	d.state = StateSetup
	return nil
}

// SetSW records the software parameters.
func (d *PCM) SetSW(s alsa.SWParams) (alsa.SWParams, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log("sw")
	if err := d.check(); err != nil {
		return s, err
	}
	if d.state == StateOpen {
		return s, alsa.ErrBadState
	}
	s.Boundary = d.params.BufferFrames() << 20
	d.sw = s
	return s, nil
}

func (d *PCM) Prepare() error { return d.to("prepare", StatePrepared) }
func (d *PCM) Drop() error    { return d.to("drop", StateSetup) }
func (d *PCM) Drain() error   { return d.to("drain", StateSetup) }

func (d *PCM) Start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log("start")
	if err := d.check(); err != nil {
		return err
	}
	if d.state != StatePrepared {
		return alsa.ErrBadState
	}
	d.state = StateRunning
	return nil
}

func (d *PCM) Resume() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log("resume")
	if err := d.check(); err != nil {
		return err
	}
	if d.state != StateSuspended || !d.resumeOK {
		return alsa.ErrBadState
	}
	d.state = StateRunning
	return nil
}

func (d *PCM) to(op string, s State) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log(op)
	if err := d.check(); err != nil {
		return err
	}
	if d.state == StateOpen {
		return alsa.ErrBadState
	}
	d.state = s
	if op == "prepare" {
		d.appl = 0
	}
	return nil
}

// xferState decides whether a transfer may run, applying one injected error.
func (d *PCM) xferState() error {
	if len(d.pending) > 0 {
		err := d.pending[0]
		d.pending = d.pending[1:]
		switch {
		case errors.Is(err, alsa.ErrXrun):
			d.state = StateXrun
		case errors.Is(err, alsa.ErrSuspended):
			d.state = StateSuspended
		case errors.Is(err, alsa.ErrDeviceGone):
			d.state = StateGone
		}
		return err
	}
	switch d.state {
	case StateGone:
		return alsa.ErrDeviceGone
	case StateXrun:
		return alsa.ErrXrun
	case StateSuspended:
		return alsa.ErrSuspended
	case StatePrepared, StateRunning:
		return nil
	}
	return alsa.ErrBadState
}

// ReadI fills b with a counting pattern: sample k is int16(k) (S32: int32(k)<<16).
func (d *PCM) ReadI(b []byte, frames int) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.xferState(); err != nil {
		return 0, err
	}
	d.state = StateRunning
	d.appl += uint64(frames)
	n := frames * d.params.Channels
	if d.link != nil {
		if cap(d.scratch) < n {
			d.scratch = make([]int16, n)
		}
		s := d.scratch[:n]
		d.link.take(s)
		d.putSamples(b, s)
		d.advance(frames)
		return frames, nil
	}
	if d.params.Format == alsa.FormatS32LE {
		for i := range n {
			binary.LittleEndian.PutUint32(b[i*4:], uint32(int32(int16(d.next))<<16))
			d.next++
		}
	} else {
		for i := range n {
			binary.LittleEndian.PutUint16(b[i*2:], uint16(int16(d.next)))
			d.next++
		}
	}
	return frames, nil
}

// WriteI records b.
func (d *PCM) WriteI(b []byte, frames int) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.xferState(); err != nil {
		return 0, err
	}
	d.appl += uint64(frames)
	n := frames * d.params.Channels
	start := len(d.written)
	defer func() {
		if d.link != nil {
			d.link.put(d.written[start:])
		}
	}()
	if d.params.Format == alsa.FormatS32LE {
		for i := range n {
			d.written = append(d.written, int16(int32(binary.LittleEndian.Uint32(b[i*4:]))>>16))
		}
	} else {
		for i := range n {
			d.written = append(d.written, int16(binary.LittleEndian.Uint16(b[i*2:])))
		}
	}
	if d.state == StatePrepared {
		d.state = StateRunning
	}
	return frames, nil
}

// Delay reports the value set by SetDelay.
func (d *PCM) Delay() (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return 0, err
	}
	return d.delay, nil
}

// Status reports the frames moved since the last prepare as the application pointer and
// what SetDelay set as the delay (the fake has no hardware pointer of its own).
func (d *PCM) Status() (alsa.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.check(); err != nil {
		return alsa.Status{}, err
	}
	return alsa.Status{Running: d.state == StateRunning, Appl: d.appl, Delay: d.delay}, nil
}

// Close closes the device; further calls fail.
func (d *PCM) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log("close")
	if d.state != StateGone {
		d.state = StateClosed
	}
	return nil
}

// putSamples encodes s into b in the installed format.
func (d *PCM) putSamples(b []byte, s []int16) {
	for i, v := range s {
		if d.params.Format == alsa.FormatS32LE {
			binary.LittleEndian.PutUint32(b[i*4:], uint32(int32(v)<<16))
		} else {
			binary.LittleEndian.PutUint16(b[i*2:], uint16(v))
		}
	}
}
