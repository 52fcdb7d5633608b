package main

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/doorsip/intercom/hwtest/internal/tone"
)

// The room between the intercom's loudspeaker and its microphone, for the echo call: what
// the intercom plays on the Speaker card comes back on the Loopback card it captures,
// through a short room response, with a near-end talker added.
const (
	// nearHz is the visitor: a tone in bursts (see nearGain) that the peer's 400 Hz does not
	// hide and that shares no common period with it. With 1 kHz (a 200 Hz common period) the
	// A-law quantisation error of the loud visitor plus the small echo residual repeats every
	// 5 ms and lands on 400 Hz itself: a -63 dBFS floor in the door's stream that is the
	// codec's, not the canceller's. The echo call runs with the noise suppressor and the AGC
	// off: a suppressor takes a tone for noise and lowers it, an AGC moves its level, and
	// the check is about the canceller leaving the visitor alone while it removes the echo.
	nearHz = 1013
	// nearAmp is the first call's microphone tone's amplitude (1 kHz): its level in that
	// call (no echo, no processing) is the reference the near end must keep.
	nearAmp = 10000
	// roomCouplingDB is the energy of the room response: a loudspeaker a few centimetres
	// from the microphone.
	roomCouplingDB = -6
	// roomPrefill periods of silence queued on the microphone card before the first echo:
	// the room's own latency, enough to ride out a short stall of the guest without an
	// underrun, short enough that the echo stays well inside the canceller's tail.
	roomPrefill = 2
)

// nearGain is the visitor's envelope at t into the room: silent for the first second (the
// resident speaks first), then talking 1 s, pausing 0.5 s, with 10 ms ramps. A visitor who
// never pauses leaves the canceller no moment of far end alone to show its echo loss in, and
// its soft half-duplex fallback then rightly attenuates the microphone while the peer talks
// (8 dB with a steady tone here); the pauses are what real speech has.
func nearGain(t float64) float64 {
	const lead, on, cycle, ramp = 1.0, 1.0, 1.5, 0.01
	if t < lead {
		return 0
	}
	p := math.Mod(t-lead, cycle)
	switch {
	case p >= on:
		return 0
	case p < ramp:
		return p / ramp
	case p > on-ramp:
		return (on - p) / ramp
	}
	return 1
}

// roomResponse returns the room's impulse response at rate: a direct path, three early
// reflections and a decaying tail of reflections every 0.4 ms to 30 ms, scaled to
// roomCouplingDB of energy. The tail is sparse to keep the room cheap: it shares the
// guest's one emulated CPU with the intercom, whose processing needs it.
func roomResponse(rate int) []float64 {
	at := func(ms float64) int { return int(math.Round(ms * float64(rate) / 1000)) }
	h := make([]float64, at(30)+1)
	for _, t := range []struct{ ms, g float64 }{{0, 1}, {0.7, -0.5}, {2.3, 0.35}, {4.6, -0.25}} {
		h[at(t.ms)] += t.g
	}
	s := uint32(12345) // an LCG: the same room on every run and arch
	for i := at(5); i < len(h); i += max(1, at(0.4)) {
		s = s*1664525 + 1013904223
		sign := 1.0
		if s&0x8000_0000 != 0 {
			sign = -1
		}
		h[i] += sign * 0.35 * math.Exp(-float64(i-at(5))/(0.008*float64(rate)))
	}
	var e float64
	for _, v := range h {
		e += v * v
	}
	g := math.Pow(10, roomCouplingDB/20.0) / math.Sqrt(e)
	for i := range h {
		h[i] *= g
	}
	return h
}

// room runs the acoustic path until stop.
type room struct {
	quit chan struct{}
	done chan error
	once sync.Once
	err  error

	rate    int
	echo    []int16 // the echo alone, as written (for its level), from the first second on
	speaker []int16 // what the intercom played, over the same stretch
	xruns   int
	frames  int

	prog progress // frames captured from the speaker card, in the room's loop
}

// roomKeep is how much of the echo room keeps to measure: the whole call.
const roomKeepSeconds = 20

func startRoom() (*room, error) {
	sc, err := cardIndex(speakerCard)
	if err != nil {
		return nil, err
	}
	mc, err := cardIndex(micCard)
	if err != nil {
		return nil, err
	}
	spPath, micPath := pcmPath(sc, 1, true), pcmPath(mc, 0, false)
	srate, sch, err := peerFormat(spPath)
	if err != nil {
		return nil, err
	}
	mrate, mch, err := peerFormat(micPath)
	if err != nil {
		return nil, err
	}
	if srate != mrate {
		return nil, fmt.Errorf("room: speaker at %d Hz, microphone at %d Hz: one room needs one rate", srate, mrate)
	}
	period := srate / 50
	in, err := openPCM(spPath, true, srate, sch, period, checkerPeriods)
	if err != nil {
		return nil, err
	}
	out, err := openPCM(micPath, false, mrate, mch, period, checkerPeriods)
	if err != nil {
		in.close()
		return nil, err
	}
	r := &room{quit: make(chan struct{}), done: make(chan error, 1), rate: srate,
		echo: make([]int16, 0, roomKeepSeconds*srate), speaker: make([]int16, 0, roomKeepSeconds*srate),
		prog: newProgress()}
	go func() {
		defer close(r.prog.ended)
		defer in.close()
		defer out.close()
		r.done <- r.run(in, out)
	}()
	return r, nil
}

