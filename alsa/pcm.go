package alsa

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"
)

// PCM is one open capture or playback stream. Read or Write are meant to be called from one
// goroutine (the media loop); Xruns, Params and Close may be called from any.
type PCM struct {
	dev    Device
	name   string
	dir    Direction
	params Params

	mu      sync.Mutex // held by Read/Write/Delay while they use dev
	smu     sync.Mutex // held by Status, and by Close while it closes dev: never by I/O
	closed  atomic.Bool
	xruns   atomic.Int64
	once    sync.Once
	closeEr error

	scratch []int32 // S32_LE conversion buffer, one buffer's worth
	silence []byte  // one period of silence, refilled after a playback underrun
}

// maxRetries bounds how often one Read or Write retries after EINTR/EAGAIN or recovers from
// an xrun before giving up, so a broken driver cannot spin the media goroutine forever.
const maxRetries = 64

// OpenDevice sets up an already open Device: chooses hw params near want, sets sw params
// (wake up every period; playback starts once two periods are queued; stop on xrun so it is
// reported) and prepares the stream. It closes dev on failure.
func OpenDevice(dev Device, name string, dir Direction, want Params) (*PCM, error) {
	if err := want.Validate(); err != nil {
		dev.Close()
		return nil, fmt.Errorf("alsa: open %s: %w", name, err)
	}
	got, err := choose(dev, want)
	if err != nil {
		dev.Close()
		return nil, fmt.Errorf("alsa: open %s %v: %w", name, dir, err)
	}
	sw := SWParams{AvailMin: got.PeriodFrames, StopThreshold: got.BufferFrames(), StartThreshold: 1}
	if dir == Playback {
		sw.StartThreshold = min(2*got.PeriodFrames, got.BufferFrames())
	}
	if _, err := dev.SetSW(sw); err != nil {
		dev.Close()
		return nil, fmt.Errorf("alsa: open %s: sw params: %w", name, err)
	}
	if err := dev.Prepare(); err != nil {
		dev.Close()
		return nil, fmt.Errorf("alsa: open %s: prepare: %w", name, err)
	}
	p := &PCM{dev: dev, name: name, dir: dir, params: got}
	if got.Format == FormatS32LE {
		p.scratch = make([]int32, got.BufferFrames()*got.Channels)
	}
	if dir == Playback {
		p.silence = make([]byte, got.PeriodFrames*got.Channels*got.Format.bytes())
	}
	return p, nil
}

// Name is the device string the PCM was opened with.
func (p *PCM) Name() string { return p.name }

// Params is what the card accepted.
func (p *PCM) Params() Params { return p.params }

// Xruns counts the overruns/underruns recovered so far.
func (p *PCM) Xruns() int { return int(p.xruns.Load()) }

// Read fills buf (interleaved, len a multiple of Channels) with captured frames, blocking
// until all are there; it returns the frame count. Overruns are recovered (the lost audio is
// skipped) and counted. It does not allocate.
func (p *PCM) Read(buf []int16) (int, error) { return p.transfer("read", Capture, buf) }

// Write queues buf (interleaved) for playback, blocking while the buffer is full; it returns
// the frame count. After an underrun the stream is re-prepared and one period of silence is
// queued ahead of the data so the restart has a cushion. It does not allocate.
func (p *PCM) Write(buf []int16) (int, error) { return p.transfer("write", Playback, buf) }

// transfer is the loop Read and Write share: move all of buf a chunk at a time, recovering
// from xruns between chunks. op names the call in errors.
func (p *PCM) transfer(op string, dir Direction, buf []int16) (int, error) {
	if p.dir != dir {
		return 0, fmt.Errorf("alsa: %s on %s: %w", op, p.name, ErrBadState)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return 0, ErrClosed
	}
	ch := p.params.Channels
	frames := len(buf) / ch
	done := 0
	for tries := 0; done < frames; {
		n, err := p.chunk(buf[done*ch:frames*ch], frames-done)
		done += n
		if err == nil {
			continue
		}
		if tries++; tries > maxRetries {
			return done, fmt.Errorf("alsa: %s %s: %w", op, p.name, err)
		}
		if err := p.recover(err); err != nil {
			return done, fmt.Errorf("alsa: %s %s: %w", op, p.name, err)
		}
	}
	return done, nil
}

