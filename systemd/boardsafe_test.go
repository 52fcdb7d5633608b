package systemd

import (
	"os"
	"strings"
	"testing"
)

// TestReleasedOutputsNotKept: both images tell a Raspberry Pi kernel not to keep a released
// GPIO output at its level, at both layers (device tree parameter and pinctrl module
// parameter), so a killed intercom cannot leave the relay energised even before
// ExecStopPost's `intercom safe` runs.
func TestReleasedOutputsNotKept(t *testing.T) {
	for _, f := range []string{"../image/build.sh", "../buildroot/board/intercom/post-build.sh"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"dtparam=strict_gpiod", "pinctrl_bcm2835.persist_gpio_outputs=n"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s does not set %s", f, want)
			}
		}
	}
}
