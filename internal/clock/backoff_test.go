package clock

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	b := NewBackoff(2*time.Second, 5*time.Minute)
	b.Rand = func() float64 { return 1 }
	var got []time.Duration
	for i := 0; i < 10; i++ {
		got = append(got, b.Next())
	}
	want := []time.Duration{2, 4, 8, 16, 32, 64, 128, 256, 300, 300}
	for i := range want {
		if got[i] != want[i]*time.Second {
			t.Fatalf("step %d: %v, want %v", i, got[i], want[i]*time.Second)
		}
	}
	b.Rand = func() float64 { return 0 }
	if d := b.Next(); d != 150*time.Second {
		t.Errorf("jitter floor %v, want 150s", d)
	}
	b.Reset()
	if d := b.Next(); d != time.Second {
		t.Errorf("after reset %v", d)
	}

	exact := Backoff{Base: 200 * time.Millisecond, Max: 5 * time.Second}
	var seq []time.Duration
	for range 7 {
		seq = append(seq, exact.Next())
	}
	wantExact := []time.Duration{200, 400, 800, 1600, 3200, 5000, 5000}
	for i := range wantExact {
		if seq[i] != wantExact[i]*time.Millisecond {
			t.Fatalf("without jitter, step %d: %v, want %v", i, seq[i], wantExact[i]*time.Millisecond)
		}
	}
}
