package eventlog

import (
	"testing"

	"go.uber.org/goleak"
)

// Every Log with a Path runs a writer goroutine that Close must stop.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
