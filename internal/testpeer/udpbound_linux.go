package testpeer

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// udpBoundBy reports whether process pid holds a UDP socket bound to port (on any address) in
// this network namespace: the socket's inode from the kernel's table among pid's
// descriptors. When the table cannot be read it says true, as the caller cannot tell.
func udpBoundBy(pid, port int) bool {
	b, err := os.ReadFile("/proc/net/udp")
	if err != nil {
		return true
	}
	suffix := fmt.Sprintf(":%04X", port)
	inodes := map[string]bool{}
	lines := strings.Split(string(b), "\n")
	for _, line := range lines[min(1, len(lines)):] {
		// sl local_address rem_address st tx_queue rx_queue tr tm->when retrnsmt uid timeout inode
		if f := strings.Fields(line); len(f) > 9 && strings.HasSuffix(f[1], suffix) {
			inodes["socket:["+f[9]+"]"] = true
		}
	}
	if len(inodes) == 0 {
		return false
	}
	fds, _ := filepath.Glob(fmt.Sprintf("/proc/%d/fd/*", pid))
	for _, fd := range fds {
		if l, err := os.Readlink(fd); err == nil && inodes[l] {
			return true
		}
	}
	return false
}
