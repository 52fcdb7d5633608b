package audio

import (
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/media"
)

// card is what the hands-free wrappers need of a device: a sound card (hwDevice), or a test
// device standing in for one (testCapture, testPlayback).
type card interface {
	Format() media.Format
	Delay() (time.Duration, error)
	Xruns() int
	Close() error
	hasPCM() bool
	// sharesClock reports whether other runs on this card's clock (one sound card).
	sharesClock(other card) bool
	// status is the card's STATUS snapshot and its buffer in frames (false while it is
	// gone or cannot say); it must not wait for a transfer blocked on another goroutine.
	status() (alsa.Status, int, bool)
}

type captureCard interface {
	card
	Read(frames []int16) (int, error)
}

type playbackCard interface {
	card
	Write(frames []int16) (int, error)
}

// refPlayback plays what media hands it and keeps it as the echo reference.
type refPlayback struct {
	dev  playbackCard
	v    *Voice
	dec  *decimator
	mono []int16
}

func (v *Voice) wrapPlayback(dev playbackCard) *refPlayback {
	f := dev.Format()
	return &refPlayback{dev: dev, v: v, dec: newDecimator(f.Channels, f.Rate/v.rate)}
}

func (p *refPlayback) Format() media.Format { return p.dev.Format() }

// ClockPaced passes on the card's answer (false): the loop is paced by the card.
func (p *refPlayback) ClockPaced() bool { return media.ClockPaced(p.dev) }

func (p *refPlayback) Delay() (time.Duration, error) { return p.dev.Delay() }

func (p *refPlayback) Xruns() int { return p.dev.Xruns() }

func (p *refPlayback) Close() error { return p.dev.Close() }

func (p *refPlayback) Write(buf []int16) (int, error) {
	n, err := p.dev.Write(buf)
	if n <= 0 {
		return n, err
	}
	ch := max(p.dev.Format().Channels, 1)
	if need := n / p.dec.ratio; cap(p.mono) < need+1 {
		p.mono = make([]int16, need+1) // once, at the first write of a call
	}
	m := p.mono[:p.dec.process(p.mono[:cap(p.mono)], buf[:n*ch])]
	if !p.dev.hasPCM() {
		clear(m) // the card is gone: nothing reached the loudspeaker
	}
	st, _, ok := p.dev.status()
	p.v.put(m, st.Appl, ok)
	return n, err
}

// voiceCapture reads the microphone, processes it against the aligned reference and
// delivers mono at the processing rate.
type voiceCapture struct {
	dev     captureCard
	v       *Voice
	dec     *decimator
	ratio   int
	devBuf  []int16
	mic     []int16
	ref     []int16
	out     []int16 // processed samples not yet delivered: out[:pending]
	pending int
	next    int64 // mic index of the next block
	al      aligner
	xruns   int
	play    playbackCard
}

func (v *Voice) wrapCapture(dev captureCard) *voiceCapture {
	f := dev.Format()
	return &voiceCapture{dev: dev, v: v, dec: newDecimator(f.Channels, f.Rate/v.rate), ratio: f.Rate / v.rate}
}

func (c *voiceCapture) Format() media.Format { return media.Format{Rate: c.v.rate, Channels: 1} }

// ClockPaced passes on the card's answer (false): the loop is paced by the card.
func (c *voiceCapture) ClockPaced() bool { return media.ClockPaced(c.dev) }

func (c *voiceCapture) Delay() (time.Duration, error) { return c.dev.Delay() }

func (c *voiceCapture) Xruns() int { return c.dev.Xruns() }

func (c *voiceCapture) Close() error { return c.dev.Close() }

// grow makes room for blocks more blocks (allocating only when a call's first reads, or a
// longer ptime, need more than before).
func (c *voiceCapture) grow(blocks int) {
	n := blocks * c.v.block
	ch := max(c.dev.Format().Channels, 1)
	if len(c.mic) < n {
		c.mic, c.ref = make([]int16, n), make([]int16, n)
		c.devBuf = make([]int16, n*c.ratio*ch)
	}
	if len(c.out) < c.pending+n {
		out := make([]int16, c.pending+n)
		copy(out, c.out[:c.pending])
		c.out = out
	}
}

