package alsa_test

import (
	"testing"

	"go.uber.org/goleak"
)

// The binding starts no goroutines; the tests' own readers must be gone when they end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
