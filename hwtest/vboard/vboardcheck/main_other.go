//go:build !linux

package main

import (
	"fmt"
	"os"
)

// vboardcheck drives Linux ioctls inside the virtual board's guest; elsewhere it only says so.
func main() {
	fmt.Fprintln(os.Stderr, "vboardcheck: runs only inside the Linux guest of hwtest/vboard/run.sh")
	os.Exit(2)
}