func (c *voiceCapture) Read(buf []int16) (int, error) {
	want := len(buf)
	for c.pending < want {
		blocks := (want - c.pending + c.v.block - 1) / c.v.block
		c.grow(blocks)
		if err := c.readBlocks(blocks); err != nil {
			return 0, err
		}
	}
	copy(buf, c.out[:want])
	c.pending = copy(c.out, c.out[want:c.pending])
	return want, nil
}

// readBlocks reads blocks 10 ms blocks from the card, processes them and queues the result.
func (c *voiceCapture) readBlocks(blocks int) error {
	n := blocks * c.v.block
	ch := max(c.dev.Format().Channels, 1)
	dev := c.devBuf[:n*c.ratio*ch]
	got, err := c.dev.Read(dev)
	if err != nil {
		return err
	}
	clear(dev[got*ch:])
	mic, ref := c.mic[:n], c.ref[:n]
	c.dec.process(mic, dev)
	c.next += int64(n)
	c.align()
	if c.al.valid {
		c.v.get(ref, c.next-int64(n)+c.al.offset)
	} else {
		clear(ref)
	}
	out := c.out[c.pending : c.pending+n]
	if c.v.proc.Process(out, mic, ref) != nil {
		copy(out, mic) // cannot happen with whole blocks; never lose the visitor's voice
	}
	c.pending += n
	c.publish()
	return nil
}

// align measures where the reference stands against the microphone, in card time only: a
// STATUS snapshot of the capture card places the sample entering the microphone (next plus
// what waits to be read), one of the playback card places the sample leaving the loudspeaker
// (counted from the last write's pointer, see Voice.playing); their difference is the offset.
// The capture card is asked again after the playback card: a process or guest stalled
// between the two snapshots shows there, and the measurement is dropped.
func (c *voiceCapture) align() {
	if x := c.dev.Xruns() + c.playXruns(); x != c.xruns {
		// An xrun drops or repeats audio on one side: the old alignment and what the
		// filter learned with it are wrong.
		c.xruns = x
		c.al.reset()
		c.v.proc.Reset()
		c.v.smu.Lock()
		c.v.stats.Resets++
		c.v.smu.Unlock()
	}
	if c.play == nil {
		return
	}
	c1, _, ok1 := c.dev.status()
	ps, buffer, okp := c.play.status()
	c2, _, ok2 := c.dev.status()
	if !ok1 || !okp || !ok2 || !c1.Running || c2.Delay-c1.Delay > c.stallFrames() || c2.Delay < c1.Delay-c.stallFrames() {
		return
	}
	pratio := max(c.play.Format().Rate/c.v.rate, 1)
	playing, ok := c.v.playing(ps, pratio, buffer)
	if !ok {
		return
	}
	rate := int64(c.v.rate)
	capQ := int64(c1.Delay+c2.Delay) / int64(2*c.ratio) // ring samples waiting to be read
	m := playing - (c.next + capQ) + margin(c.v.rate)
	// The cards' round trip (what is queued for the loudspeaker plus what waits to be read)
	// is the alignment's figure: the offset itself also counts every sample an overrun lost.
	q := int64(ps.Delay)/int64(pratio) + capQ
	first := !c.al.valid
	if c.al.add(m, q, int64(realignAfter)*rate/int64(time.Second)) && !first {
		c.v.smu.Lock()
		c.v.stats.Realigned++
		c.v.smu.Unlock()
	}
}

// stallFrames is how far the capture queue may grow between the two snapshots of one
// measurement, in capture frames: beyond a few ms the process was not running in between.
func (c *voiceCapture) stallFrames() int {
	return int(int64(alignStall) * int64(c.dev.Format().Rate) / int64(time.Second))
}

func (c *voiceCapture) playXruns() int {
	if c.play == nil {
		return 0
	}
	return c.play.Xruns()
}

func (c *voiceCapture) publish() {
	st := c.v.proc.Stats()
	c.v.smu.Lock()
	c.v.stats.Stats = st
	if c.al.valid {
		c.v.stats.Alignment = time.Duration(c.al.queued-margin(c.v.rate)) * time.Second / time.Duration(c.v.rate)
	}
	c.v.smu.Unlock()
}
