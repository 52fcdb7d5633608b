package reliability

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestDoorCodeBruteForce: an allowed caller guesses the DTMF door code (SIP INFO) across
// several calls. After door.max_attempts wrong codes the call is locked; a new call during
// door.lockout_for is refused even with the right code; once the lockout is over the right
// code opens the door in a fresh call.
func TestDoorCodeBruteForce(t *testing.T) {
	testpeer.Require(t, "sipp")
	const lockout = 4 * time.Second
	r := startRig(t, rigOptions{tweak: func(c *config.Config) { c.Door.Door.LockoutFor = lockout }})
	w := watchRelay(r)

	// Call 1: a sliding window makes every digit after the first a guess: #2 2# #3 are three
	// wrong codes (max_attempts = 3), everything after is ignored, including the right code.
	if err := callDoor(t, r.sip, uacCall{Caller: allowed, Digits: "#2#3#1#1", Hold: 200}, 1); err != nil {
		t.Fatal(err)
	}
	locked := time.Now()
	k := countKinds(readEvents(t, r.events))
	t.Logf("call 1 (guessing): %v", k)
	if k["door-code-wrong"] != 3 || k["door-code-lockout"] != 1 || k["door-open"] != 0 {
		t.Errorf("call 1: want 3 wrong, 1 lockout, no door-open; got %v", k)
	}

	// Call 2: a fresh call inside lockout_for with the right code is refused.
	if err := callDoor(t, r.sip, uacCall{Caller: allowed, Digits: "#1", Hold: 200}, 1); err != nil {
		t.Fatal(err)
	}
	k = countKinds(readEvents(t, r.events))
	t.Logf("call 2 (right code during lockout, %.1fs after it began): %v", time.Since(locked).Seconds(), k)
	if k["door-open"] != 0 || k["door-code-refused"] != 1 {
		t.Errorf("call 2: want door-code-refused and no door-open; got %v", k)
	}
	if on, _ := w.Stop(); on > 0 {
		t.Fatalf("relay energised during the brute force")
	}

	waitUntil(t, lockout+10*time.Second, "lockout over", func() bool {
		return countKinds(readEvents(t, r.events))["door-code-unlocked"] == 1
	})
	// Call 3: after the lockout the right code opens.
	w = watchRelay(r)
	if err := callDoor(t, r.sip, uacCall{Caller: allowed, Digits: "#1", Hold: 300}, 1); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 3*time.Second, "door-open logged", func() bool { return countKinds(readEvents(t, r.events))["door-open"] == 1 })
	on, _ := w.Stop()
	t.Logf("call 3 (right code after lockout): relay on in %d samples; events %v", on, countKinds(readEvents(t, r.events)))
	if on == 0 {
		t.Error("relay never energised for the right code after the lockout")
	}
}
