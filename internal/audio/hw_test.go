package audio

import (
	"bytes"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
)

// cards hands out fake cards in turn; a nil entry is a failed open (the card still gone).
type cards struct {
	mu    sync.Mutex
	devs  []*alsatest.PCM
	calls int
}

func (c *cards) open(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if len(c.devs) == 0 || c.devs[0] == nil {
		if len(c.devs) > 0 {
			c.devs = c.devs[1:]
		}
		return nil, alsa.ErrNotFound
	}
	d := c.devs[0]
	c.devs = c.devs[1:]
	return alsa.OpenDevice(d, name, dir, want)
}

// io runs a blocking Read/Write to completion, moving the fake clock whenever the device
// waits on it (it stands in for the card's pace while the card is gone).
func paced(t *testing.T, clk *clock.Fake, f func() (int, error)) (int, error) {
	t.Helper()
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() { n, err := f(); done <- result{n, err} }()
	for {
		select {
		case r := <-done:
			return r.n, r.err
		default:
		}
		if clk.Timers() > 0 {
			clk.Advance(20 * time.Millisecond)
		} else {
			runtime.Gosched()
		}
	}
}

func TestHWSurvivesUnplug(t *testing.T) {
	for _, dir := range []alsa.Direction{alsa.Capture, alsa.Playback} {
		t.Run(dir.String(), func(t *testing.T) {
			clk := clock.NewFake(time.Unix(0, 0))
			var logs bytes.Buffer
			log := slog.New(slog.NewTextHandler(&logs, nil))
			first, second := alsatest.New(alsatest.VoiceCodec()), alsatest.New(alsatest.VoiceCodec())
			cs := &cards{devs: []*alsatest.PCM{first, nil, nil, second}}
			cfg := Defaults()
			cfg.Capture, cfg.Playback = "hw:0,0", "hw:0,0"
			opts := Options{Logger: log, Clock: clk, OpenPCM: cs.open}
			var rw func([]int16) (int, error)
			var format func() media.Format
			var closer func() error
			if dir == alsa.Capture {
				c, err := OpenCapture(cfg, opts)
				if err != nil {
					t.Fatal(err)
				}
				rw, format, closer = c.Read, c.Format, c.Close
			} else {
				p, err := OpenPlayback(cfg, opts)
				if err != nil {
					t.Fatal(err)
				}
				rw, format, closer = p.Write, p.Format, p.Close
			}
			defer closer()
			if f := format(); f != (media.Format{Rate: 8000, Channels: 1}) {
				t.Fatalf("Format() = %+v", f)
			}
			buf := make([]int16, 160)
			if n, err := rw(buf); n != 160 || err != nil {
				t.Fatalf("before unplug: %d, %v", n, err)
			}
			first.Unplug()
			start := clk.Now()
			// Gone: 200 ms to the first retry, which fails, 400 ms to the second, which
			// fails, then 800 ms to the one that finds the card back.
			for i := 0; second.State() == alsatest.StateOpen; i++ {
				if i > 200 {
					t.Fatalf("card never reopened; %d opens", cs.calls)
				}
				for j := range buf {
					buf[j] = 1
				}
				n, err := paced(t, clk, func() (int, error) { return rw(buf) })
				if n != 160 || err != nil {
					t.Fatalf("while gone: %d, %v", n, err)
				}
				if dir == alsa.Capture && buf[0] != 0 {
					t.Fatalf("capture while gone is not silence: %d", buf[0])
				}
			}
			if gap := clk.Since(start); gap < 1400*time.Millisecond || gap > 1500*time.Millisecond {
				t.Errorf("reopened after %v, want about 1.4 s of backoff", gap)
			}
			if n, err := rw(buf); n != 160 || err != nil {
				t.Fatalf("after reopen: %d, %v", n, err)
			}
			if cs.calls != 4 {
				t.Errorf("%d opens, want 4", cs.calls)
			}
			if c := strings.Count(logs.String(), "audio device gone"); c != 1 {
				t.Errorf("logged 'gone' %d times, want once:\n%s", c, logs.String())
			}
			if !strings.Contains(logs.String(), "audio device back") {
				t.Errorf("no 'back' log:\n%s", logs.String())
			}
			if err := closer(); err != nil {
				t.Fatal(err)
			}
			if err := closer(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if _, err := rw(buf); !errors.Is(err, alsa.ErrClosed) {
				t.Errorf("after Close: %v", err)
			}
		})
	}
}

func TestOpenKinds(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	opts := Options{Clock: clk, OpenPCM: (&cards{}).open}
	tests := []struct {
		capture, playback string
		err               error
	}{
		{"tone:440", "null", nil},
		{"silence", "null", nil},
		{"hw:0,0", "null", alsa.ErrNotFound},
		{"bogus", "null", ErrUnknownDevice},
		{"silence", "bogus", ErrUnknownDevice},
	}
	for _, tt := range tests {
		cfg := Defaults()
		cfg.Capture, cfg.Playback = tt.capture, tt.playback
		c, err := OpenCapture(cfg, opts)
		if err == nil {
			var p media.Playback
			p, err = OpenPlayback(cfg, opts)
			if err == nil {
				if c.Format() != p.Format() || c.Format().Rate != 8000 {
					t.Errorf("%s/%s: formats %+v %+v", tt.capture, tt.playback, c.Format(), p.Format())
				}
				p.Close()
			}
			c.Close()
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("%s/%s: err = %v, want %v", tt.capture, tt.playback, err, tt.err)
		}
	}
}

func TestHWDelayAndXruns(t *testing.T) {
	dev := alsatest.New(alsatest.VoiceCodec())
	p, err := OpenPlayback(Defaults(), Options{OpenPCM: (&cards{devs: []*alsatest.PCM{dev}}).open})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	dev.SetDelay(400) // 50 ms at 8 kHz
	hd := p.(interface {
		Delay() (time.Duration, error)
		Xruns() int
	})
	if d, err := hd.Delay(); d != 50*time.Millisecond || err != nil {
		t.Errorf("Delay() = %v, %v", d, err)
	}
	dev.Inject(alsa.ErrXrun)
	if _, err := p.Write(make([]int16, 160)); err != nil {
		t.Fatal(err)
	}
	if hd.Xruns() != 1 {
		t.Errorf("Xruns() = %d", hd.Xruns())
	}
}

// A card that stays away for seconds (a USB codec re-plugged by hand, a driver reloaded on a
// starved board) must be found within a second of its return: the retries back off to 1 s,
// not to the 5 s that left up to 5 s of silence on a card already back.
func TestHWReopensSoonAfterLongAbsence(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	first, second := alsatest.New(alsatest.VoiceCodec()), alsatest.New(alsatest.VoiceCodec())
	var backAt time.Time // zero until the card is unplugged
	var mu sync.Mutex
	opens := 0
	open := func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error) {
		mu.Lock()
		defer mu.Unlock()
		opens++
		switch {
		case opens == 1:
			return alsa.OpenDevice(first, name, dir, want)
		case clk.Now().Before(backAt):
			return nil, alsa.ErrNotFound
		}
		return alsa.OpenDevice(second, name, dir, want)
	}
	cfg := Defaults()
	cfg.Capture = "hw:0,0"
	c, err := OpenCapture(cfg, Options{Logger: slog.New(slog.DiscardHandler), Clock: clk, OpenPCM: open})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]int16, 160)
	if n, err := c.Read(buf); n != 160 || err != nil {
		t.Fatalf("before unplug: %d, %v", n, err)
	}
	mu.Lock()
	backAt = clk.Now().Add(6300 * time.Millisecond) // just after a retry of the old 5 s cap
	mu.Unlock()
	first.Unplug()
	for i := 0; second.State() == alsatest.StateOpen; i++ {
		if i > 1000 {
			t.Fatalf("card never reopened; %d opens", opens)
		}
		if n, err := paced(t, clk, func() (int, error) { return c.Read(buf) }); n != 160 || err != nil {
			t.Fatalf("while gone: %d, %v", n, err)
		}
	}
	t.Logf("%d opens, reopened %v after the card came back", opens, clk.Since(backAt))
	if late := clk.Since(backAt); late > time.Second+20*time.Millisecond {
		t.Errorf("reopened %v after the card came back, want within 1 s", late)
	}
}