// roomQ is the fixed-point scale of the taps the room runs with: integer arithmetic, because
// under TCG a guest's floating point is emulated (on armhf the float loop cost 4% of real
// time in qemu-user before the guest's own overhead, on the CPU the intercom needs).
// 2^12: with |h| summing to well under 16, no sum of 16-bit samples overflows 31 bits.
const roomQ = 12

// tap is one non-zero tap of the room in fixed point: the echo holds g times the sample
// lag samples back.
type tap struct {
	lag int
	g   int32
}

// roomTaps is roomResponse in fixed point, its non-zero taps only.
func roomTaps(rate int) []tap {
	var q []tap
	for i, v := range roomResponse(rate) {
		if g := int32(math.Round(v * (1 << roomQ))); g != 0 {
			q = append(q, tap{i, g})
		}
	}
	return q
}

// convolve writes the room's echo of the last len(e) samples of hist into e; hist holds
// span-1 older samples before them, span being the response's length.
func convolve(e []int16, hist []int32, h []tap, span int) {
	base := span - 1
	for i := range e {
		var acc int32
		for _, t := range h {
			acc += t.g * hist[base+i-t.lag]
		}
		// Round half away from zero, then clip: a loud speaker may clip the microphone.
		if acc >= 0 {
			acc += 1 << (roomQ - 1)
		} else {
			acc -= 1 << (roomQ - 1)
		}
		e[i] = int16(max(-32768, min(32767, acc/(1<<roomQ))))
	}
}

func (r *room) run(in, out *pcm) error {
	h, span := roomTaps(r.rate), len(roomResponse(r.rate))
	period := in.period
	hist := make([]int32, span-1+period)
	capBuf := make([]int16, period*in.channels)
	outBuf := make([]int16, period*out.channels)
	near := make([]int16, period)
	echo := make([]int16, period)
	for range roomPrefill {
		if _, err := out.xfer(outBuf); err != nil {
			return fmt.Errorf("room: prefill: %w", err)
		}
	}
	for n := 0; ; n += period {
		select {
		case <-r.quit:
			return nil
		default:
		}
		if _, err := in.xfer(capBuf); err != nil {
			return fmt.Errorf("room: speaker capture: %w", err)
		}
		copy(hist, hist[period:])
		for i := range period {
			hist[span-1+i] = int32(capBuf[i*in.channels])
		}
		convolve(echo, hist, h, span)
		tone.Sine(near, r.rate, nearHz, nearAmp, n)
		for i, ei := range echo {
			if n >= r.rate && len(r.echo) < cap(r.echo) {
				r.echo = append(r.echo, ei)
				r.speaker = append(r.speaker, capBuf[i*in.channels])
			}
			g := nearGain(float64(n+i) / float64(r.rate))
			v := int16(max(-32768, min(32767, float64(ei)+g*float64(near[i]))))
			for c := range out.channels {
				outBuf[i*out.channels+c] = v
			}
		}
		if _, err := out.xfer(outBuf); err != nil {
			return fmt.Errorf("room: microphone playback: %w", err)
		}
		r.frames = n + period
		r.prog.frames.Store(int64(r.frames))
		r.xruns = in.xruns + out.xruns
	}
}

// stop ends the room (idempotent) and returns the error that ended it early, if any.
func (r *room) stop() error {
	r.once.Do(func() {
		close(r.quit)
		r.err = <-r.done
	})
	return r.err
}

// echoLevel is the level of hz in the echo the room added, dBFS (what the intercom would
// send back to the peer without processing), and the room's gain at hz. Valid after stop.
func (r *room) echoLevel(hz int) (level, gain float64, err error) {
	l, n := tone.SteadyLevel(r.echo, r.rate, hz, r.rate/4, 300)
	sp, _ := tone.SteadyLevel(r.speaker, r.rate, hz, r.rate/4, 300)
	if n == 0 {
		return 0, 0, errors.New("room: no echo: the intercom played nothing the room could hear")
	}
	return l, l - sp, nil
}

// dbfs is the level of a sine of peak amplitude amp.
func dbfs(amp float64) float64 { return 20 * math.Log10(amp/32768) }
