//go:build linux

package reliability

import (
	"fmt"
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestDoorCodeBruteForce: an allowed caller guesses the DTMF door code (SIP INFO) across
// several calls. After door.max_attempts wrong codes the call is locked; a new call from that
// caller during door.lockout_for is refused even with the right code, while another allowed
// caller's right code still opens (the lockout is per caller). Once the lockout is over the
// right code opens in a fresh call. A second lockout of the same caller lasts twice as long.
func TestDoorCodeBruteForce(t *testing.T) {
	testpeer.Require(t, "sipp")
	const (
		// Calls 1 to 3 must all fall inside the first lockout: under -race beside two CPU
		// hogs, call 1 alone outlasted a 3 s one after its third wrong code.
		lockout = 6 * time.Second
		other   = "102" // a second allowed caller, the legitimate one
	)
	r := startRig(t, rigOptions{tweak: func(c *config.Config) {
		c.Door.Door.LockoutFor = lockout
		c.Door.Door.Allowed = append(c.Door.Door.Allowed, "sip:"+other+"@127.0.0.1")
		c.Door.Call.AllowFrom = append(c.Door.Call.AllowFrom, "sip:"+other+"@127.0.0.1")
	}})
	kinds := func() map[string]int { return countKinds(readEvents(t, r.events)) }
	call := func(caller, digits string, hold int) {
		t.Helper()
		if err := callDoor(t, r.sip, uacCall{Caller: caller, Digits: digits, Hold: hold}, 1); err != nil {
			t.Fatal(err)
		}
	}
	w := watchRelay(r)

	// Call 1: a sliding window makes every digit after the first a guess: #2 2# #3 are three
	// wrong codes (max_attempts = 3), everything after is ignored, including the right code.
	call(allowed, "#2#3#1#1", 200)
	locked := time.Now()
	k := kinds()
	t.Logf("call 1 (guessing): %v", k)
	if k["door-code-wrong"] != 3 || k["door-code-lockout"] != 1 || k["door-open"] != 0 {
		t.Errorf("call 1: want 3 wrong, 1 lockout, no door-open; got %v", k)
	}

	// Call 2: a fresh call from the same caller inside lockout_for with the right code is refused.
	call(allowed, "#1", 200)
	k = kinds()
	t.Logf("call 2 (right code during lockout, %.1fs after it began): %v", time.Since(locked).Seconds(), k)
	if k["door-open"] != 0 || k["door-code-refused"] != 1 {
		t.Errorf("call 2: want door-code-refused and no door-open; got %v", k)
	}
	if on, _ := w.Stop(); on > 0 {
		t.Fatalf("relay energised during the brute force")
	}

	// Call 3: another allowed caller's right code opens during the first caller's lockout.
	w = watchRelay(r)
	call(other, "#1", 300)
	waitUntil(t, 3*time.Second, "door-open logged", func() bool { return kinds()["door-open"] == 1 })
	on, _ := w.Stop()
	t.Logf("call 3 (%s, right code during %s's lockout, %.1fs after it began): relay on in %d samples",
		other, allowed, time.Since(locked).Seconds(), on)
	if on == 0 || kinds()["door-code-refused"] != 1 {
		t.Errorf("call 3: the other caller's code was refused (relay samples %d, events %v)", on, kinds())
	}

	waitUntil(t, lockout+10*time.Second, "lockout over", func() bool { return kinds()["door-code-unlocked"] == 1 })
	// Call 4: after the lockout the right code opens for the guessing caller too.
	w = watchRelay(r)
	call(allowed, "#1", 300)
	waitUntil(t, 3*time.Second, "door-open logged", func() bool { return kinds()["door-open"] == 2 })
	on, _ = w.Stop()
	t.Logf("call 4 (right code after lockout): relay on in %d samples; events %v", on, kinds())
	if on == 0 {
		t.Error("relay never energised for the right code after the lockout")
	}

	// Call 5: guessing again escalates: the second lockout lasts 2 x lockout_for.
	call(allowed, "#2#3#4", 200)
	locked = time.Now()
	var second event
	for _, e := range readEvents(t, r.events) {
		if e.kind() == "door-code-lockout" {
			second = e
		}
	}
	t.Logf("call 5 (guessing again): lockout %v", second)
	if fmt.Sprint(second["level"]) != "2" || second["for"] != (2*lockout).String() {
		t.Errorf("call 5: want a level 2 lockout for %s, got %v", 2*lockout, second)
	}
	// Call 6: past the first lockout's length the caller is still refused. It starts 200 ms
	// past lockout_for from the lockout's own time stamp, not from the end of call 5 (0.6 s
	// later at load 8): that leaves it the rest of the second lockout, lockout_for less 200 ms,
	// to be answered and send its digits on a loaded machine.
	began, err := time.Parse(time.RFC3339Nano, fmt.Sprint(second["time"]))
	if err != nil {
		t.Fatalf("call 5: the lockout's time %v: %v", second["time"], err)
	}
	time.Sleep(time.Until(began.Add(lockout + 200*time.Millisecond)))
	w = watchRelay(r)
	call(allowed, "#1", 200)
	k = kinds()
	t.Logf("call 6 (right code, ended %.1fs into the second lockout): %v", time.Since(began).Seconds(), k)
	if k["door-code-refused"] != 2 || k["door-open"] != 2 {
		t.Errorf("call 6: want a second door-code-refused and no new door-open; got %v", k)
	}
	if on, _ := w.Stop(); on > 0 {
		t.Fatalf("relay energised during the second lockout")
	}
	waitUntil(t, 2*lockout+10*time.Second, "second lockout over", func() bool { return kinds()["door-code-unlocked"] == 2 })
	t.Logf("second lockout over %.1fs after call 5 ended", time.Since(locked).Seconds())
}
