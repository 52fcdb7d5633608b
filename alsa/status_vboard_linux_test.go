//go:build linux && (386 || amd64 || arm || arm64 || riscv64 || loong64)

package alsa_test

import (
	"sync/atomic"
	"testing"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
)

// TestVboardStatus: the STATUS ioctl's layout on the real kernel (the pointers and the delay
// land where the binding reads them), and that it answers while another goroutine is
// blocked in Write, the application pointer moving as the kernel takes the frames.
func TestVboardStatus(t *testing.T) {
	alsatest.NeedVboard(t)
	play, err := alsa.OpenPCM("hw:Loopback,0", alsa.Playback, alsa.Params{Rate: 8000, Channels: 1, PeriodFrames: 160, Periods: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer play.Close()
	rec, err := alsa.OpenPCM("hw:Loopback,1", alsa.Capture, alsa.Params{Rate: 8000, Channels: 1, PeriodFrames: 160, Periods: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	if st, err := play.Status(); err != nil || st.Running || st.Appl != 0 {
		t.Fatalf("prepared playback: %+v, %v; want not running, appl 0", st, err)
	}
	if _, err := play.Write(make([]int16, 480)); err != nil {
		t.Fatal(err)
	}
	st, err := play.Status()
	if err != nil {
		t.Fatal(err)
	}
	// One snapshot: delay = appl - hw exactly on aloop (no FIFO), at most the 480 written.
	if !st.Running || st.Appl != 480 || st.Delay != int(st.Appl-st.HW) || st.Delay > 480 || st.Delay < 0 {
		t.Fatalf("after writing 480 frames: %+v", st)
	}
	// The hands-free alignment asks for it three times a block: the media path allocates nothing.
	if a := testing.AllocsPerRun(20, func() { play.Status() }); a != 0 {
		t.Errorf("Status allocates %v per call", a)
	}
	buf := make([]int16, 160)
	if _, err := rec.Read(buf); err != nil {
		t.Fatal(err)
	}
	cs, err := rec.Status()
	if err != nil {
		t.Fatal(err)
	}
	if !cs.Running || cs.Appl != 160 || cs.Delay != int(cs.HW-cs.Appl) || cs.Delay < 0 {
		t.Fatalf("capture after reading 160 frames: %+v", cs)
	}

	// A write of 2 s into a 80 ms buffer blocks; Status must answer meanwhile, and the
	// application pointer advances as the kernel takes the frames.
	var done atomic.Bool
	werr := make(chan error, 1)
	go func() {
		_, err := play.Write(make([]int16, 16000))
		done.Store(true)
		werr <- err
	}()
	drain := make([]int16, 800)
	first, err := play.Status()
	if err != nil {
		t.Fatal(err)
	}
	var last alsa.Status
	for range 5 { // 0.5 s of capture: the loopback runs on
		if _, err := rec.Read(drain); err != nil {
			t.Fatal(err)
		}
		if last, err = play.Status(); err != nil {
			t.Fatal(err)
		}
	}
	if done.Load() {
		t.Fatal("the 2 s write finished within 0.5 s of capture: the test proves nothing")
	}
	if last.Appl <= first.Appl {
		t.Errorf("application pointer did not move while Write was blocked: %d then %d", first.Appl, last.Appl)
	}
	play.Close()
	<-werr
	t.Logf("playback %+v; capture %+v; during the blocked write %d -> %d", st, cs, first.Appl, last.Appl)
}
