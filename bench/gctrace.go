//go:build linux

package main

import (
	"strconv"
	"strings"
	"time"
)

// gcCycle is one line of the Go runtime's GODEBUG=gctrace=1 output.
type gcCycle struct {
	At                   time.Duration // since the process started
	HeapStart, HeapLive  float64       // MB at the start of the cycle and live after it
	heapEnd, heapMarkEnd float64
}

// parseGCTrace reads "gc 4 @20.403s 0%: ... 3->3->1 MB, 4 MB goal, ..." lines.
func parseGCTrace(out string) []gcCycle {
	var cs []gcCycle
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, "gc ") {
			continue
		}
		f := strings.Fields(l)
		if len(f) < 3 || !strings.HasPrefix(f[2], "@") {
			continue
		}
		at, err := time.ParseDuration(strings.TrimPrefix(f[2], "@"))
		if err != nil {
			continue
		}
		for i := 3; i+1 < len(f); i++ {
			if f[i+1] != "MB," || strings.Count(f[i], "->") != 2 {
				continue
			}
			p := strings.Split(f[i], "->")
			a, _ := strconv.ParseFloat(p[0], 64)
			b, _ := strconv.ParseFloat(p[1], 64)
			c, _ := strconv.ParseFloat(p[2], 64)
			cs = append(cs, gcCycle{At: at, HeapStart: a, heapEnd: b, HeapLive: c})
			break
		}
	}
	return cs
}

// gcDuring counts the cycles in [from, to] (process time) and estimates the allocation rate
// from the pairs of consecutive cycles both inside it: what the heap grew between one cycle's
// end and the next one's start. The runtime prints whole MB, so with a few cycles a minute
// this is a rough figure; with fewer than two cycles inside there is no rate.
func gcDuring(cs []gcCycle, from, to time.Duration) (cycles int, kbPerSec float64) {
	cycles, grown, secs := gcGrowth(cs, from, to)
	if secs <= 0 {
		return cycles, 0
	}
	return cycles, grown * 1024 / secs
}

// gcGrowth is the number of cycles in [from, to], the MB the heap grew between consecutive
// ones inside, and over how many seconds.
func gcGrowth(cs []gcCycle, from, to time.Duration) (cycles int, grownMB, secs float64) {
	for i, c := range cs {
		if c.At < from || c.At > to {
			continue
		}
		cycles++
		if i > 0 && cs[i-1].At >= from {
			grownMB += c.HeapStart - cs[i-1].HeapLive
			secs += (c.At - cs[i-1].At).Seconds()
		}
	}
	return cycles, grownMB, secs
}
