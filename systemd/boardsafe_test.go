package systemd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleasedOutputsNotKept: every image tells a Raspberry Pi kernel not to keep a released
// GPIO output at its level, at both layers (device tree parameter and pinctrl module
// parameter), so a killed intercom cannot leave the relay energised even before
// ExecStopPost's `intercom safe` runs. The Debian images' boot files are generated for each
// board and read back; Buildroot's post-build script is read as it is.
func TestReleasedOutputsNotKept(t *testing.T) {
	const dtparam, modparam = "dtparam=strict_gpiod", "pinctrl_bcm2835.persist_gpio_outputs=n"
	for _, board := range []string{"pi4", "pi0"} {
		t.Run(board, func(t *testing.T) {
			dir := t.TempDir()
			if out, err := exec.Command("sh", "../image/bootconfig.sh", board, dir).CombinedOutput(); err != nil {
				t.Fatalf("bootconfig.sh %s: %v\n%s", board, err, out)
			}
			config := readFile(t, filepath.Join(dir, "config.txt"))
			cmdline := readFile(t, filepath.Join(dir, "cmdline.txt"))
			if !hasLine(config, dtparam) {
				t.Errorf("config.txt does not set %s:\n%s", dtparam, config)
			}
			if strings.Count(cmdline, "\n") != 1 || !strings.Contains(cmdline, " "+modparam) {
				t.Errorf("cmdline.txt is not one line with %s:\n%s", modparam, cmdline)
			}
			// The firmware would start a 32-bit kernel in 64-bit mode, or the reverse.
			if want := board == "pi4"; hasLine(config, "arm_64bit=1") != want {
				t.Errorf("config.txt: arm_64bit=1 is %v, want %v:\n%s", !want, want, config)
			}
		})
	}
	t.Run("unknown board", func(t *testing.T) {
		if err := exec.Command("sh", "../image/bootconfig.sh", "pi9", t.TempDir()).Run(); err == nil {
			t.Error("bootconfig.sh accepted BOARD=pi9")
		}
	})
	t.Run("buildroot", func(t *testing.T) {
		b := readFile(t, "../buildroot/board/intercom/post-build.sh")
		for _, want := range []string{dtparam, modparam} {
			if !strings.Contains(b, want) {
				t.Errorf("post-build.sh does not set %s", want)
			}
		}
	})
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func hasLine(text, line string) bool {
	for _, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == line {
			return true
		}
	}
	return false
}
