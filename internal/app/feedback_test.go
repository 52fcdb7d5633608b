package app

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
	"github.com/doorsip/intercom/internal/testpeer"
	"github.com/doorsip/intercom/media"
)

var speakerFormat = media.Format{Rate: 8000, Channels: 1}

// speaker records what the feedback player writes, one recording per time it opens the
// device, paced like a card by a Null on the real clock.
type speaker struct {
	mu    sync.Mutex
	plays [][]int16

	// Each kind's rendering, made once: rendering every kind under mu at each poll of a wait
	// held the lock so long under -race beside CPU hogs that the player, which takes it for
	// each 20 ms block, wrote a few blocks a second and the busy tone never got past the part
	// it shares with the ringback.
	renderedFor *media.Prompts
	rendered    map[media.FeedbackKind][]int16
}

func (s *speaker) open() (media.Playback, error) {
	s.mu.Lock()
	s.plays = append(s.plays, nil)
	i := len(s.plays) - 1
	s.mu.Unlock()
	return &speakerDev{Playback: media.NewNull(speakerFormat, clock.Real{}), s: s, i: i}, nil
}

// sounds names what each opening played, matched against every kind's rendering.
func (s *speaker) sounds(p *media.Prompts) []media.FeedbackKind {
	if s.renderedFor != p {
		s.renderedFor, s.rendered = p, map[media.FeedbackKind][]int16{}
		for kind := media.FeedbackRingback; kind <= media.FeedbackCallEnd; kind++ {
			s.rendered[kind] = p.Render(kind, speakerFormat)
		}
	}
	s.mu.Lock()
	plays := make([][]int16, len(s.plays))
	for i, rec := range s.plays {
		plays[i] = slices.Clone(rec)
	}
	s.mu.Unlock()
	var out []media.FeedbackKind
	for _, rec := range plays {
		k := media.FeedbackKind(0)
		for kind := media.FeedbackRingback; kind <= media.FeedbackCallEnd; kind++ {
			want := s.rendered[kind]
			if len(rec) > 0 && len(want) >= len(rec) && slices.Equal(want[:len(rec)], rec) {
				k = kind
				break
			}
		}
		out = append(out, k)
	}
	return out
}

type speakerDev struct {
	media.Playback
	s *speaker
	i int
}

func (d *speakerDev) Write(frames []int16) (int, error) {
	d.s.mu.Lock()
	if len(d.s.plays[d.i]) < 8000 { // the first second names the sound
		d.s.plays[d.i] = append(d.s.plays[d.i], frames...)
	}
	d.s.mu.Unlock()
	return d.Playback.Write(frames)
}

func allPrompts(t *testing.T) *media.Prompts {
	p, err := media.LoadFeedback(media.FeedbackConfig{Ringback: "builtin", Busy: "builtin", NoAnswer: "builtin",
		Failed: "builtin", DoorOpen: "builtin", CallEnd: "builtin", Volume: 50})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFeedbackEntries: what the door logs picks the sound the visitor hears.
func TestFeedbackEntries(t *testing.T) {
	e := func(kind eventlog.Kind, kv ...any) eventlog.Entry {
		en := eventlog.Entry{Kind: kind}
		for i := 0; i+1 < len(kv); i += 2 {
			en.Fields = append(en.Fields, eventlog.Field{Key: kv[i].(string), Value: kv[i+1]})
		}
		return en
	}
	const (
		R = media.FeedbackRingback
		B = media.FeedbackBusy
		N = media.FeedbackNoAnswer
		F = media.FeedbackFailed
		D = media.FeedbackDoorOpen
		E = media.FeedbackCallEnd
	)
	tests := []struct {
		name    string
		entries []eventlog.Entry
		want    []media.FeedbackKind
	}{
		{"ringing then answered", []eventlog.Entry{e("ring-group"), e("ringing"), e("answered")}, []media.FeedbackKind{R}},
		{"busy", []eventlog.Entry{e("ring-group"), e("ringing"), e("call-failed", "code", 486), e("no-answer", "targets", "x", "reason", "no answer")}, []media.FeedbackKind{R, B}},
		{"busy in a group wins over a failure", []eventlog.Entry{e("ring-group"), e("call-failed", "code", 486), e("call-failed", "code", 503), e("no-answer", "targets", "x", "reason", "no answer")}, []media.FeedbackKind{B}},
		{"ring timeout", []eventlog.Entry{e("ring-group"), e("ringing"), e("cancelled"), e("no-answer", "targets", "x", "reason", "ring timeout")}, []media.FeedbackKind{R, N}},
		{"incoming call not answered at the door", []eventlog.Entry{e("incoming"), e("no-answer", "from", "sip:101@pbx", "reason", "ring timeout")}, nil},
		{"server error", []eventlog.Entry{e("ring-group"), e("call-failed", "code", 503), e("no-answer", "targets", "x", "reason", "no answer")}, []media.FeedbackKind{F}},
		{"not placed", []eventlog.Entry{e("ring-group"), e("call-failed", "err", "no route"), e("no-answer", "targets", "x", "reason", "all targets failed")}, []media.FeedbackKind{F}},
		{"door opened", []eventlog.Entry{e("door-open", "by", "code")}, []media.FeedbackKind{D}},
		{"call ended", []eventlog.Entry{e("call-ended", "by", "remote")}, []media.FeedbackKind{E}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sp := &speaker{}
			p := allPrompts(t)
			f := newFeedback(p, slog.New(slog.DiscardHandler), sp.open)
			for _, en := range tt.entries {
				f.entry(en)
				// Ringback is stopped by what follows once it has started; the last sound
				// plays its first second (busy and ringback differ only after 0.48 s).
				last := len(tt.entries) - 1
				waitUntil(t, 3*time.Second, "sound written", func() bool {
					sp.mu.Lock()
					defer sp.mu.Unlock()
					if len(sp.plays) == 0 {
						return true
					}
					n := len(sp.plays[len(sp.plays)-1])
					if en.Kind != tt.entries[last].Kind {
						return n > 0
					}
					f.mu.Lock()
					solo := f.solo
					f.mu.Unlock()
					if solo == nil {
						return true
					}
					select {
					case <-solo.done:
						return true
					default:
						return n >= 8000
					}
				})
			}
			f.stopSolo()
			if got := sp.sounds(p); !slices.Equal(got, tt.want) {
				t.Errorf("played %v, want %v", got, tt.want)
			}
		})
	}
}

