package audio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/internal/clock"
)

// ErrNoBurst means the tone burst played was never heard on the capture side: no loopback
// (cable, acoustic path or snd-aloop) between the two devices, or the mixer is muted.
var ErrNoBurst = errors.New("audio: test burst not heard on capture")

// TestConfig tunes Test. Zero values take the [audio] defaults.
type TestConfig struct {
	Period  time.Duration // ALSA period; default 20ms
	Periods int           // buffer length in periods; default 4
	Logger  *slog.Logger
	Clock   clock.Clock
	// OpenPCM opens a device; nil means alsa.OpenPCM. Tests pass alsatest fakes.
	OpenPCM func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error)
}

// Result is what Test measured.
type Result struct {
	// RoundTrip is the time from handing the burst's first period to the playback device to
	// reading its first sample back from the capture device: what the media loop sees, the
	// echo delay a far end hears on a loopback.
	RoundTrip time.Duration
	// Queued is how much audio was waiting in the playback buffer when the burst was written
	// (the DELAY ioctl), the part of RoundTrip due to playback buffering.
	Queued time.Duration
	// Xruns counts over- and underruns on both devices during the test.
	Xruns    int
	Playback alsa.Params
	Capture  alsa.Params
	// Peak is the largest captured sample in the burst (of 32767); a low figure means a low
	// mic gain or a lossy acoustic path.
	Peak int
}

const (
	burstHz     = 1000
	burstAmp    = 16000
	leadIn      = 300 * time.Millisecond // let both streams settle before the burst
	burstLen    = 50 * time.Millisecond
	listenAfter = time.Second // give up when the burst is not back by then
)

// Test plays a 1 kHz tone burst on playback while recording capture, the way the media loop
// runs a call: one period read, one period written, paced by the capture card. It finds the
// burst's onset in the recording and reports the round trip. With snd-aloop play on
// hw:Loopback,0 and capture on hw:Loopback,1.
func Test(ctx context.Context, capture, playback string, tc TestConfig) (Result, error) {
	if tc.Period == 0 {
		tc.Period = 20 * time.Millisecond
	}
	if tc.Periods == 0 {
		tc.Periods = 4
	}
	if tc.Clock == nil {
		tc.Clock = clock.Real{}
	}
	if tc.Logger == nil {
		tc.Logger = slog.New(slog.DiscardHandler)
	}
	if tc.OpenPCM == nil {
		tc.OpenPCM = alsa.OpenPCM
	}
	want := alsa.Params{Rate: 8000, PeriodFrames: int(8000 * tc.Period / time.Second), Periods: tc.Periods}
	play, err := tc.OpenPCM(playback, alsa.Playback, want)
	if err != nil {
		return Result{}, fmt.Errorf("audio: test: %w", err)
	}
	defer play.Close()
	pp := play.Params()
	// Ask the capture side for the playback's layout: a loopback insists on it, and the same
	// period keeps the read/write lockstep simple.
	rec, err := tc.OpenPCM(capture, alsa.Capture, pp)
	if err != nil {
		return Result{}, fmt.Errorf("audio: test: %w", err)
	}
	defer rec.Close()
	cp := rec.Params()
	res := Result{Playback: pp, Capture: cp}
	tc.Logger.Info("audio test", "playback", playback, "capture", capture,
		"play_params", fmt.Sprintf("%+v", pp), "capture_params", fmt.Sprintf("%+v", cp))

	in := make([]int16, cp.PeriodFrames*cp.Channels)
	out := make([]int16, pp.PeriodFrames*pp.Channels)
	// Prime the playback to its start threshold (two periods) so it runs from the first read.
	for range 2 {
		if _, err := play.Write(out); err != nil {
			return res, fmt.Errorf("audio: test: %w", err)
		}
	}
	periodDur := time.Duration(pp.PeriodFrames) * time.Second / time.Duration(pp.Rate)
	burstAt := int(leadIn / periodDur)
	burstPeriods := max(1, int(burstLen/periodDur))
	settle := max(1, burstAt/3) // noise is measured after the streams settle
	noise := 0
	var sent time.Time
	burstSample := 0 // frames of burst generated so far
	deadline := burstAt + burstPeriods + int(listenAfter/periodDur)
	for i := 0; i <= deadline; i++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if _, err := rec.Read(in); err != nil {
			return res, fmt.Errorf("audio: test: %w", err)
		}
		now := tc.Clock.Now()
		peak := peakOf(in, cp.Channels)
		switch {
		case i >= settle && i < burstAt:
			noise = max(noise, peak)
		case i >= burstAt && !sent.IsZero():
			if on := onset(in, cp.Channels, max(4*noise, 300)); on >= 0 {
				res.RoundTrip = now.Sub(sent)
				res.Peak = peak
				res.Xruns = play.Xruns() + rec.Xruns()
				return res, nil
			}
		}
		clear(out)
		if i >= burstAt && i < burstAt+burstPeriods {
			for f := range pp.PeriodFrames {
				// A cosine starts at full amplitude: a sharp onset to find.
				v := int16(burstAmp * math.Cos(2*math.Pi*burstHz*float64(burstSample)/float64(pp.Rate)))
				burstSample++
				for c := range pp.Channels {
					out[f*pp.Channels+c] = v
				}
			}
			if i == burstAt {
				if d, err := play.Delay(); err == nil {
					res.Queued = time.Duration(d) * time.Second / time.Duration(pp.Rate)
				}
				sent = tc.Clock.Now()
			}
		}
		if _, err := play.Write(out); err != nil {
			return res, fmt.Errorf("audio: test: %w", err)
		}
	}
	res.Xruns = play.Xruns() + rec.Xruns()
	return res, fmt.Errorf("%w within %v (noise peak %d)", ErrNoBurst, listenAfter, noise)
}

func peakOf(s []int16, ch int) int {
	p := 0
	for i := 0; i < len(s); i += ch {
		v := int(s[i])
		if v < 0 {
			v = -v
		}
		p = max(p, v)
	}
	return p
}

// onset is the first frame whose first channel exceeds threshold, or -1.
func onset(s []int16, ch, threshold int) int {
	for i := 0; i < len(s); i += ch {
		v := int(s[i])
		if v > threshold || v < -threshold {
			return i / ch
		}
	}
	return -1
}
