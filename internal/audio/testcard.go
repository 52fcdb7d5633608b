package audio

import (
	"sync/atomic"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/media"
)

// voiceDevices returns the devices the hands-free chain wraps: both sound cards, or with testToo
// both test devices (tone, file, silence, null) standing in for cards. A card on one side and
// a test device on the other get no processing: the reference or the microphone would not be
// what the canceller models.
func voiceDevices(c media.Capture, p media.Playback, testToo bool) (captureCard, playbackCard, bool) {
	ch, okc := c.(*hwDevice)
	ph, okp := p.(*hwDevice)
	switch {
	case okc && okp:
		return ch, ph, true
	case testToo && !okc && !okp:
		return testCapture{c}, &testPlayback{Playback: p}, true
	}
	return nil, nil, false
}

// testCapture and testPlayback let a test device stand in for a sound card: no queue, no
// xruns, always there, running from the first transfer; the playback counts the frames it
// took as a card's application pointer. Their pacing is the device's own.
type testCapture struct{ media.Capture }

func (testCapture) status() (alsa.Status, int, bool) { return alsa.Status{Running: true}, 0, true }

func (testCapture) Delay() (time.Duration, error) { return 0, nil }
func (testCapture) Xruns() int                    { return 0 }
func (testCapture) hasPCM() bool                  { return true }
func (testCapture) sharesClock(card) bool         { return false }
func (t testCapture) ClockPaced() bool            { return media.ClockPaced(t.Capture) }

type testPlayback struct {
	media.Playback
	frames atomic.Uint64 // read by the capture loop's alignment
}

func (t *testPlayback) Write(buf []int16) (int, error) {
	n, err := t.Playback.Write(buf)
	if n > 0 {
		t.frames.Add(uint64(n))
	}
	return n, err
}

func (t *testPlayback) status() (alsa.Status, int, bool) {
	return alsa.Status{Running: true, Appl: t.frames.Load()}, 1 << 30, true
}

func (*testPlayback) Delay() (time.Duration, error) { return 0, nil }
func (*testPlayback) Xruns() int                    { return 0 }
func (*testPlayback) hasPCM() bool                  { return true }
func (*testPlayback) sharesClock(card) bool         { return false }
func (t *testPlayback) ClockPaced() bool            { return media.ClockPaced(t.Playback) }
