package testpeer

import (
	"testing"
	"time"
)

// WaitUntil polls cond until it holds and fails t once limit has passed. It is for facts that
// arrive from another goroutine or process with nothing to wait on (a peer's log line, a
// counter, a state reached over the network); limit only turns a hang into a failure, so make
// it generous. Timed behaviour on a fake clock belongs in testing/synctest instead.
func WaitUntil(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for: %s", limit, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
