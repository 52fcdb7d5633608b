package audio

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/voice"
)

// recProc passes the microphone on and keeps what it was handed.
type recProc struct {
	mic, ref []int16
	keep     bool
	resets   int
	rate     int
	shared   bool // told capture and playback are one card
}

func (p *recProc) Process(out, mic, ref []int16) error {
	if p.keep {
		p.mic = append(p.mic, mic...)
		p.ref = append(p.ref, ref...)
	}
	copy(out, mic)
	return nil
}
func (p *recProc) Stats() voice.Stats { return voice.Stats{ERLE: 12.5, Gain: 3} }
func (p *recProc) Reset()             { p.resets++ }
func (p *recProc) SharedClock()       { p.shared = true }

// rig is a call's devices on a simulated card whose capture hears its playback after
// echo device frames (the acoustic path of the fake is the loop's queue).
type rig struct {
	play, rec *alsatest.PCM
	devs      Devices
	proc      *recProc
	clk       *clock.Fake
}

func newRig(t *testing.T, caps alsatest.Caps, cfg Config, echo int) *rig {
	t.Helper()
	r := &rig{clk: clock.NewFake(time.Unix(0, 0)), proc: &recProc{keep: true}}
	r.play, r.rec = alsatest.Loopback(caps, nil)
	cs := &cards{devs: []*alsatest.PCM{r.rec, r.play}}
	opts := Options{Clock: r.clk, OpenPCM: cs.open, newProc: func(_ voice.Config, rate int) (processor, error) {
		r.proc.rate = rate
		return r.proc, nil
	}}
	devs, err := OpenDevices(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { devs.Close() })
	r.devs = devs
	if echo > 0 {
		ch := r.play.Installed().Channels
		if _, err := r.play.WriteI(make([]byte, echo*ch*2), echo); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// run plays n periods of noise and reads as much back, the way the media loops do.
func (r *rig) run(t *testing.T, n int, period time.Duration) {
	t.Helper()
	pf, cf := r.devs.Playback.Format(), r.devs.Capture.Format()
	out := make([]int16, int(time.Duration(pf.Rate)*period/time.Second)*pf.Channels)
	in := make([]int16, int(time.Duration(cf.Rate)*period/time.Second)*cf.Channels)
	rng := rand.New(rand.NewPCG(1, 2))
	for range n {
		for i := 0; i < len(out); i += pf.Channels {
			v := int16(rng.IntN(16000) - 8000)
			for c := range pf.Channels {
				out[i+c] = v
			}
		}
		if _, err := r.devs.Playback.Write(out); err != nil {
			t.Fatal(err)
		}
		if _, err := r.devs.Capture.Read(in); err != nil {
			t.Fatal(err)
		}
	}
}

// lag is where ref best matches mic: mic[i] ~ ref[i-lag].
func lag(mic, ref []int16, maxLag int) int {
	best, bestLag := -1.0, 0
	for l := -maxLag; l <= maxLag; l++ {
		var s float64
		for i := maxLag; i < len(mic)-maxLag; i++ {
			s += float64(mic[i]) * float64(ref[i-l])
		}
		if s > best {
			best, bestLag = s, l
		}
	}
	return bestLag
}

// TestReferenceAligned: whatever the split between the playback and capture queues, the
// processor gets the reference alignMargin ahead of the echo in the microphone, at 8 kHz on
// a mono card and at 16 kHz from a 48 kHz stereo USB card.
func TestReferenceAligned(t *testing.T) {
	for _, tt := range []struct {
		name         string
		caps         alsatest.Caps
		rate         int
		playQ, capQ  int // device frames the DELAY ioctls report
		wantAlignMS  int // the queues less alignMargin
		wantMonoRate int
	}{
		{"8k mono, all in playback", alsatest.VoiceCodec(), 8000, 480, 0, 56, 8000},
		{"8k mono, split", alsatest.VoiceCodec(), 8000, 320, 160, 56, 8000},
		{"48k stereo, split", alsatest.USBHeadset(), 48000, 1920, 960, 56, 16000},
		{"48k stereo, long", alsatest.USBHeadset(), 48000, 9600, 480, 206, 16000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Defaults()
			r := newRig(t, tt.caps, cfg, tt.playQ+tt.capQ)
			if r.devs.Voice == nil {
				t.Fatal("two sound cards and default settings: no hands-free processing")
			}
			if got := r.devs.Capture.Format(); got != (media.Format{Rate: tt.wantMonoRate, Channels: 1}) {
				t.Fatalf("capture format %+v, want %d Hz mono", got, tt.wantMonoRate)
			}
			r.play.SetDelay(tt.playQ)
			r.rec.SetDelay(tt.capQ)
			r.run(t, 50, 20*time.Millisecond)
			// In int64: 4 ms in ns times the rate overflows a 32-bit int.
			margin := int(int64(alignMargin) * int64(tt.wantMonoRate) / int64(time.Second))
			if got := lag(r.proc.mic, r.proc.ref, tt.wantMonoRate/10); got != margin {
				t.Errorf("echo lags the reference by %d samples, want %d (alignMargin)", got, margin)
			}
			// Past the first period the reference is the microphone's echo exactly.
			mic, ref := r.proc.mic, r.proc.ref
			for i := tt.wantMonoRate / 5; i < len(mic); i++ {
				if mic[i] != ref[i-margin] {
					t.Fatalf("mic[%d] = %d, ref[%d] = %d", i, mic[i], i-margin, ref[i-margin])
				}
			}
			st := r.devs.Voice.Stats()
			if st.Alignment != time.Duration(tt.wantAlignMS)*time.Millisecond || st.ERLE != 12.5 || st.Realigned != 0 {
				t.Errorf("stats = %+v, want alignment %d ms, the processor's ERLE, no realignment", st, tt.wantAlignMS)
			}
		})
	}
}

// TestVoiceOffIsBitExact: with every processing off the call gets the card itself, samples
// and format unchanged.
func TestVoiceOffIsBitExact(t *testing.T) {
	cfg := Defaults()
	cfg.Voice.Echo, cfg.Voice.Noise, cfg.Voice.AGC = voice.EchoOff, voice.NoiseOff, false
	rec, play := alsatest.New(alsatest.USBHeadset()), alsatest.New(alsatest.USBHeadset())
	cs := &cards{devs: []*alsatest.PCM{rec, play}}
	devs, err := OpenDevices(cfg, Options{Clock: clock.NewFake(time.Unix(0, 0)), OpenPCM: cs.open})
	if err != nil {
		t.Fatal(err)
	}
	defer devs.Close()
	if devs.Voice != nil {
		t.Fatal("processing on with everything off")
	}
	if f := devs.Capture.Format(); f != (media.Format{Rate: 48000, Channels: 2}) {
		t.Fatalf("capture format %+v, want the card's 48 kHz stereo", f)
	}
	buf := make([]int16, 1920)
	if _, err := devs.Capture.Read(buf); err != nil {
		t.Fatal(err)
	}
	for i, v := range buf {
		if v != int16(i) { // the fake card's counting pattern
			t.Fatalf("sample %d = %d, want %d", i, v, int16(i))
		}
	}
}

// TestTestSourcesNotProcessed: tones, files, silence and null keep their exact levels.
func TestTestSourcesNotProcessed(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	for _, tt := range []struct{ capture, playback string }{
		{"tone:440", "null"},
		{"silence", "null"},
		{"tone:440", "hw:0,0"},
		{"hw:0,0", "null"},
	} {
		cfg := Defaults()
		cfg.Capture, cfg.Playback = tt.capture, tt.playback
		cs := &cards{devs: []*alsatest.PCM{alsatest.New(alsatest.VoiceCodec())}}
		devs, err := OpenDevices(cfg, Options{Clock: clk, OpenPCM: cs.open})
		if err != nil {
			t.Fatal(err)
		}
		if devs.Voice != nil {
			t.Errorf("%s -> %s: processed", tt.capture, tt.playback)
		}
		devs.Close()
	}
}

// TestXrunResets: an xrun shifts the echo delay, so the filter starts again and the
// alignment is measured afresh.
func TestXrunResets(t *testing.T) {
	r := newRig(t, alsatest.VoiceCodec(), Defaults(), 160)
	r.play.SetDelay(160)
	r.run(t, 10, 20*time.Millisecond)
	if r.proc.resets != 0 {
		t.Fatalf("%d resets before any xrun", r.proc.resets)
	}
	r.rec.Inject(alsa.ErrXrun)
	r.run(t, 10, 20*time.Millisecond)
	if r.proc.resets != 1 || r.devs.Voice.Stats().Resets != 1 {
		t.Errorf("after an xrun: %d resets (stats %d), want 1", r.proc.resets, r.devs.Voice.Stats().Resets)
	}
}

// TestNoPlaybackFeedsZeros: a capture with nothing played (or the playback stalled) gets a
// silent reference and does not wait for one.
func TestNoPlaybackFeedsZeros(t *testing.T) {
	r := newRig(t, alsatest.VoiceCodec(), Defaults(), 0)
	in := make([]int16, 160)
	for range 5 {
		if _, err := r.devs.Capture.Read(in); err != nil {
			t.Fatal(err)
		}
	}
	for i, v := range r.proc.ref {
		if v != 0 {
			t.Fatalf("ref[%d] = %d with nothing played", i, v)
		}
	}
}

// TestOddPtime: a 15 ms ptime is not a whole number of 10 ms blocks; every processed
// sample still comes through once, in order.
func TestOddPtime(t *testing.T) {
	r := newRig(t, alsatest.VoiceCodec(), Defaults(), 0)
	in := make([]int16, 120)
	var got []int16
	for range 20 {
		if _, err := r.devs.Capture.Read(in); err != nil {
			t.Fatal(err)
		}
		got = append(got, in...)
	}
	if len(r.proc.mic) < len(got) || len(r.proc.mic)-len(got) >= 80 {
		t.Fatalf("processed %d samples, delivered %d", len(r.proc.mic), len(got))
	}
	for i, v := range got {
		if v != r.proc.mic[i] {
			t.Fatalf("sample %d: delivered %d, processed %d", i, v, r.proc.mic[i])
		}
	}
}

// The media loops call Read and Write every period; the hands-free path must not allocate.
// (Separate fake cards: the loopback fake's own queue allocates as it slides.)
func TestHandsFreeDoesNotAllocate(t *testing.T) {
	for _, tt := range []struct {
		caps alsatest.Caps
		real bool // voice.New's processor rather than the recorder
	}{{alsatest.VoiceCodec(), false}, {alsatest.USBHeadset(), false}, {alsatest.VoiceCodec(), true}, {alsatest.USBHeadset(), true}} {
		caps := tt.caps
		proc := &recProc{}
		opts := Options{Clock: clock.NewFake(time.Unix(0, 0)), OpenPCM: (&cards{devs: []*alsatest.PCM{alsatest.New(caps), alsatest.New(caps)}}).open}
		if !tt.real {
			opts.newProc = func(voice.Config, int) (processor, error) { return proc, nil }
		}
		devs, err := OpenDevices(Defaults(), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer devs.Close()
		r := &rig{devs: devs, proc: proc}
		pf, cf := r.devs.Playback.Format(), r.devs.Capture.Format()
		out := make([]int16, pf.Rate/50*pf.Channels)
		in := make([]int16, cf.Rate/50)
		for range 4 {
			r.devs.Playback.Write(out)
			r.devs.Capture.Read(in)
		}
		if a := testing.AllocsPerRun(50, func() {
			r.devs.Playback.Write(out)
			r.devs.Capture.Read(in)
			r.devs.Voice.Stats()
		}); a != 0 {
			t.Errorf("%d Hz (voice.New %v): %v allocations per period", pf.Rate, tt.real, a)
		}
		if media.ClockPaced(r.devs.Capture) || media.ClockPaced(r.devs.Playback) {
			t.Errorf("%d Hz: a card's wrapper says it is clock paced", pf.Rate)
		}
	}
}

// TestReferenceFollowsStarvation: on a card in card time, the playback starves for 200 ms
// (nothing written while the capture goes on) and the loudspeaker falls behind; the
// alignment must follow it, not extrapolate the playback's position through the gap.
func TestReferenceFollowsStarvation(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	room := &alsatest.Room{Clock: clk, Delay: 40, H: []float64{0.7}}
	proc := &recProc{keep: true}
	open := func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error) {
		if dir == alsa.Capture {
			return alsa.OpenDevice(room.Capture(alsatest.VoiceCodec()), name, dir, want)
		}
		return alsa.OpenDevice(room.Playback(alsatest.VoiceCodec()), name, dir, want)
	}
	devs, err := OpenDevices(Defaults(), Options{Clock: clk, OpenPCM: open,
		newProc: func(voice.Config, int) (processor, error) { return proc, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer devs.Close()
	rng := rand.New(rand.NewPCG(5, 6))
	out, in := make([]int16, 160), make([]int16, 160)
	step := func(write bool) {
		if write {
			for i := range out {
				out[i] = int16(rng.IntN(16000) - 8000)
			}
			if _, err := devs.Playback.Write(out); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := devs.Capture.Read(in); err != nil {
			t.Fatal(err)
		}
	}
	for range 50 {
		step(true)
	}
	margin := int(int64(alignMargin) * 8000 / int64(time.Second)) // int64: overflows a 32-bit int
	if got := lag(proc.mic, proc.ref, 800); got != 40+margin {
		t.Fatalf("before the gap the echo lags the reference by %d samples, want %d", got, 40+margin)
	}
	for range 10 {
		step(false)
	}
	// The loudspeaker has played nothing for 200 ms: the reference it heard is 200 ms
	// further back than the sample counts say; the card's pointers show it (no write
	// extrapolated through the gap), so the offset has followed already.
	if st := devs.Voice.Stats(); st.Realigned == 0 {
		t.Errorf("200 ms of starvation and no realignment: %+v", st)
	}
	proc.mic, proc.ref = nil, nil
	for range 50 {
		step(true)
	}
	st := devs.Voice.Stats()
	mic, ref := proc.mic[len(proc.mic)/2:], proc.ref[len(proc.ref)/2:]
	if got := lag(mic, ref, 800); got != 40+margin {
		t.Errorf("after the gap the echo lags the reference by %d samples, want %d (stats %+v)", got, 40+margin, st)
	}
	// The figure is the cards' round trip less the margin, not the offset that the gap
	// moved: a few periods of playback queue at most.
	if st.Alignment < -alignMargin || st.Alignment > 200*time.Millisecond {
		t.Errorf("alignment figure %v after the gap, want the queues (0-200 ms) less %v", st.Alignment, alignMargin)
	}
	t.Logf("stats %+v", st)
}

// TestAlignmentInCardTime: the alignment comes from the cards' pointers only. The clock
// jumps by up to 60 ms between the transfers (a stalled process or guest: the old
// extrapolation from the last write's wall-clock time moved with it), the reference must
// stay exactly alignMargin ahead of the echo, and nothing realigns.
func TestAlignmentInCardTime(t *testing.T) {
	r := newRig(t, alsatest.VoiceCodec(), Defaults(), 480)
	r.play.SetDelay(320)
	r.rec.SetDelay(160)
	pf, cf := r.devs.Playback.Format(), r.devs.Capture.Format()
	out, in := make([]int16, 160*pf.Channels), make([]int16, 160*cf.Channels)
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 60 {
		for k := range out {
			out[k] = int16(rng.IntN(16000) - 8000)
		}
		if _, err := r.devs.Playback.Write(out); err != nil {
			t.Fatal(err)
		}
		r.clk.Advance(time.Duration(i%4) * 20 * time.Millisecond)
		if _, err := r.devs.Capture.Read(in); err != nil {
			t.Fatal(err)
		}
	}
	margin := int(margin(8000))
	mic, ref := r.proc.mic, r.proc.ref
	for i := 1600; i < len(mic); i++ {
		if mic[i] != ref[i-margin] {
			t.Fatalf("mic[%d] = %d, ref[%d] = %d: the reference moved with the clock", i, mic[i], i-margin, ref[i-margin])
		}
	}
	if st := r.devs.Voice.Stats(); st.Realigned != 0 || st.Alignment != 56*time.Millisecond {
		t.Errorf("stats %+v, want no realignment and 56 ms (60 ms of queues less the margin)", st)
	}
}

// TestAlignmentFigureAfterOverrun: an overrun loses captured audio, which moves the offset
// between the sample counts (the filter must follow it) but not the cards' round trip: the
// stats keep showing the queues, not the lost audio (it went to -367..-3186 ms in starved
// guests before).
func TestAlignmentFigureAfterOverrun(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	room := &alsatest.Room{Clock: clk, Delay: 40, H: []float64{0.7}}
	proc := &recProc{keep: true}
	var mic *alsatest.PCM
	var micDev alsa.Device
	open := func(name string, dir alsa.Direction, want alsa.Params) (*alsa.PCM, error) {
		if dir == alsa.Capture {
			micDev = room.Capture(alsatest.VoiceCodec())
			mic = micDev.(interface{ Fake() *alsatest.PCM }).Fake()
			return alsa.OpenDevice(micDev, name, dir, want)
		}
		return alsa.OpenDevice(room.Playback(alsatest.VoiceCodec()), name, dir, want)
	}
	devs, err := OpenDevices(Defaults(), Options{Clock: clk, OpenPCM: open,
		newProc: func(voice.Config, int) (processor, error) { return proc, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer devs.Close()
	rng := rand.New(rand.NewPCG(9, 10))
	out, in := make([]int16, 160), make([]int16, 160)
	lost := make([]byte, 320)
	step := func(seen bool) {
		for i := range out {
			out[i] = int16(rng.IntN(16000) - 8000)
		}
		if _, err := devs.Playback.Write(out); err != nil {
			t.Fatal(err)
		}
		if !seen { // the card moves on, the wrapper never sees these 20 ms
			if _, err := micDev.ReadI(lost, 160); err != nil {
				t.Fatal(err)
			}
			return
		}
		if _, err := devs.Capture.Read(in); err != nil {
			t.Fatal(err)
		}
	}
	for range 30 {
		step(true)
	}
	for range 3 { // three overruns, 100 ms lost each
		for range 5 {
			step(false)
		}
		mic.Inject(alsa.ErrXrun)
		for range 30 {
			step(true)
		}
	}
	st := devs.Voice.Stats()
	if st.Resets != 3 || st.Alignment < -alignMargin || st.Alignment > 200*time.Millisecond {
		t.Errorf("after 3 overruns that lost 300 ms: %+v, want 3 resets and the queues (0-200 ms) less %v", st, alignMargin)
	}
	m := int(margin(8000))
	n := len(proc.mic)
	if got := lag(proc.mic[n-4000:], proc.ref[n-4000:], 400); got != 40+m { // the last 30 periods
		t.Errorf("after the overruns the echo lags the reference by %d samples, want %d", got, 40+m)
	}
}