// TestFeedbackMixer: during a call the sound is added to what the session writes, allocating
// nothing per frame, and a repeating sound repeats until stopped.
func TestFeedbackMixer(t *testing.T) {
	m := &promptMixer{Playback: media.NewNull(speakerFormat, clock.NewFake(time.Unix(0, 0)))}
	m.Playback = recordWrites{}
	m.play([]int16{100, 200, 300}, true)
	frames := []int16{1, 1, 1, 1, 1, 1, 1}
	m.Write(frames)
	if want := []int16{101, 201, 301, 101, 201, 301, 101}; !slices.Equal(frames, want) {
		t.Errorf("mixed %v, want %v", frames, want)
	}
	m.play(nil, false)
	frames = []int16{32000, 5}
	m.Write(frames)
	if !slices.Equal(frames, []int16{32000, 5}) {
		t.Errorf("after stop %v", frames)
	}
	m.play([]int16{32000, 32000}, false)
	frames = []int16{32000, -5, 7}
	m.Write(frames)
	if !slices.Equal(frames, []int16{32767, 31995, 7}) {
		t.Errorf("clipped %v", frames)
	}
	m.play(make([]int16, 480), true)
	buf := make([]int16, 160)
	if a := testing.AllocsPerRun(100, func() { m.Write(buf) }); a != 0 {
		t.Errorf("%.1f allocations per frame", a)
	}
}

type recordWrites struct{}

func (recordWrites) Format() media.Format              { return speakerFormat }
func (recordWrites) Write(frames []int16) (int, error) { return len(frames) / 1, nil }
func (recordWrites) Close() error                      { return nil }

// TestSippRingbackThenBusy: the door calls sipp, which rings for 1.5 s and answers 486; the
// visitor hears the ringback from the 180, then the busy tone, each on the door's speaker.
func TestSippRingbackThenBusy(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_ring_busy.xml")})
	sp := &speaker{}
	port := testpeer.FreePort(t)
	a := startUnitWith(t, "door", port, "[feedback]\nringback = \"builtin\"\nbusy = \"builtin\"\n", func(a *App) {
		a.phone.fb.open = sp.open
	})
	if _, err := a.Controller().Do(context.Background(), door.Command{Op: "call", Arg: s.URI("resident")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	p := a.cfg.Prompts
	defer func() {
		if t.Failed() {
			sp.mu.Lock()
			lens := make([]int, len(sp.plays))
			for i, rec := range sp.plays {
				lens[i] = len(rec)
			}
			sp.mu.Unlock()
			t.Logf("the speaker played %v, samples per opening %v", sp.sounds(p), lens)
		}
	}()
	waitUntil(t, 5*time.Second, "ringback then busy", func() bool {
		return slices.Equal(sp.sounds(p), []media.FeedbackKind{media.FeedbackRingback, media.FeedbackBusy})
	})
	sp.mu.Lock()
	t.Logf("ringback %.2f s (of the first second) before the busy tone", float64(len(sp.plays[0]))/8000)
	sp.mu.Unlock()
}

// TestSippDoorChimeInCall: a sipp caller keys the door code by SIP INFO; the door opens
// during the call and its chime is mixed into the call's playback (here a WAV file), where
// nothing else plays: the caller sends no RTP.
func TestSippDoorChimeInCall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	dir := t.TempDir()
	out := filepath.Join(dir, "speaker.wav")
	port := testpeer.FreePort(t)
	a := startUnitWith(t, "door", port, `[call]
incoming = "auto"
allow_from = ["sip:sipp@127.0.0.1"]
[door]
relay_line = 1
dtmf_code = "123"
[feedback]
door_open = "builtin"
volume = 100
`, func(a *App) {
		ac := a.cfg.Audio
		ac.Playback = "file:" + out
		a.phone.setMedia(a.cfg.Media, ac)
		a.phone.fb.open = (&speaker{}).open // nothing may play outside the call
	})
	v := dtmfVariant{name: "INFO", info: "application/dtmf", infoBody: "%c"}
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: dtmfScenario(t, dir, v), Remote: "127.0.0.1:" + strconv.Itoa(port),
		Args: []string{"-mp", strconv.Itoa(testpeer.SippMediaPort(t))}})
	if err := s.Wait(t, 20*time.Second); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "idle after sipp's BYE", func() bool { return a.Controller().Status().State == door.Idle })
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	_, rec, err := media.ParseWAV(b)
	if err != nil {
		t.Fatal(err)
	}
	loud := 0
	var peak int16
	for _, v := range rec {
		peak = max(peak, v)
		if v > 2000 || v < -2000 {
			loud++
		}
	}
	t.Logf("speaker: %d samples, peak %d, %d above 2000", len(rec), peak, loud)
	if peak < 8000 || loud < 800 {
		t.Errorf("no chime in the call's playback: peak %d, %d loud samples", peak, loud)
	}
}
