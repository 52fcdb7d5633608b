//go:build linux && (386 || amd64 || arm || arm64 || riscv64 || loong64)

package alsa_test

// Real-kernel tests against snd-aloop. They run only inside the virtual board
// (hwtest/vboard/run.sh ARCH --scenario tests), which sets INTERCOM_VBOARD=1 and loads
// snd-aloop as two cards "Loopback" and "Speaker" with one substream each:
// what is played on hw:Loopback,0 is captured on hw:Loopback,1.
//
// Environment:
//   INTERCOM_VBOARD=1            run at all (and /dev/snd must exist)
//   INTERCOM_VBOARD_MODDIR=DIR   directory holding snd-aloop.ko, for the unplug test's
//                                rmmod/insmod; without it the card is rebound through sysfs
//   INTERCOM_VBOARD_ALOOP_ARGS   insmod arguments to restore the board's cards (default
//                                "enable=1,1 pcm_substreams=1,1 id=Loopback,Speaker")
//
// These tests sleep on purpose: an xrun is made by not servicing the card for a while, and the
// card's clock, not a fake one, is what is being tested.

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
)

// pattern is a maximal-length LFSR sequence: never zero, so silence cannot fake a match.
func pattern(n int) []int16 {
	out := make([]int16, n)
	s := uint16(0xACE1)
	for i := range out {
		bit := (s ^ s>>2 ^ s>>3 ^ s>>5) & 1
		s = s>>1 | bit<<15
		out[i] = int16(s)
	}
	return out
}

func TestVboardLoopbackBitExact(t *testing.T) {
	alsatest.NeedVboard(t)
	for _, want := range []alsa.Params{{}, {Rate: 48000, Channels: 2, PeriodFrames: 960, Periods: 4}} {
		// An xrun (the TCG guest on a busy host can miss a period) drops audio by design;
		// bit-exactness is only judged on a run without one.
		for attempt := 1; ; attempt++ {
			xruns, err := loopbackOnce(t, want)
			if err == nil {
				break
			}
			if xruns == 0 || attempt == 3 {
				t.Fatalf("%+v: %v (xruns %d, attempt %d)", want, err, xruns, attempt)
			}
			t.Logf("%+v: %v after %d xruns; again", want, err, xruns)
		}
	}
}

// loopbackOnce plays a pattern on hw:Loopback,0 and checks it arrives on hw:Loopback,1.
func loopbackOnce(t *testing.T, want alsa.Params) (xruns int, _ error) {
	{
		play, err := alsa.OpenPCM("hw:Loopback,0", alsa.Playback, want)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := alsa.OpenPCM("hw:Loopback,1", alsa.Capture, play.Params())
		if err != nil {
			play.Close()
			t.Fatal(err)
		}
		p := play.Params()
		if rec.Params() != p {
			t.Errorf("capture params %+v differ from playback %+v", rec.Params(), p)
		}
		t.Logf("params %+v", p)
		period := p.PeriodFrames * p.Channels
		pat := pattern(p.Rate / 2 * p.Channels) // half a second
		// Read until the playback has drained, plus a few periods: how long the playback
		// takes to start depends on the scheduling of a TCG guest on a busy host.
		got := make([]int16, 0, len(pat)+16*period)
		var drained atomic.Bool
		var wg sync.WaitGroup
		var rerr error
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]int16, period)
			// The capture side may still hold a whole buffer (p.Periods periods) the
			// playback already played when the drain returns, and the guest may schedule
			// this goroutine late: read that much again, with slack, after the drain.
			after := 0
			for after < 2*p.Periods+4 && len(got) < 20*len(pat) {
				if drained.Load() {
					after++
				}
				n, err := rec.Read(buf)
				if err != nil {
					rerr = err
					return
				}
				got = append(got, buf[:n*p.Channels]...)
			}
		}()
		// Pad with two periods of silence before draining: aloop loses the tail otherwise.
		for _, chunk := range [][]int16{make([]int16, period), pat, make([]int16, 2*period)} {
			if _, err := play.Write(chunk); err != nil {
				t.Fatal(err)
			}
		}
		if err := play.Drain(); err != nil {
			t.Fatal(err)
		}
		drained.Store(true)
		wg.Wait()
		play.Close()
		rec.Close()
		xruns = play.Xruns() + rec.Xruns()
		if rerr != nil {
			t.Fatal(rerr)
		}
		start := -1
		for i := 0; i+len(pat) <= len(got); i++ {
			if got[i] == pat[0] && got[i+1] == pat[1] {
				start = i
				break
			}
		}
		if start < 0 {
			return xruns, fmt.Errorf("pattern not found in %d captured samples", len(got))
		}
		for i := range pat {
			if got[start+i] != pat[i] {
				return xruns, fmt.Errorf("sample %d differs: %d, want %d", i, got[start+i], pat[i])
			}
		}
		t.Logf("%+v: %d samples bit-exact after %d frames of lead-in, xruns %d/%d",
			p, len(pat), start/p.Channels, play.Xruns(), rec.Xruns())
		return xruns, nil
	}
}

