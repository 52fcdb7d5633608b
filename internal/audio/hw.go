package audio

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
)

// hwDevice is an ALSA PCM that survives its card going away: while the card is gone (a USB
// sound card pulled out), Read returns silence and Write discards, both at the period's
// pace, and the card is reopened with backoff. The call carries on; audio returns with the
// card.
type hwDevice struct {
	name string
	dir  alsa.Direction
	want alsa.Params
	log  *slog.Logger
	clk  clock.Clock
	open func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error)
	cfg  Config

	mu      sync.Mutex // Close may come from another goroutine than the media loop
	pcm     *alsa.PCM
	format  media.Format
	period  time.Duration
	retryAt time.Time
	retryIn time.Duration
	reopen  clock.Backoff // exact doubling: one local card, nothing to spread out
	closed  bool
}

// The retries back off to once a second, not more: a failed open of a missing card costs a
// few system calls, and a longer cap leaves up to that long of silence on a card already
// back (5 s was as long as the virtual board's whole wait for its reloaded card).
const (
	reopenFirst = 200 * time.Millisecond
	reopenMax   = time.Second
)

func openHW(name string, dir alsa.Direction, cfg Config, opts Options) (*hwDevice, error) {
	want := alsa.Params{Periods: cfg.Periods}
	if cfg.Period != 20*time.Millisecond {
		// 10 ms periods: ask for narrowband so the frame count means what we want; the
		// card may still pick another rate, and the period then follows its rate.
		want.Rate, want.PeriodFrames = 8000, periodFrames(cfg, 8000)
	}
	pcm, err := opts.OpenPCM(name, dir, want)
	if err != nil {
		return nil, fmt.Errorf("audio: open %s: %w", name, err)
	}
	d := &hwDevice{name: name, dir: dir, want: want, log: opts.Logger, clk: opts.Clock, pcm: pcm,
		reopen: clock.Backoff{Base: reopenFirst, Max: reopenMax},
		open:   opts.OpenPCM, cfg: cfg}
	d.applyMixer()
	d.setFormat(pcm.Params())
	d.log.Info("audio device open", "device", name, "dir", dirName(dir), "rate", d.format.Rate,
		"channels", d.format.Channels, "period_frames", pcm.Params().PeriodFrames, "periods", pcm.Params().Periods)
	return d, nil
}

func openHWCapture(cfg Config, opts Options) (media.Capture, error) {
	return openHW(cfg.Capture, alsa.Capture, cfg, opts)
}

func openHWPlayback(cfg Config, opts Options) (media.Playback, error) {
	return openHW(cfg.Playback, alsa.Playback, cfg, opts)
}

func (d *hwDevice) setFormat(p alsa.Params) {
	d.format = media.Format{Rate: p.Rate, Channels: p.Channels}
	d.period = time.Duration(p.PeriodFrames) * time.Second / time.Duration(max(p.Rate, 1))
}

func (d *hwDevice) Format() media.Format {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.format
}

func (d *hwDevice) Read(buf []int16) (int, error) { return d.io(buf) }

func (d *hwDevice) Write(buf []int16) (int, error) { return d.io(buf) }

func (d *hwDevice) io(buf []int16) (int, error) {
	d.mu.Lock()
	pcm := d.pcm
	if pcm == nil {
		pcm = d.reopenLocked()
	}
	ch := max(d.format.Channels, 1)
	d.mu.Unlock()
	if pcm == nil {
		return d.idle(buf, ch)
	}
	var n int
	var err error
	if d.dir == alsa.Capture {
		n, err = pcm.Read(buf)
	} else {
		n, err = pcm.Write(buf)
	}
	if errors.Is(err, alsa.ErrDeviceGone) {
		d.mu.Lock()
		if d.pcm == pcm {
			d.log.Error("audio device gone; carrying on with silence and reopening", "device", d.name, "dir", dirName(d.dir))
			pcm.Close()
			d.pcm = nil
			d.reopen.Reset()
			d.retryIn = d.reopen.Next()
			d.retryAt = d.clk.Now().Add(d.retryIn)
		}
		d.mu.Unlock()
		return d.idle(buf, ch)
	}
	return n, err
}

