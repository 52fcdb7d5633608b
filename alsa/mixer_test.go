package alsa

import (
	"errors"
	"slices"
	"testing"
)

// fakeCtl is a mixer with a few controls as a USB headset exposes them.
type fakeCtl struct {
	cs   []Control
	vals map[int][]int
}

func newFakeCtl() *fakeCtl {
	return &fakeCtl{
		cs: []Control{
			{ID: 1, Name: "Speaker Playback Switch", Type: "boolean", Count: 1, Max: 1, Writable: true},
			{ID: 2, Name: "Speaker Playback Volume", Type: "integer", Count: 2, Min: 0, Max: 151, Writable: true},
			{ID: 3, Name: "Mic Capture Volume", Type: "integer", Count: 1, Min: -10, Max: 30, Writable: true},
			{ID: 4, Name: "Capture Switch", Type: "boolean", Count: 1, Max: 1, Writable: true},
		},
		vals: map[int][]int{1: {1}, 2: {0, 0}, 3: {0}, 4: {1}},
	}
}

func (f *fakeCtl) elems() ([]Control, error)      { return f.cs, nil }
func (f *fakeCtl) read(c Control) ([]int, error)  { return slices.Clone(f.vals[c.ID]), nil }
func (f *fakeCtl) write(c Control, v []int) error { f.vals[c.ID] = slices.Clone(v); return nil }
func (f *fakeCtl) Close() error                   { return nil }

func TestMixer(t *testing.T) {
	tests := []struct {
		name  string
		do    func(m *Mixer) error
		id    int
		want  []int
		errIs error
	}{
		{"speaker 50%", func(m *Mixer) error { return m.SetPercent("Speaker", 50) }, 2, []int{75, 75}, nil},
		{"speaker 100% by full name", func(m *Mixer) error { return m.SetPercent("Speaker Playback Volume", 100) }, 2, []int{151, 151}, nil},
		{"clamped", func(m *Mixer) error { return m.SetPercent("Speaker", 150) }, 2, []int{151, 151}, nil},
		{"mic 0% is the minimum", func(m *Mixer) error { return m.SetPercent("mic", 0) }, 3, []int{-10}, nil},
		{"mute speaker", func(m *Mixer) error { return m.SetMute("Speaker", true) }, 1, []int{0}, nil},
		{"unmute capture", func(m *Mixer) error { return m.SetMute("Capture", false) }, 4, []int{1}, nil},
		{"unknown", func(m *Mixer) error { return m.SetPercent("Headphone", 10) }, 0, nil, ErrNoControl},
		{"volume is not a switch", func(m *Mixer) error { return m.SetMute("Mic", true) }, 0, nil, ErrNoControl},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeCtl()
			m := &Mixer{c: f, card: "0"}
			err := tt.do(m)
			if tt.errIs != nil {
				if !errors.Is(err, tt.errIs) {
					t.Fatalf("err = %v, want %v", err, tt.errIs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := f.vals[tt.id]; !slices.Equal(got, tt.want) {
				t.Errorf("control %d = %v, want %v", tt.id, got, tt.want)
			}
		})
	}
	m := &Mixer{c: newFakeCtl(), card: "0"}
	m.SetPercent("Mic", 25)
	if p, err := m.Percent("Mic"); err != nil || p != 25 {
		t.Errorf("Percent(Mic) = %d, %v", p, err)
	}
}
