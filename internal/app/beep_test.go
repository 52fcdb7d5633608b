package app

import (
	"testing"

	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/media"
)

// card stands for a capture device paced by a sound card: it has no ClockPaced method.
type card struct{ media.Capture }

// TestBeepCaptureClockPaced: the beep wrapper must not hide whether the microphone is a card,
// or a software source's loop would take SCHED_FIFO for nothing (and a card's would lose it).
func TestBeepCaptureClockPaced(t *testing.T) {
	tone := media.NewSilence(media.Format{Rate: 8000, Channels: 1}, clock.Real{})
	if !media.ClockPaced(newBeepCapture(tone)) {
		t.Error("beep over a software source: ClockPaced false")
	}
	if media.ClockPaced(newBeepCapture(card{tone})) {
		t.Error("beep over a card: ClockPaced true")
	}
}