// idle stands in for the card for one buffer: silence in, nothing out, at the card's pace so
// the media loop keeps its timing.
func (d *hwDevice) idle(buf []int16, ch int) (int, error) {
	d.mu.Lock()
	closed := d.closed
	rate := max(d.format.Rate, 1)
	d.mu.Unlock()
	if closed {
		return 0, alsa.ErrClosed
	}
	frames := len(buf) / ch
	if d.dir == alsa.Capture {
		clear(buf)
	}
	<-d.clk.After(time.Duration(frames) * time.Second / time.Duration(rate))
	return frames, nil
}

// reopenLocked tries the card again once its backoff has passed. The format must not change
// under a running media session; a card that comes back different is closed again.
func (d *hwDevice) reopenLocked() *alsa.PCM {
	if d.closed || d.clk.Now().Before(d.retryAt) {
		return nil
	}
	pcm, err := d.open(d.name, d.dir, d.want)
	if err == nil && (pcm.Params().Rate != d.format.Rate || pcm.Params().Channels != d.format.Channels) {
		pcm.Close()
		err = fmt.Errorf("came back as %d Hz x%d, running at %d Hz x%d", pcm.Params().Rate, pcm.Params().Channels, d.format.Rate, d.format.Channels)
	}
	if err != nil {
		d.retryIn = d.reopen.Next()
		d.retryAt = d.clk.Now().Add(d.retryIn)
		d.log.Debug("audio device still gone", "device", d.name, "err", err, "retry_in", d.retryIn)
		return nil
	}
	d.log.Info("audio device back", "device", d.name, "dir", dirName(d.dir))
	d.pcm = pcm
	d.applyMixer() // a USB card that comes back has its power-on mixer levels
	return pcm
}

// Xruns counts the over- and underruns the card recovered from.
func (d *hwDevice) Xruns() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.pcm == nil {
		return 0
	}
	return d.pcm.Xruns()
}

func (d *hwDevice) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	if d.pcm == nil {
		return nil
	}
	err := d.pcm.Close()
	d.pcm = nil
	return err
}

func dirName(d alsa.Direction) string {
	if d == alsa.Capture {
		return "capture"
	}
	return "playback"
}

// sharesClock reports whether other is a PCM of the same sound card (hw:0,0 and hw:0,1:
// one clock).
func (d *hwDevice) sharesClock(other card) bool {
	o, ok := other.(*hwDevice)
	return ok && sameCard(d.name, o.name)
}

// hasPCM reports whether the card is currently open (false while it is gone).
func (d *hwDevice) hasPCM() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.pcm != nil
}

// Delay is the card's latency right now (DELAY ioctl): for playback how long until a sample
// written now is heard, for capture how much waits to be read. Zero while the card is gone.
// media can report it through an interface{ Delay() (time.Duration, error) } assertion.
func (d *hwDevice) Delay() (time.Duration, error) {
	d.mu.Lock()
	pcm, rate := d.pcm, max(d.format.Rate, 1)
	d.mu.Unlock()
	if pcm == nil {
		return 0, nil
	}
	f, err := pcm.Delay()
	if err != nil {
		return 0, err
	}
	return time.Duration(f) * time.Second / time.Duration(rate), nil
}

// status is the card's STATUS snapshot (it does not wait for a transfer blocked on another
// goroutine) and its buffer in frames; false while the card is gone or cannot say.
func (d *hwDevice) status() (alsa.Status, int, bool) {
	d.mu.Lock()
	pcm := d.pcm
	d.mu.Unlock()
	if pcm == nil {
		return alsa.Status{}, 0, false
	}
	st, err := pcm.Status()
	return st, pcm.Params().BufferFrames(), err == nil
}
