//go:build linux

package reliability

import (
	"os"
	"os/exec"
	"testing"
)

// needRoot skips (or fails under INTERCOM_REQUIRE_PEERS=1) when the test cannot mount
// filesystems or create network namespaces.
func needRoot(t testing.TB, programs ...string) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root (mount, ip netns)"
	}
	for _, p := range programs {
		if _, err := exec.LookPath(p); err != nil && why == "" {
			why = "needs " + p
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("INTERCOM_REQUIRE_PEERS") == "1" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// mountTmpfs mounts a tmpfs of size (e.g. "64k") on a fresh temp dir and unmounts it on
// cleanup.
func mountTmpfs(t testing.TB, size string) string {
	t.Helper()
	needRoot(t, "mount", "umount")
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0755", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("mount tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}