func TestVboardXrunRecovers(t *testing.T) {
	alsatest.NeedVboard(t)
	rec, err := alsa.OpenPCM("hw:Loopback,1", alsa.Capture, alsa.Params{})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	buf := make([]int16, rec.Params().PeriodFrames*rec.Params().Channels)
	for range 3 {
		if _, err := rec.Read(buf); err != nil {
			t.Fatal(err)
		}
	}
	waitXrun(t, rec) // nobody reads: the 80 ms buffer overruns
	for range 5 {
		if _, err := rec.Read(buf); err != nil {
			t.Fatalf("read after overrun: %v", err)
		}
	}
	if rec.Xruns() < 1 {
		t.Errorf("capture: no overrun counted after 100 ms without reading")
	}

	play, err := alsa.OpenPCM("hw:Speaker,0", alsa.Playback, alsa.Params{})
	if err != nil {
		t.Fatal(err)
	}
	defer play.Close()
	out := make([]int16, play.Params().PeriodFrames*play.Params().Channels)
	for range 4 {
		if _, err := play.Write(out); err != nil {
			t.Fatal(err)
		}
	}
	waitXrun(t, play) // nobody writes: the 4 queued periods run dry
	for range 4 {
		if _, err := play.Write(out); err != nil {
			t.Fatalf("write after underrun: %v", err)
		}
	}
	if play.Xruns() < 1 {
		t.Errorf("playback: no underrun counted after 100 ms without writing")
	}
	t.Logf("xruns: capture %d, playback %d", rec.Xruns(), play.Xruns())
}

// waitXrun waits until the kernel reports the stream in xrun (DELAY fails with EPIPE; it also
// makes aloop bring its position up to date). A fixed sleep longer than the buffer was not
// enough on a TCG guest of a loaded host: the sleep could end before the card's timer ran.
func waitXrun(t *testing.T, p *alsa.PCM) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := p.Delay()
		if errors.Is(err, alsa.ErrXrun) {
			return
		}
		if err != nil {
			t.Fatalf("delay while waiting for an xrun: %v", err)
		}
		if time.Now().After(deadline) {
			t.Fatal("no xrun within 10 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestVboardUnplugAndReturn(t *testing.T) {
	alsatest.NeedVboard(t)
	const card = "Speaker"
	play, err := alsa.OpenPCM("hw:"+card+",0", alsa.Playback, alsa.Params{})
	if err != nil {
		t.Fatal(err)
	}
	defer play.Close()
	buf := make([]int16, play.Params().PeriodFrames*play.Params().Channels)
	if _, err := play.Write(buf); err != nil {
		t.Fatal(err)
	}
	moddir := os.Getenv("INTERCOM_VBOARD_MODDIR")
	args := os.Getenv("INTERCOM_VBOARD_ALOOP_ARGS")
	if args == "" {
		args = "enable=1,1 pcm_substreams=1,1 id=Loopback,Speaker"
	}
	restore := func() {
		if _, err := os.Stat("/proc/asound/" + card); err == nil {
			return
		}
		if moddir != "" {
			exec.Command("rmmod", "snd_aloop").Run()
			cmd := append([]string{filepath.Join(moddir, "snd-aloop.ko")}, strings.Fields(args)...)
			if out, err := exec.Command("insmod", cmd...).CombinedOutput(); err != nil {
				t.Errorf("insmod snd-aloop: %v: %s", err, out)
			}
			return
		}
		bindAll(t)
	}
	defer restore()

	// rmmod fails while a PCM is open (the card holds a module reference), so take the card
	// away as a USB unplug does: unbind the driver (snd_card_disconnect). The write to
	// unbind blocks until our fd is closed, hence the goroutine.
	var wg sync.WaitGroup
	wg.Add(1)
	unbindErr := make(chan error, 1)
	go func() {
		defer wg.Done()
		unbindErr <- unbindCard(card)
	}()
	var werr error
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, werr = play.Write(buf); werr != nil {
			break
		}
	}
	if !errors.Is(werr, alsa.ErrDeviceGone) {
		t.Fatalf("write while unplugged: %v, want ErrDeviceGone", werr)
	}
	play.Close()
	wg.Wait()
	if err := <-unbindErr; err != nil {
		t.Fatal(err)
	}
	if _, err := alsa.OpenPCM("hw:"+card+",0", alsa.Playback, alsa.Params{}); err == nil {
		t.Fatal("open succeeded while the card is gone")
	} else {
		t.Logf("open while gone: %v", err)
	}
	if moddir != "" {
		// With the device closed the module is idle: the rmmod/insmod cycle must work.
		if out, err := exec.Command("rmmod", "snd_aloop").CombinedOutput(); err != nil {
			t.Fatalf("rmmod snd_aloop: %v: %s", err, out)
		}
	}
	restore()
	again, err := alsa.OpenPCM("hw:"+card+",0", alsa.Playback, alsa.Params{})
	if err != nil {
		t.Fatalf("reopen after the card came back: %v", err)
	}
	defer again.Close()
	if _, err := again.Write(buf); err != nil {
		t.Fatalf("write after reopen: %v", err)
	}
}

