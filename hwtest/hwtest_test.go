//go:build hwtest && linux

package hwtest

// Real-board tests. They read the board's own config (HWTEST_CONFIG, default
// /etc/intercom/intercom.toml) and exercise exactly the lines and sound devices it names.
// Run them with board.sh (make hwtest PI=host) or on the board:
//
//	go test -c -tags hwtest -o hwtest.test ./hwtest && ./hwtest.test -test.v
//
// Opt-in, because they act on the real world:
//
//	HWTEST_RELAY=1        pulse the door relay for 500 ms (the door opens!)
//	HWTEST_INTERACTIVE=1  ask a person to press each button within 30 s
//	HWTEST_AUDIO_LOOP=1   the speaker output is wired (or acoustically coupled) to the mic:
//	                      require the 1 kHz test tone back at >= 20 dB SNR

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/hwtest/internal/tone"
)

func boardConfig(t *testing.T) *config.Config {
	t.Helper()
	path := os.Getenv("HWTEST_CONFIG")
	if path == "" {
		path = config.DefaultPath
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("hwtest needs the board's config (set HWTEST_CONFIG=FILE): %v", err)
	}
	return cfg
}

// wiring is the table a person checks against the board before trusting a failure.
func wiring(cfg *config.Config) string {
	var b strings.Builder
	g := cfg.GPIO
	fmt.Fprintf(&b, "expected wiring (from %s):\n", cfg.File)
	fmt.Fprintf(&b, "  gpio chip %-12s (/dev/%s or a chip with that label)\n", g.Chip, g.Chip)
	pi := OnPiHeader(g.Chip)
	row := func(kind, name string, line int, activeLow bool, bias string) {
		lvl := "active high"
		if activeLow {
			lvl = "active low"
		}
		fmt.Fprintf(&b, "  %-7s %-12s line %3d  %-11s", kind, name, line, lvl)
		if pi {
			// Line offsets on the header's chip are BCM numbers, not header pins.
			fmt.Fprintf(&b, "  %s", Wire(kind, line, activeLow, bias))
		}
		b.WriteString("\n")
	}
	for _, i := range g.Buttons {
		row("button", i.Name, i.Line, i.ActiveLow, i.Bias)
	}
	for _, i := range g.Inputs {
		row("input", i.Name, i.Line, i.ActiveLow, i.Bias)
	}
	for _, o := range g.LEDs {
		row("led", o.Name, o.Line, o.ActiveLow, "")
	}
	for _, o := range g.Relays {
		row("relay", o.Name, o.Line, o.ActiveLow, "")
	}
	fmt.Fprintf(&b, "  sound   capture %s, playback %s\n", cfg.Audio.Capture, cfg.Audio.Playback)
	return b.String()
}

