package media

import (
	"errors"
	"math"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

func waitTimers(t *testing.T, fk *clock.Fake, n int) {
	t.Helper()
	for i := 0; fk.Timers() < n; i++ {
		if i > 1e6 {
			t.Fatalf("timer never armed")
		}
		runtime.Gosched()
	}
}

func TestDevicePacing(t *testing.T) {
	f := Format{Rate: 8000, Channels: 1}
	tests := []struct {
		name string
		op   func(clk clock.Clock) (func() error, func() error)
	}{
		{"tone", func(clk clock.Clock) (func() error, func() error) {
			d := NewTone(440, f, clk)
			buf := make([]int16, 160)
			return func() error { _, err := d.Read(buf); return err }, d.Close
		}},
		{"silence", func(clk clock.Clock) (func() error, func() error) {
			d := NewSilence(f, clk)
			buf := make([]int16, 160)
			return func() error { _, err := d.Read(buf); return err }, d.Close
		}},
		{"null", func(clk clock.Clock) (func() error, func() error) {
			d := NewNull(f, clk)
			buf := make([]int16, 160)
			return func() error { _, err := d.Write(buf); return err }, d.Close
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fk := clock.NewFake(time.Unix(1000, 0))
			op, closeFn := tc.op(fk)
			for i := 0; i < 3; i++ {
				done := make(chan error, 1)
				go func() { done <- op() }()
				waitTimers(t, fk, 1)
				select {
				case <-done:
					t.Fatalf("period %d returned before the clock moved", i)
				default:
				}
				fk.Advance(19 * time.Millisecond)
				select {
				case <-done:
					t.Fatalf("period %d returned 1 ms early", i)
				default:
				}
				fk.Advance(time.Millisecond)
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			}
			// Close unblocks a pending call.
			done := make(chan error, 1)
			go func() { done <- op() }()
			waitTimers(t, fk, 1)
			closeFn()
			if err := <-done; !errors.Is(err, ErrClosed) {
				t.Fatalf("after Close: %v, want ErrClosed", err)
			}
			if err := closeFn(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
		})
	}
}

func TestToneLevelAndChannels(t *testing.T) {
	tests := []struct {
		hz   int
		f    Format
		want float64
	}{
		{1000, Format{8000, 1}, -9.03},
		{440, Format{48000, 2}, -9.03},
		{0, Format{16000, 1}, LevelFloor},
	}
	for _, tc := range tests {
		fk := clock.NewFake(time.Unix(0, 0))
		d := NewTone(tc.hz, tc.f, fk)
		buf := make([]int16, tc.f.Rate/10*tc.f.Channels) // 100 ms
		go func() { waitTimers(t, fk, 1); fk.Advance(time.Second) }()
		if _, err := d.Read(buf); err != nil {
			t.Fatal(err)
		}
		if got := Level(buf); math.Abs(got-tc.want) > 0.2 {
			t.Errorf("%d Hz %v: level %.2f dBFS, want %.2f", tc.hz, tc.f, got, tc.want)
		}
		if tc.f.Channels == 2 {
			for i := 0; i < len(buf); i += 2 {
				if buf[i] != buf[i+1] {
					t.Fatalf("channels differ at frame %d", i/2)
				}
			}
		}
	}
}

func TestBadFormat(t *testing.T) {
	d := NewTone(440, Format{Rate: 0, Channels: 1}, clock.Real{})
	if _, err := d.Read(make([]int16, 10)); !errors.Is(err, ErrFormat) {
		t.Fatalf("got %v, want ErrFormat", err)
	}
	if _, err := CreateWAV(filepath.Join(t.TempDir(), "x.wav"), Format{8000, 3}); !errors.Is(err, ErrFormat) {
		t.Fatalf("got %v, want ErrFormat", err)
	}
}

func TestWAVRoundTrip(t *testing.T) {
	for _, f := range []Format{{8000, 1}, {48000, 2}} {
		path := filepath.Join(t.TempDir(), "rec.wav")
		p, err := CreateWAV(path, f)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]int16, 30*f.Channels)
		for i := range want {
			want[i] = int16(i*1000 - 12000)
		}
		if _, err := p.Write(want); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Fatalf("second close: %v", err)
		}
		fk := clock.NewFake(time.Unix(0, 0))
		c, err := OpenWAV(path, fk)
		if err != nil {
			t.Fatal(err)
		}
		if c.Format() != f {
			t.Fatalf("format %v, want %v", c.Format(), f)
		}
		// Read 1.5 times the file: it loops.
		got := make([]int16, 45*f.Channels)
		go func() { waitTimers(t, fk, 1); fk.Advance(time.Second) }()
		if _, err := c.Read(got); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i] != want[i%len(want)] {
				t.Fatalf("%v sample %d = %d, want %d", f, i, got[i], want[i%len(want)])
			}
		}
		c.Close()
	}
}

func TestParseWAVErrors(t *testing.T) {
	good := wavHeader(Format{8000, 1}, 4)
	good = append(good, 1, 0, 2, 0)
	tests := []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"good", good, true},
		{"empty", nil, false},
		{"not riff", append([]byte("RIFX"), good[4:]...), false},
		{"8 bit", func() []byte { b := append([]byte(nil), good...); b[34] = 8; return b }(), false},
		{"no data", good[:36], false},
		{"data too long is truncated", func() []byte { b := append([]byte(nil), good...); b[40] = 200; return b }(), true},
	}
	for _, tc := range tests {
		_, _, err := ParseWAV(tc.b)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err=%v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrWAV) {
			t.Errorf("%s: %v is not ErrWAV", tc.name, err)
		}
	}
}

func FuzzParseWAV(f *testing.F) {
	good := append(wavHeader(Format{8000, 1}, 4), 1, 0, 2, 0)
	f.Add(good)
	f.Add(append(wavHeader(Format{48000, 2}, 8), make([]byte, 8)...))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fm, s, err := ParseWAV(b)
		if err != nil {
			return
		}
		if fm.check() != nil || len(s) == 0 || len(s)%fm.Channels != 0 || len(s) > len(b)/2 {
			t.Fatalf("accepted %v with %d samples from %d bytes", fm, len(s), len(b))
		}
	})
}
