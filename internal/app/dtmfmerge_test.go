package app

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

func TestDTMFMerge(t *testing.T) {
	type in struct {
		digit rune
		path  dtmfPath
		at    int // ms
	}
	tests := []struct {
		name string
		seq  []in
		want string
	}{
		{"one path, repeated key", []in{{'1', dtmfEvent, 0}, {'1', dtmfEvent, 150}, {'#', dtmfEvent, 300}}, "11#"},
		{"INFO and RFC 4733", []in{{'#', dtmfINFO, 0}, {'#', dtmfEvent, 40}, {'1', dtmfEvent, 300}, {'1', dtmfINFO, 380}}, "#1"},
		{"events leaking tones", []in{{'#', dtmfEvent, 0}, {'#', dtmfInBand, 60}, {'1', dtmfEvent, 200}, {'1', dtmfInBand, 260}}, "#1"},
		{"all three paths", []in{{'5', dtmfInBand, 0}, {'5', dtmfEvent, 10}, {'5', dtmfINFO, 200}}, "5"},
		{"repeated key by two paths", []in{{'1', dtmfINFO, 0}, {'1', dtmfEvent, 20}, {'1', dtmfINFO, 250}, {'1', dtmfEvent, 270}}, "11"},
		{"other path too late", []in{{'1', dtmfINFO, 0}, {'1', dtmfEvent, 800}}, "11"},
		{"different digits never merge", []in{{'1', dtmfINFO, 0}, {'2', dtmfEvent, 10}}, "12"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m dtmfMerge
			t0 := time.Unix(1e9, 0)
			var got []rune
			for _, x := range tt.seq {
				if m.accept(x.digit, x.path, t0.Add(time.Duration(x.at)*time.Millisecond)) {
					got = append(got, x.digit)
				}
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", string(got), tt.want)
			}
		})
	}
}

// TestDTMFMergeByArrival: one press by INFO and in-band, 100 ms apart on arrival, stays one
// press though its two consumers read the events 900 ms apart (a loaded machine); an event
// without a time falls back to the reading time.
func TestDTMFMergeByArrival(t *testing.T) {
	t0 := time.Unix(1000, 0)
	clk := clock.NewFake(t0.Add(900 * time.Millisecond))
	var m dtmfMerge
	if !m.accept('1', dtmfINFO, arrivedAt(t0, clk)) {
		t.Fatal("the INFO digit is a new press")
	}
	if m.accept('1', dtmfInBand, arrivedAt(t0.Add(100*time.Millisecond), clk)) {
		t.Error("the same press in-band, read 900 ms later, counted again")
	}
	if got := arrivedAt(time.Time{}, clk); !got.Equal(clk.Now()) {
		t.Errorf("no time: %v, want now %v", got, clk.Now())
	}
}
