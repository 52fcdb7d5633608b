package testpeer

import (
	"os"
	"os/exec"
	"testing"
)

// Require returns the path of program, skipping the test when it is not installed (failing
// it when INTERCOM_REQUIRE_PEERS=1).
func Require(t testing.TB, program string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err == nil {
		return p
	}
	if os.Getenv("INTERCOM_REQUIRE_PEERS") == "1" {
		t.Fatalf("%s not installed and INTERCOM_REQUIRE_PEERS=1: %v", program, err)
	}
	t.Skipf("%s not installed (apt package needed): %v", program, err)
	return ""
}
