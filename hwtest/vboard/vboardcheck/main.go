//go:build linux

package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// figures collects the "key=value" measurements of one run. They go to stdout and, when
// VBOARD_FIGURES names a file, are appended there for /init's final marker line.
type figures struct{ kv []string }

func (f *figures) add(key string, format string, args ...any) {
	v := fmt.Sprintf(format, args...)
	f.kv = append(f.kv, key+"="+v)
	fmt.Printf("vboardcheck: %s %s = %s\n", time.Now().Format("15:04:05.000"), key, v)
}

func (f *figures) has(key string) bool {
	for _, kv := range f.kv {
		if strings.HasPrefix(kv, key+"=") {
			return true
		}
	}
	return false
}

func (f *figures) flush() {
	p := os.Getenv("VBOARD_FIGURES")
	if p == "" || len(f.kv) == 0 {
		return
	}
	fh, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "vboardcheck:", err)
		return
	}
	defer fh.Close()
	fmt.Fprintln(fh, strings.Join(f.kv, " "))
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: vboardcheck smoke|scenario [flags]")
		os.Exit(2)
	}
	var figs figures
	var err error
	switch os.Args[1] {
	case "smoke":
		err = smoke(&figs)
	case "scenario":
		err = scenario(&figs, os.Args[2:])
	default:
		fmt.Fprintf(os.Stderr, "vboardcheck: unknown subcommand %q\n", os.Args[1])
		os.Exit(2)
	}
	figs.flush()
	if err != nil {
		fmt.Printf("vboardcheck: FAIL %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
	fmt.Printf("vboardcheck: ok %s\n", os.Args[1])
}