// chunk moves up to frames frames between buf and the ring buffer in one ReadI or WriteI.
// An S32_LE card goes through scratch, so a chunk is at most one buffer's worth; the sample
// sits in the top 16 bits.
func (p *PCM) chunk(buf []int16, frames int) (int, error) {
	if p.scratch == nil {
		if p.dir == Capture {
			return p.dev.ReadI(int16Bytes(buf), frames)
		}
		return p.dev.WriteI(int16Bytes(buf), frames)
	}
	ch := p.params.Channels
	want := min(frames, len(p.scratch)/ch)
	s := p.scratch[:want*ch]
	if p.dir == Capture {
		n, err := p.dev.ReadI(int32Bytes(s), want)
		for i := range n * ch {
			buf[i] = int16(s[i] >> 16)
		}
		return n, err
	}
	for i := range s {
		s[i] = int32(buf[i]) << 16
	}
	return p.dev.WriteI(int32Bytes(s), want)
}

// recover brings the stream back after err, or returns the error to report.
func (p *PCM) recover(err error) error {
	switch {
	case errors.Is(err, ErrInterrupted):
		return nil
	case errors.Is(err, ErrXrun):
		p.xruns.Add(1)
		return p.restart()
	case errors.Is(err, ErrStalled):
		// The kernel gave up waiting but left the stream RUNNING, where PREPARE fails with
		// EBUSY (seen on a starved virtual board: the call lost its audio): stop it first.
		p.xruns.Add(1)
		if err := p.dev.Drop(); err != nil {
			return gone(err)
		}
		return p.restart()
	case errors.Is(err, ErrSuspended):
		if p.dev.Resume() == nil {
			return nil
		}
		return p.restart()
	case errors.Is(err, ErrBadState):
		// Either our stream was dropped (Close from another goroutine, a driver reset) or
		// the card is being disconnected; a prepare tells the two apart.
		if p.closed.Load() {
			return ErrClosed
		}
		return p.restart()
	}
	return err
}

// restart re-prepares after an xrun: capture starts again at once; playback gets a period of
// silence queued (it starts when the next write reaches the start threshold).
func (p *PCM) restart() error {
	if err := p.dev.Prepare(); err != nil {
		return gone(err)
	}
	if p.dir == Capture {
		if err := p.dev.Start(); err != nil {
			return gone(err)
		}
		return nil
	}
	if _, err := p.dev.WriteI(p.silence, p.params.PeriodFrames); err != nil {
		return gone(err)
	}
	return nil
}

// gone maps a failure to recover to ErrDeviceGone when the card is no longer usable.
func gone(err error) error {
	if errors.Is(err, ErrBadState) && !errors.Is(err, ErrDeviceGone) {
		return fmt.Errorf("%w: %w", ErrDeviceGone, err)
	}
	return err
}

// Delay reports the frames between the application and the converter: for playback how long
// until a sample written now is heard, for capture how much is waiting to be read.
func (p *PCM) Delay() (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return 0, ErrClosed
	}
	d, err := p.dev.Delay()
	if err != nil {
		return 0, fmt.Errorf("alsa: delay %s: %w", p.name, err)
	}
	return d, nil
}

// Drain plays out what is queued (playback) and stops; the PCM stays open and prepared.
func (p *PCM) Drain() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed.Load() {
		return ErrClosed
	}
	if p.dir == Playback {
		if err := p.dev.Drain(); err != nil && !errors.Is(err, ErrBadState) {
			return fmt.Errorf("alsa: drain %s: %w", p.name, err)
		}
	}
	return p.dev.Prepare()
}

// Close stops the stream at once (queued playback is dropped) and closes the device. It is
// idempotent and may be called while another goroutine is blocked in Read or Write: the
// drop wakes it (it returns ErrClosed) before the file is closed.
func (p *PCM) Close() error {
	p.once.Do(func() {
		p.closed.Store(true)
		p.dev.Drop() // wakes a blocked reader/writer; errors are moot on the way out
		p.mu.Lock()
		p.smu.Lock()
		p.closeEr = p.dev.Close()
		p.smu.Unlock()
		p.mu.Unlock()
	})
	return p.closeEr
}

func int16Bytes(s []int16) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*2)
}

func int32Bytes(s []int32) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*4)
}
