//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// userHZ is the unit of utime and stime in /proc/PID/stat; 100 on every Linux we target.
const userHZ = 100

// procSample is what /proc tells about one process at one moment.
type procSample struct {
	RSSKB   int    // VmRSS
	AnonKB  int    // RssAnon: heap, stacks, runtime memory
	FileKB  int    // RssFile: pages of the executable and libraries in memory
	PSSKB   int    // Pss from smaps_rollup (0 when unreadable)
	Threads int    // Threads
	Ticks   uint64 // utime+stime, in 1/userHZ s
	SchedNS uint64 // sum of the live threads' run time (ns), a finer clock than Ticks
	// RTThreads counts threads under a real-time policy (SCHED_FIFO/RR): the intercom asks
	// for one for its media loop when it may.
	RTThreads int
}

// sampleProc reads /proc for pid; pss adds smaps_rollup, which walks the page tables, so the
// loops that sample during calls leave it out.
func sampleProc(pid int, pss bool) (procSample, error) {
	var s procSample
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// Fields after the command name, which may itself hold spaces and parentheses.
	i := strings.LastIndexByte(string(stat), ')')
	if i < 0 {
		return s, fmt.Errorf("bench: /proc/%d/stat: no command field", pid)
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state): utime is field 14, stime 15.
	if len(f) < 13 {
		return s, fmt.Errorf("bench: /proc/%d/stat: %d fields", pid, len(f))
	}
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	s.Ticks = ut + st
	s.RSSKB = statusField(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:")
	s.Threads = statusField(fmt.Sprintf("/proc/%d/status", pid), "Threads:")
	s.AnonKB = statusField(fmt.Sprintf("/proc/%d/status", pid), "RssAnon:")
	s.FileKB = statusField(fmt.Sprintf("/proc/%d/status", pid), "RssFile:")
	if pss {
		s.PSSKB = statusField(fmt.Sprintf("/proc/%d/smaps_rollup", pid), "Pss:")
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	for _, t := range tasks {
		if b, err := os.ReadFile(filepath.Join(t, "schedstat")); err == nil {
			if fs := strings.Fields(string(b)); len(fs) > 0 {
				v, _ := strconv.ParseUint(fs[0], 10, 64)
				s.SchedNS += v
			}
		}
		if b, err := os.ReadFile(filepath.Join(t, "stat")); err == nil {
			if i := strings.LastIndexByte(string(b), ')'); i > 0 {
				// policy is field 41: 1 SCHED_FIFO, 2 SCHED_RR.
				if fs := strings.Fields(string(b[i+1:])); len(fs) > 38 && (fs[38] == "1" || fs[38] == "2") {
					s.RTThreads++
				}
			}
		}
	}
	return s, nil
}

// statusField returns the first number after key in a "Key: value kB" file, 0 when absent.
func statusField(path, key string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, key) {
			fs := strings.Fields(line[len(key):])
			if len(fs) > 0 {
				v, _ := strconv.Atoi(fs[0])
				return v
			}
		}
	}
	return 0
}

// hostCPU is the first line of /proc/stat: jiffies per state, summed over the CPUs.
type hostCPU struct{ total, idle, steal uint64 }

func readHostCPU() hostCPU {
	b, _ := os.ReadFile("/proc/stat")
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	var h hostCPU
	for i := 1; i < len(f); i++ {
		v, _ := strconv.ParseUint(f[i], 10, 64)
		if i <= 8 { // user nice system idle iowait irq softirq steal; guest is inside user
			h.total += v
		}
		switch i {
		case 4, 5:
			h.idle += v
		case 8:
			h.steal = v
		}
	}
	return h
}

// hostLoad is how busy the whole machine was between two readings: the share of CPU time
// that was not idle, and the share the hypervisor gave to someone else (steal).
type hostLoad struct {
	BusyPct  float64 `json:"busy_pct"`
	StealPct float64 `json:"steal_pct"`
}

func hostCPUBetween(a, b hostCPU) hostLoad {
	dt := float64(b.total - a.total)
	if dt <= 0 {
		return hostLoad{}
	}
	return hostLoad{
		BusyPct:  100 * (dt - float64(b.idle-a.idle)) / dt,
		StealPct: 100 * float64(b.steal-a.steal) / dt,
	}
}
