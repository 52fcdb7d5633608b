package app

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/doorsip/intercom/internal/audio"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
	"github.com/doorsip/intercom/media"
)

// feedback plays what the visitor should hear of a call on the door's own speaker: ringback
// while it rings, busy, nobody answering, a failure, the door chime, a tone at the end. While
// a call's media runs the sound is mixed into that call's playback (promptMixer), so the
// hands-free canceller has it in its reference; otherwise it opens the playback device for
// the length of the sound and closes it again before a call needs the card.
type feedback struct {
	log *slog.Logger
	// open opens the speaker for a sound played outside a call; tests record with it.
	open func() (media.Playback, error)

	mu      sync.Mutex
	prompts *media.Prompts
	inCall  int          // calls whose media own the speaker
	mixer   *promptMixer // that call's mixer, once its devices are open
	solo    *soloPlay    // a sound playing outside a call
	failed  int          // the last failed leg's SIP code while a ring group runs
	wg      sync.WaitGroup
}

func newFeedback(p *media.Prompts, log *slog.Logger, open func() (media.Playback, error)) *feedback {
	return &feedback{prompts: p, log: log, open: open}
}

// openSpeaker opens the [audio] playback device alone (no hands-free processing: with no
// call up there is no far end to protect from echo).
func openSpeaker(p *phone) func() (media.Playback, error) {
	return func() (media.Playback, error) {
		_, ac := p.settings()
		return audio.OpenPlayback(ac, audio.Options{Logger: p.log, Clock: p.clk, OpenPCM: p.openPCM})
	}
}

func (f *feedback) setPrompts(p *media.Prompts) {
	f.mu.Lock()
	f.prompts = p
	f.mu.Unlock()
}

// run follows the door's event log until ctx ends and plays what each entry calls for.
func (f *feedback) run(ctx context.Context, log *eventlog.Log) {
	entries, cancel := log.Subscribe()
	defer cancel()
	defer f.stopSolo()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-entries:
			if !ok {
				return
			}
			f.entry(e)
		}
	}
}

// entry maps one event-log entry onto a sound.
func (f *feedback) entry(e eventlog.Entry) {
	switch e.Kind {
	case door.EventRinging:
		f.play(media.FeedbackRingback)
	case door.EventRingGroup:
		f.mu.Lock()
		f.failed = 0
		f.mu.Unlock()
	case door.EventAnswered, door.EventCancelled, door.EventIncoming:
		f.stop()
	case door.EventCallFailed:
		code, _ := strconv.Atoi(e.String("code"))
		f.mu.Lock()
		if code != 0 && f.failed != 486 && f.failed != 600 {
			f.failed = code // busy anywhere in the group wins: someone is there
		}
		f.mu.Unlock()
	case door.EventNoAnswer:
		if _, out := e.Get("targets"); !out {
			break // an incoming call nobody at the door answered: the visitor did not call
		}
		f.mu.Lock()
		code := f.failed
		f.failed = 0
		f.mu.Unlock()
		switch {
		case e.String("reason") == "ring timeout":
			f.play(media.FeedbackNoAnswer)
		case code == 486 || code == 600:
			f.play(media.FeedbackBusy)
		case code >= 400 && code != 487 && code != 480:
			f.play(media.FeedbackFailed)
		case code == 0:
			f.play(media.FeedbackFailed) // no leg could be placed at all
		default:
			f.play(media.FeedbackNoAnswer)
		}
	case door.EventCallEnded:
		f.play(media.FeedbackCallEnd)
	case door.EventDoorOpen:
		f.play(media.FeedbackDoorOpen)
	}
}

// play starts kind k, replacing whatever sound plays.
func (f *feedback) play(k media.FeedbackKind) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.prompts.Has(k) {
		if k != media.FeedbackRingback {
			f.stopSoloLocked()
		}
		return
	}
	if f.inCall > 0 {
		// A call with media has its own progress: the far end's ringback or announcement
		// plays, not ours on top of it.
		if f.mixer != nil && k != media.FeedbackRingback {
			f.mixer.play(f.prompts.Render(k, f.mixer.Format()), k.Loops())
		}
		return
	}
	f.stopSoloLocked()
	dev, err := f.open()
	if err != nil {
		f.log.Warn("feedback: speaker", "sound", k.String(), "err", err)
		return
	}
	samples := f.prompts.Render(k, dev.Format())
	if len(samples) == 0 {
		dev.Close()
		return
	}
	s := &soloPlay{dev: dev, samples: samples, loop: k.Loops(), stop: make(chan struct{}), done: make(chan struct{})}
	f.solo = s
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		s.run()
	}()
}

