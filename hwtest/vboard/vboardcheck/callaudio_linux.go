package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/doorsip/intercom/hwtest/internal/tone"
)

// Card ids set by /init's snd-aloop options: the intercom captures hw:Loopback,1 and plays
// hw:Speaker,0; we play into Loopback,0 and capture Speaker,1.
const (
	micCard     = "Loopback"
	speakerCard = "Speaker"
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
	p, err := openPCM(path, false, rate, ch, period, 8)
	if err != nil {
		return nil, err
	}
	m := &mic{quit: make(chan struct{}), done: make(chan error, 1)}
	go func() {
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
		}
	}()
	return m, nil
}

func (m *mic) stop() error {
	select {
	case <-m.quit:
	default:
		close(m.quit)
	}
	return <-m.done
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
	c, err := openPCM(path, true, rate, ch, period, 8)
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
	if n == 0 {
		return 0, fmt.Errorf("%s: no sound in %s of capture", path, d)
	}
	return snr, nil
}

// replugSpeaker unbinds the speaker's aloop platform device and binds it again once the
// intercom has let go of the old card.
func replugSpeaker() error {
	card, err := cardIndex(speakerCard)
	if err != nil {
		return err
	}
	dev, err := filepath.EvalSymlinks(fmt.Sprintf("/sys/class/sound/card%d/device", card))
	if err != nil {
		return err
	}
	name := filepath.Base(dev) // snd_aloop.1
	drv := "/sys/bus/platform/drivers/snd_aloop"
	if err := os.WriteFile(drv+"/unbind", []byte(name), 0); err != nil {
		return fmt.Errorf("unbind %s: %w", name, err)
	}
	// The card is freed when its last user closes it; the intercom must notice ENODEV.
	gone := false
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(fmt.Sprintf("/proc/asound/card%d", card)); errors.Is(err, os.ErrNotExist) {
			gone = true
			break
		}
	}
	if !gone {
		fmt.Println("vboardcheck: the old speaker card is still held open 3 s after the unplug")
	}
	time.Sleep(300 * time.Millisecond)
	if err := os.WriteFile(drv+"/bind", []byte(name), 0); err != nil {
		return fmt.Errorf("bind %s: %w", name, err)
	}
	return nil
}
