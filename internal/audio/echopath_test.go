package audio

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/voice"
)

func roomOpen(r *alsatest.Room, caps alsatest.Caps) func(string, alsa.Direction, alsa.Params) (*alsa.PCM, error) {
	return func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error) {
		if dir == alsa.Capture {
			return alsa.OpenDevice(r.Capture(caps), name, dir, want)
		}
		return alsa.OpenDevice(r.Playback(caps), name, dir, want)
	}
}

// TestMeasureEcho: the figures of a known path come out of the measurement: the delay to
// the sample, the coupling to 0.1 dB, the tail to where the response falls 40 dB (plus
// alignMargin, to the ms); the canceller, fed the recording, takes the echo down >= 20 dB.
func TestMeasureEcho(t *testing.T) {
	decay := func(rate int, amp float64, to40 time.Duration) []float64 {
		n := int(int64(rate) * int64(to40) / int64(time.Second))
		tau := float64(n) / math.Log(100)
		h := make([]float64, n+n/2)
		for k := range h {
			h[k] = amp * math.Exp(-float64(k)/tau)
			if k%2 == 1 {
				h[k] = -h[k] // a little colour
			}
		}
		return h
	}
	for _, tt := range []struct {
		name  string
		caps  alsatest.Caps
		rate  int
		delay int
		late  int // frames the capture starts after the playback
		// wantQueues: the 30 ms late capture leaves the 20 ms primed playback starved for
		// 10 ms at the start, which shifts the streams by 20 ms, not 30.
		h          []float64
		wantDelay  time.Duration
		wantTail   time.Duration
		wantProcHz int
		wantQueues time.Duration
	}{
		{"16k mono, one tap", alsatest.VoiceCodec(), 16000, 160, 0, []float64{0.5}, 10 * time.Millisecond, 15 * time.Millisecond, 16000, 0},
		{"16k mono, capture 30 ms late", alsatest.VoiceCodec(), 16000, 160, 480, []float64{0.5}, 10 * time.Millisecond, 15 * time.Millisecond, 16000, -20 * time.Millisecond},
		{"16k mono, room", alsatest.VoiceCodec(), 16000, 400, 0, decay(16000, 0.1, 40*time.Millisecond), 25 * time.Millisecond, 70 * time.Millisecond, 16000, 0},
		{"48k stereo, room, capture late", alsatest.USBHeadset(), 48000, 480, 960, decay(48000, 0.05, 10*time.Millisecond), 10 * time.Millisecond, 25 * time.Millisecond, 16000, -20 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := &alsatest.Room{Clock: clock.NewFake(time.Unix(0, 0)), Delay: tt.delay, H: tt.h, CaptureLate: tt.late}
			res, err := MeasureEcho(context.Background(), "hw:0,0", "hw:0,0", TestConfig{OpenPCM: roomOpen(r, tt.caps)}, voice.Defaults())
			if err != nil {
				t.Fatal(err)
			}
			var e float64
			for _, v := range tt.h {
				e += v * v
			}
			want := 10 * math.Log10(e)
			t.Logf("%+v (coupling want %.2f dB)", res, want)
			if res.Playback.Rate != tt.rate || res.Rate != tt.wantProcHz {
				t.Errorf("card %d Hz, processing %d Hz; want %d, %d", res.Playback.Rate, res.Rate, tt.rate, tt.wantProcHz)
			}
			if res.Queues != tt.wantQueues {
				t.Errorf("queues %v, want %v", res.Queues, tt.wantQueues)
			}
			if res.Delay != tt.wantDelay {
				t.Errorf("delay %v, want %v", res.Delay, tt.wantDelay)
			}
			if math.Abs(res.CouplingDB-want) > 0.1 {
				t.Errorf("coupling %.2f dB, want %.2f", res.CouplingDB, want)
			}
			// The -40 dB point falls exactly on a sample; the card's 16-bit rounding may
			// put that sample just under it.
			if d := res.Tail - tt.wantTail; d < -time.Millisecond || d > 0 {
				t.Errorf("tail %v, want %v (or 1 ms less)", res.Tail, tt.wantTail)
			}
			if res.EchoLossDB < 20 {
				t.Errorf("the canceller took the echo down by %.1f dB, want >= 20", res.EchoLossDB)
			}
		})
	}
}

func TestMeasureEchoNothingHeard(t *testing.T) {
	r := &alsatest.Room{Clock: clock.NewFake(time.Unix(0, 0))}
	_, err := MeasureEcho(context.Background(), "hw:0,0", "hw:0,0", TestConfig{OpenPCM: roomOpen(r, alsatest.VoiceCodec())}, voice.Defaults())
	if !errors.Is(err, ErrNoEcho) {
		t.Fatalf("err = %v, want ErrNoEcho", err)
	}
}
