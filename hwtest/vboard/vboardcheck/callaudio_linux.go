package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/doorsip/intercom/hwtest/internal/tone"
)

// Card ids set by /init's snd-aloop options: the intercom captures hw:Loopback,1 and plays
// hw:Speaker,0; we play into Loopback,0 and capture Speaker,1.
const (
	micCard     = "Loopback"
	speakerCard = "Speaker"
	// checkerPeriods of 20 ms make a 640 ms buffer: the checker's own streams must ride
	// out the stalls of a TCG guest on a loaded host, so that what it measures is the
	// intercom's audio, not its own overruns.
	checkerPeriods = 32
)

// cardIndex resolves an ALSA card id through /proc/asound/<id> (a link to cardN).
func cardIndex(id string) (int, error) {
	l, err := os.Readlink(filepath.Join("/proc/asound", id))
	if err != nil {
		return -1, fmt.Errorf("no sound card %q: %w", id, err)
	}
	return strconv.Atoi(strings.TrimPrefix(l, "card"))
}

// peerFormat waits until the intercom has set up its end of the cable, which fixes the
// rate and channels our end must use (aloop has no conversion).
func peerFormat(path string) (rate, channels int, err error) {
	end := time.Now().Add(5 * time.Second)
	for {
		rmin, rmax, cmin, cmax, err := refineRate(path)
		if err == nil && rmin == rmax && cmin == cmax {
			return int(rmin), int(cmin), nil
		}
		if time.Now().After(end) {
			return 0, 0, fmt.Errorf("%s: the intercom's end never fixed a format (rate %d-%d, channels %d-%d, %v)", path, rmin, rmax, cmin, cmax, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mic plays a tone into the intercom's capture device until stop.
type mic struct {
	quit chan struct{}
	done chan error
	once sync.Once
	err  error

	prog         progress // frames written
	rate, buffer int      // the card's rate and buffer, frames
}

// played is how many frames it takes to be sure the card has played d of the tone: what
// was written less what the buffer can still hold.
func (m *mic) played(d time.Duration) int64 {
	return int64(d.Seconds()*float64(m.rate)) + int64(m.buffer)
}

func startMic(hz int) (*mic, error) {
	card, err := cardIndex(micCard)
	if err != nil {
		return nil, err
	}
	path := pcmPath(card, 0, false)
	rate, ch, err := peerFormat(path)
	if err != nil {
		return nil, err
	}
	period := rate / 50
	p, err := openPCM(path, false, rate, ch, period, checkerPeriods)
	if err != nil {
		return nil, err
	}
	m := &mic{quit: make(chan struct{}), done: make(chan error, 1), prog: newProgress(),
		rate: rate, buffer: period * checkerPeriods}
	go func() {
		defer close(m.prog.ended)
		defer p.close()
		mono := make([]int16, period)
		buf := make([]int16, period*ch)
		for n := 0; ; n += period {
			select {
			case <-m.quit:
				m.done <- nil
				return
			default:
			}
			tone.Sine(mono, rate, hz, 10000, n)
			for i, v := range mono {
				for c := range ch {
					buf[i*ch+c] = v
				}
			}
			if _, err := p.xfer(buf); err != nil {
				m.done <- err
				return
			}
			m.prog.frames.Store(int64(n + period))
		}
	}()
	return m, nil
}

// stop ends the tone (idempotent) and returns the write error that ended it early, if any.
func (m *mic) stop() error {
	m.once.Do(func() {
		close(m.quit)
		m.err = <-m.done
	})
	return m.err
}

// speakerSNR captures what the intercom plays for d and scores the peer's tone: the median
// over the 250 ms windows that carry sound (the start can hold the jitter buffer's silence).
func speakerSNR(d time.Duration) (float64, error) {
	card, err := cardIndex(speakerCard)
	if err != nil {
		return 0, err
	}
	path := pcmPath(card, 1, true)
	rate, ch, err := peerFormat(path)
	if err != nil {
		return 0, err
	}
	period := rate / 50
	c, err := openPCM(path, true, rate, ch, period, checkerPeriods)
	if err != nil {
		return 0, err
	}
	defer c.close()
	frames := int(d.Seconds() * float64(rate))
	buf := make([]int16, frames*ch)
	for n := 0; n < frames; {
		m, err := c.xfer(buf[n*ch : min(n+period, frames)*ch])
		n += m
		if err != nil {
			return 0, fmt.Errorf("capture %s after %d frames: %w", path, n, err)
		}
	}
	mono := make([]int16, frames)
	for i := range mono {
		mono[i] = buf[i*ch]
	}
	snr, n := tone.SteadySNR(mono, rate, peerHz, rate/4, 300)
	if c.xruns > 0 {
		fmt.Printf("vboardcheck: speaker capture had %d overruns (guest stalled)\n", c.xruns)
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: no sound in %s of capture", path, d)
	}
	return snr, nil
}

// reloadAloop takes snd-aloop out of the running kernel mid-call and loads it again. The
// module cannot be removed while the intercom holds its PCMs open, so the cards are first
// unbound (the intercom sees ENODEV, as when a USB codec is pulled), then, once the
// intercom has let go, rmmod and insmod with the same options bring fresh cards back.
// The caller stops its own streams first.
func reloadAloop() (time.Duration, error) {
	drv := "/sys/bus/platform/drivers/snd_aloop"
	devs, _ := filepath.Glob(drv + "/snd_aloop.*")
	if len(devs) == 0 {
		return 0, errors.New("no snd_aloop platform devices bound")
	}
	for _, d := range devs {
		if err := os.WriteFile(drv+"/unbind", []byte(filepath.Base(d)), 0); err != nil {
			return 0, fmt.Errorf("unbind %s: %w", filepath.Base(d), err)
		}
	}
	// rmmod succeeds once the last PCM of the gone cards is closed.
	t0 := time.Now()
	var out []byte
	var err error
	for end := t0.Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		out, err = exec.Command("rmmod", "snd-aloop").CombinedOutput()
		if err == nil {
			break
		}
		if time.Now().After(end) {
			return 0, fmt.Errorf("rmmod snd-aloop still refused 5 s after the unplug (the intercom keeps the gone device open?): %v: %s", err, out)
		}
	}
	held := time.Since(t0)
	ko := filepath.Join(os.Getenv("INTERCOM_VBOARD_MODDIR"), "snd-aloop.ko")
	args := append([]string{ko}, strings.Fields(os.Getenv("VBOARD_ALOOP_ARGS"))...)
	if out, err := exec.Command("insmod", args...).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("insmod %v: %v: %s", args, err, out)
	}
	return held, nil
}
