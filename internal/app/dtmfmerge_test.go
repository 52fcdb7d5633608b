package app

import (
	"testing"
	"time"
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
