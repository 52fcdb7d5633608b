package media

import (
	"sync"
	"sync/atomic"
)

// toneSink is a Playback (a Null underneath, still clock-paced) that tells a test when the
// 1 kHz tone reaches the output after a point the test marks: B's RecvLevel is the level of
// the last frame B decoded, and right after in-band digits that frame is still a digit
// (about -10.5 dBFS) for as long as B's jitter buffer holds them, which grows with the load.
type toneSink struct {
	Playback
	armed atomic.Bool
	once  sync.Once
	heard chan struct{}
}

func newToneSink(p Playback) *toneSink { return &toneSink{Playback: p, heard: make(chan struct{})} }

// ClockPaced passes the Null's pacing on, so the session runs its playout as it would.
func (s *toneSink) ClockPaced() bool { return ClockPaced(s.Playback) }

// arm starts watching; Heard is closed at the first tone frame written from then on.
func (s *toneSink) arm() { s.armed.Store(true) }

func (s *toneSink) Heard() <-chan struct{} { return s.heard }

func (s *toneSink) Write(frames []int16) (int, error) {
	if s.armed.Load() && isTone(frames, s.Format(), 1000) {
		s.once.Do(func() { close(s.heard) })
	}
	return s.Playback.Write(frames)
}

// isTone reports whether most of the first channel's energy is at hz: a frame of the test's
// tone, not a DTMF pair (whose nearest frequency, 941 Hz, leaks little into 1 kHz), not
// silence.
func isTone(frames []int16, f Format, hz float64) bool {
	ch := make([]int16, 0, len(frames)/f.Channels)
	for i := 0; i < len(frames); i += f.Channels {
		ch = append(ch, frames[i])
	}
	lvl := Level(ch)
	if lvl <= LevelFloor+1 {
		return false
	}
	// toneDB gives a full-scale sine 0 dB, Level gives it -3.01 dBFS.
	return toneDB(ch, f.Rate, hz) > lvl+3.01-3
}