// unbindCard detaches the snd_aloop platform device behind card.
func unbindCard(card string) error {
	link, err := filepath.EvalSymlinks("/sys/class/sound/card" + cardIndex(card) + "/device")
	if err != nil {
		return err
	}
	return os.WriteFile("/sys/bus/platform/drivers/snd_aloop/unbind", []byte(filepath.Base(link)), 0)
}

func bindAll(t *testing.T) {
	devs, _ := filepath.Glob("/sys/bus/platform/devices/snd_aloop.*")
	for _, d := range devs {
		if _, err := os.Stat(filepath.Join(d, "driver")); err == nil {
			continue
		}
		if err := os.WriteFile("/sys/bus/platform/drivers/snd_aloop/bind", []byte(filepath.Base(d)), 0); err != nil {
			t.Errorf("bind %s: %v", d, err)
		}
	}
}

func cardIndex(id string) string {
	cards, err := alsa.Cards()
	if err == nil {
		for _, c := range cards {
			if c.ID == id {
				return strconv.Itoa(c.Index)
			}
		}
	}
	return id
}

func TestVboardMixer(t *testing.T) {
	alsatest.NeedVboard(t)
	m, err := alsa.OpenMixer("Loopback")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	cs, err := m.Controls()
	if err != nil || len(cs) == 0 {
		t.Fatalf("Controls() = %d controls, %v", len(cs), err)
	}
	// snd-aloop's only writable integer control; put it back to 100000 (no shift) after.
	const name = "PCM Rate Shift 100000"
	if err := m.SetPercent(name, 25); err != nil {
		t.Fatal(err)
	}
	defer m.SetPercent(name, 50)
	if p, err := m.Percent(name); err != nil || p != 25 {
		t.Errorf("Percent = %d, %v; want 25", p, err)
	}
	for _, c := range cs {
		t.Logf("control %d %q %s x%d [%d..%d]", c.ID, c.Name, c.Type, c.Count, c.Min, c.Max)
	}
}

func TestVboardReadDoesNotAllocate(t *testing.T) {
	alsatest.NeedVboard(t)
	rec, err := alsa.OpenPCM("hw:Loopback,1", alsa.Capture, alsa.Params{PeriodFrames: 80, Periods: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	buf := make([]int16, rec.Params().PeriodFrames*rec.Params().Channels)
	if a := testing.AllocsPerRun(20, func() {
		if _, err := rec.Read(buf); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("Read on a real device allocates %v per call", a)
	}
}

func TestVboardBusyFailsFast(t *testing.T) {
	alsatest.NeedVboard(t)
	first, err := alsa.OpenPCM("hw:Loopback,0", alsa.Playback, alsa.Params{})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	start := time.Now()
	_, err = alsa.OpenPCM("hw:Loopback,0", alsa.Playback, alsa.Params{})
	if !errors.Is(err, alsa.ErrBusy) {
		t.Fatalf("second open: %v, want ErrBusy", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("busy open took %v: it must not block", el)
	}
	caps, err := alsa.Probe("hw:Loopback,1", alsa.Capture)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("aloop capture caps: %+v", caps)
}
