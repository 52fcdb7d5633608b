package alsatest

import (
	"os"
	"testing"
)

// NeedVboard skips t outside the virtual board (INTERCOM_VBOARD=1, set by
// hwtest/vboard/run.sh) and fails it there when the kernel shows no sound devices, so a
// board without snd-aloop is a failure rather than a silent skip.
func NeedVboard(t testing.TB) {
	t.Helper()
	if os.Getenv("INTERCOM_VBOARD") != "1" {
		t.Skip("not in the virtual board: run hwtest/vboard/run.sh amd64 --scenario tests")
	}
	if _, err := os.Stat("/dev/snd"); err != nil {
		t.Fatalf("INTERCOM_VBOARD=1 but no /dev/snd: %v", err)
	}
}