// stop ends a sound in progress (ringback once the call is answered or given up).
func (f *feedback) stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.mixer != nil {
		f.mixer.play(nil, false)
	}
	f.stopSoloLocked()
}

func (f *feedback) stopSolo() {
	f.mu.Lock()
	f.stopSoloLocked()
	f.mu.Unlock()
	f.wg.Wait()
}

// stopSoloLocked ends the sound played outside a call and waits for its device to close:
// a card opened for it is exclusive, and a call may be about to open it.
func (f *feedback) stopSoloLocked() {
	if s := f.solo; s != nil {
		f.solo = nil
		close(s.stop)
		<-s.done
	}
}

// callStarts hands the speaker to a call's media: any sound outside the call ends first.
func (f *feedback) callStarts() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stopSoloLocked()
	f.inCall++
}

// attach wraps the call's playback so later sounds mix into it.
func (f *feedback) attach(pl media.Playback) *promptMixer {
	m := &promptMixer{Playback: pl}
	f.mu.Lock()
	f.mixer = m
	f.mu.Unlock()
	return m
}

// callEnds gives the speaker back once the call's devices are closed.
func (f *feedback) callEnds(m *promptMixer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m != nil && f.mixer == m {
		f.mixer = nil
	}
	f.inCall = max(f.inCall-1, 0)
}

// soloPlay writes one sound to a speaker opened for it, in 20 ms blocks, then closes it.
type soloPlay struct {
	dev     media.Playback
	samples []int16
	loop    bool
	stop    chan struct{}
	done    chan struct{}
}

func (s *soloPlay) run() {
	defer close(s.done)
	defer s.dev.Close()
	f := s.dev.Format()
	block := max(f.Rate/50, 1) * max(f.Channels, 1)
	for pos := 0; ; {
		select {
		case <-s.stop:
			return
		default:
		}
		if pos >= len(s.samples) {
			if !s.loop {
				return
			}
			pos = 0
		}
		end := min(pos+block, len(s.samples))
		if _, err := s.dev.Write(s.samples[pos:end]); err != nil {
			return
		}
		pos = end
	}
}

// promptMixer sits between a call's media session and its playback device and adds the
// feedback sound to what the session writes.
type promptMixer struct {
	media.Playback
	next atomic.Pointer[mixerSound] // handed over by play, taken by Write

	// Owned by the media loop that calls Write.
	cur *mixerSound
	pos int
}

type mixerSound struct {
	samples []int16 // device format
	loop    bool
}

// play replaces the sound; nil samples stop it.
func (m *promptMixer) play(samples []int16, loop bool) {
	m.next.Store(&mixerSound{samples: samples, loop: loop})
}

// Paced and ClockPaced pass on what the wrapped device says: the session asks both.
func (m *promptMixer) Paced() bool {
	if p, ok := m.Playback.(interface{ Paced() bool }); ok {
		return p.Paced()
	}
	return true
}

func (m *promptMixer) ClockPaced() bool { return media.ClockPaced(m.Playback) }

func (m *promptMixer) Write(frames []int16) (int, error) {
	if s := m.next.Swap(nil); s != nil {
		m.cur, m.pos = s, 0
	}
	if c := m.cur; c != nil {
		for i := range frames {
			if m.pos >= len(c.samples) {
				if !c.loop || len(c.samples) == 0 {
					m.cur = nil
					break
				}
				m.pos = 0
			}
			v := int32(frames[i]) + int32(c.samples[m.pos])
			frames[i] = int16(max(-32768, min(32767, v)))
			m.pos++
		}
	}
	return m.Playback.Write(frames)
}
