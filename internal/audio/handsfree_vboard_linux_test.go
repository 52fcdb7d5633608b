//go:build linux

package audio

import (
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa/alsatest"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/voice"
)

// TestVboardHandsFree runs the call's hands-free path on the real kernel: noise played on
// hw:Loopback,0 comes back on hw:Loopback,1 (a wire: the worst coupling a box can have) and
// the two loops run as media's do, each blocked by its own PCM. The reference must be lined
// up by the real DELAY figures well enough for the canceller to take the echo down.
func TestVboardHandsFree(t *testing.T) {
	alsatest.NeedVboard(t)
	if os.Getenv("VBOARD_HANDSFREE") == "" {
		// The alignment extrapolates the playback position from wall-clock times; a TCG guest
		// that stalls between a read and its DELAY figure makes it move (a quiet arm64 run
		// realigned twice to -10 ms and kept 8 dB). Until the alignment reads card time only,
		// this check would fail CI at random; the scenario's echo call checks the canceller
		// in a real call on every guest instead.
		t.Skip("wall-clock alignment is thrown off by guest stalls; VBOARD_HANDSFREE=1 runs it")
	}
	cfg := Defaults()
	cfg.Capture, cfg.Playback, cfg.Periods = "hw:Loopback,1", "hw:Loopback,0", 8 // TCG stalls
	cfg.Voice.Noise, cfg.Voice.AGC = voice.NoiseOff, false
	devs, err := OpenDevices(cfg, Options{Clock: clock.Real{}})
	if err != nil {
		t.Fatal(err)
	}
	defer devs.Close()
	if devs.Voice == nil {
		t.Fatal("two aloop cards: no hands-free processing")
	}
	pf, cf := devs.Playback.Format(), devs.Capture.Format()
	const seconds = 5
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	playErr := make(chan error, 1)
	defer func() { stop.Store(true); wg.Wait() }() // also when the capture side fails
	go func() {                                    // the playout loop
		defer wg.Done()
		rng := rand.New(rand.NewPCG(3, 4))
		buf := make([]int16, pf.Rate/50*pf.Channels)
		for !stop.Load() {
			for i := 0; i < len(buf); i += pf.Channels {
				v := int16(rng.NormFloat64() * 3000)
				for c := range pf.Channels {
					buf[i+c] = v
				}
			}
			if _, err := devs.Playback.Write(buf); err != nil {
				playErr <- err
				return
			}
		}
	}()
	var out []int16
	in := make([]int16, cf.Rate/50)
	for len(out) < seconds*cf.Rate {
		if _, err := devs.Capture.Read(in); err != nil {
			t.Fatal(err)
		}
		out = append(out, in...)
	}
	stop.Store(true)
	wg.Wait()
	select {
	case err := <-playErr:
		t.Fatalf("playback: %v", err)
	default:
	}
	st := devs.Voice.Stats()
	// The echo is the noise itself; what is left of it in the last second.
	played := 20 * math.Log10(3000.0/32768) // RMS of N(0, 3000), dBFS
	left := media.Level(out[len(out)-cf.Rate:])
	loss := played - left
	t.Logf("echo loss %.1f dB over the last second (played %.1f dBFS, left %.1f dBFS); stats %+v", loss, played, left, st)
	// An xrun (a TCG guest on a loaded host misses periods: arm64 saw 4 in 5 s) loses audio
	// on one side, so the alignment moves by what was lost and the filter starts again:
	// then only ask for some cancellation in the last second.
	want := 20.0
	if st.Resets > 0 {
		want = 10
	}
	if loss < want {
		t.Errorf("the canceller took the echo down by %.1f dB on the real kernel (want >= %.0f with %d xrun resets)", loss, want, st.Resets)
	}
	// A wire has no delay of its own: without xruns the alignment is the cards' timing
	// less the margin.
	if st.Resets == 0 && (st.Alignment < -alignMargin-5*time.Millisecond || st.Alignment > time.Second) {
		t.Errorf("alignment %v", st.Alignment)
	}
	if f := os.Getenv("VBOARD_FIGURES"); f != "" {
		line := "handsfree_echo_loss_db=" + strconv.FormatFloat(loss, 'f', 1, 64) +
			"\nhandsfree_align_ms=" + strconv.FormatFloat(float64(st.Alignment.Microseconds())/1000, 'f', 1, 64) +
			"\nhandsfree_realigned=" + strconv.Itoa(st.Realigned) + "\nhandsfree_resets=" + strconv.Itoa(st.Resets) + "\n"
		if fh, err := os.OpenFile(f, os.O_APPEND|os.O_WRONLY, 0); err == nil {
			fh.WriteString(line)
			fh.Close()
		}
	}
}