func openBoard(t *testing.T, cfg *config.Config) *gpio.Board {
	t.Helper()
	if cfg.GPIO.Chip == "sim" {
		t.Fatalf("[gpio] chip is \"sim\": this is not a real board config\n%s", wiring(cfg))
	}
	b, err := gpio.Open(cfg.GPIO, gpio.Options{})
	if err != nil {
		t.Fatalf("cannot claim the board's GPIO lines: %v\n%s", err, wiring(cfg))
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return b
}

func TestWiring(t *testing.T) {
	cfg := boardConfig(t)
	fmt.Print(wiring(cfg))
	openBoard(t, cfg)
	if len(cfg.GPIO.Buttons) == 0 {
		t.Errorf("no [[button]] in %s: a door station needs a bell button", cfg.File)
	}
	if len(cfg.GPIO.Relays) == 0 {
		t.Logf("no [door] relay_line in %s: relay checks skipped", cfg.File)
	}
}

// TestLEDs lights each LED for a second: the person at the board watches them.
func TestLEDs(t *testing.T) {
	cfg := boardConfig(t)
	b := openBoard(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	for _, l := range cfg.GPIO.LEDs {
		fmt.Printf("hwtest: LED %q (line %d) on for 1 s\n", l.Name, l.Line)
		if err := b.SetLED(l.Name, gpio.On); err != nil {
			t.Errorf("LED %s: %v\n%s", l.Name, err, wiring(cfg))
			continue
		}
		time.Sleep(time.Second)
		if err := b.SetLED(l.Name, gpio.Off); err != nil {
			t.Errorf("LED %s off: %v", l.Name, err)
		}
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("board run: %v", err)
	}
}

func TestRelay(t *testing.T) {
	if os.Getenv("HWTEST_RELAY") != "1" {
		t.Skip("set HWTEST_RELAY=1 to pulse the door relay (the door opens)")
	}
	cfg := boardConfig(t)
	if len(cfg.GPIO.Relays) == 0 {
		t.Fatalf("no relay configured\n%s", wiring(cfg))
	}
	b := openBoard(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = b.Run(ctx) }()
	r := cfg.GPIO.Relays[0]
	fmt.Printf("hwtest: relay %q (line %d) pulsed for 500 ms: listen for two clicks\n", r.Name, r.Line)
	if err := b.Pulse(r.Name, 500*time.Millisecond); err != nil {
		t.Fatalf("pulse %s: %v\n%s", r.Name, err, wiring(cfg))
	}
	time.Sleep(time.Second)
}

func TestButtons(t *testing.T) {
	if os.Getenv("HWTEST_INTERACTIVE") != "1" {
		t.Skip("set HWTEST_INTERACTIVE=1 and press each button when asked")
	}
	cfg := boardConfig(t)
	b := openBoard(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = b.Run(ctx) }()
	for _, btn := range append(append([]gpio.Input{}, cfg.GPIO.Buttons...), cfg.GPIO.Inputs...) {
		fmt.Printf("hwtest: press %q (line %d) within 30 s\n", btn.Name, btn.Line)
		timeout := time.After(30 * time.Second)
	wait:
		for {
			select {
			case ev := <-b.Events():
				if ev.Name == btn.Name && ev.Kind == gpio.Press {
					fmt.Printf("hwtest: %q pressed\n", btn.Name)
					break wait
				}
			case <-timeout:
				t.Errorf("no press on %q (line %d) within 30 s: check the wiring and active_low\n%s", btn.Name, btn.Line, wiring(cfg))
				break wait
			}
		}
	}
}

// TestSoundCard plays 2 s of 1 kHz on the playback device while capturing; with
// HWTEST_AUDIO_LOOP=1 the tone must come back.
func TestSoundCard(t *testing.T) {
	cfg := boardConfig(t)
	if !strings.HasPrefix(cfg.Audio.Capture, "hw:") || !strings.HasPrefix(cfg.Audio.Playback, "hw:") {
		t.Skipf("[audio] is %q / %q: no sound card to test", cfg.Audio.Capture, cfg.Audio.Playback)
	}
	// A deep buffer (320 ms): this checks the wiring, not latency, and the kernel's wait
	// for a period times out (EIO) after about one buffer of no progress.
	want := alsa.Params{Rate: 8000, Channels: 1, PeriodFrames: 160, Periods: 16}
	play, err := alsa.OpenPCM(cfg.Audio.Playback, alsa.Playback, want)
	if err != nil {
		t.Fatalf("playback %s: %v\n%s", cfg.Audio.Playback, err, wiring(cfg))
	}
	defer play.Close()
	capt, err := alsa.OpenPCM(cfg.Audio.Capture, alsa.Capture, want)
	if err != nil {
		t.Fatalf("capture %s: %v\n%s", cfg.Audio.Capture, err, wiring(cfg))
	}
	defer capt.Close()
	pp, cp := play.Params(), capt.Params()
	fmt.Printf("hwtest: playback %s %+v, capture %s %+v\n", cfg.Audio.Playback, pp, cfg.Audio.Capture, cp)

	got := make([]int16, 2*cp.Rate*cp.Channels)
	errc := make(chan error, 1)
	go func() {
		for n := 0; n < len(got); {
			m, err := capt.Read(got[n:min(n+cp.PeriodFrames*cp.Channels, len(got))])
			n += m * cp.Channels
			if err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	mono := make([]int16, 2*pp.Rate)
	tone.Sine(mono, pp.Rate, 1000, 8000, 0)
	out := make([]int16, len(mono)*pp.Channels)
	for i, v := range mono {
		for c := range pp.Channels {
			out[i*pp.Channels+c] = v
		}
	}
	if _, err := play.Write(out); err != nil {
		t.Fatalf("write %s: %v", cfg.Audio.Playback, err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("read %s: %v", cfg.Audio.Capture, err)
	}
	ch0 := make([]int16, len(got)/cp.Channels)
	for i := range ch0 {
		ch0[i] = got[i*cp.Channels]
	}
	snr, n := tone.SteadySNR(ch0, cp.Rate, 1000, cp.Rate/4, 30)
	fmt.Printf("hwtest: captured RMS %.0f, 1 kHz SNR %.1f dB over %d windows\n", tone.RMS(ch0), snr, n)
	if os.Getenv("HWTEST_AUDIO_LOOP") == "1" && snr < 20 {
		t.Errorf("the 1 kHz tone did not come back (%.1f dB SNR, want >= 20): speaker to mic loop?\n%s", snr, wiring(cfg))
	}
}
