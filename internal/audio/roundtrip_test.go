package audio

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
	"github.com/doorsip/intercom/internal/clock"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		caps    alsatest.Caps
		period  time.Duration
		periods int
		wired   bool
		want    time.Duration
		err     error
	}{
		// The lockstep loop keeps two periods queued ahead of the burst.
		{"voice codec 20 ms", alsatest.VoiceCodec(), 20 * time.Millisecond, 4, true, 40 * time.Millisecond, nil},
		{"voice codec 10 ms", alsatest.VoiceCodec(), 10 * time.Millisecond, 3, true, 20 * time.Millisecond, nil},
		{"usb headset 48k stereo", alsatest.USBHeadset(), 20 * time.Millisecond, 4, true, 40 * time.Millisecond, nil},
		{"nothing wired", alsatest.VoiceCodec(), 20 * time.Millisecond, 4, false, 0, ErrNoBurst},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewFake(time.Unix(0, 0))
			play, rec := alsatest.Loopback(tt.caps, clk)
			if !tt.wired {
				_, rec = alsatest.Loopback(tt.caps, clk)
			}
			open := func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error) {
				if dir == alsa.Playback {
					return alsa.OpenDevice(play, name, dir, want)
				}
				return alsa.OpenDevice(rec, name, dir, want)
			}
			res, err := Test(context.Background(), "hw:0,1", "hw:0,0",
				TestConfig{Period: tt.period, Periods: tt.periods, Clock: clk, OpenPCM: open})
			if !errors.Is(err, tt.err) {
				t.Fatalf("Test() err = %v, want %v", err, tt.err)
			}
			if res.RoundTrip != tt.want {
				t.Errorf("RoundTrip = %v, want %v", res.RoundTrip, tt.want)
			}
			if tt.err == nil && (res.Peak < 15000 || res.Xruns != 0) {
				t.Errorf("peak %d, xruns %d", res.Peak, res.Xruns)
			}
			if got := res.Playback.PeriodFrames * int(time.Second/tt.period); got != res.Playback.Rate {
				t.Errorf("period %d frames at %d Hz is not %v", res.Playback.PeriodFrames, res.Playback.Rate, tt.period)
			}
		})
	}
}

func TestRoundTripCancelled(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	play, rec := alsatest.Loopback(alsatest.VoiceCodec(), clk)
	open := func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error) {
		if dir == alsa.Playback {
			return alsa.OpenDevice(play, name, dir, want)
		}
		return alsa.OpenDevice(rec, name, dir, want)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Test(ctx, "hw:0,1", "hw:0,0", TestConfig{Clock: clk, OpenPCM: open}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if play.State() != alsatest.StateClosed || rec.State() != alsatest.StateClosed {
		t.Errorf("devices left open: %v %v", play.State(), rec.State())
	}
}
