package audio

import (
	"testing"

	"go.uber.org/goleak"
)

// Nothing in this package may leave a goroutine behind: the hw: device recovers without one.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
