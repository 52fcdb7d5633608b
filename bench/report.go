//go:build linux

package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// result is everything one run measured; it is written as JSON beside the Markdown table.
type result struct {
	Date     string            `json:"date"`
	Mode     string            `json:"mode"`
	Machine  machine           `json:"machine"`
	Versions map[string]string `json:"versions"`
	Setup    map[string]string `json:"setup"`
	Intercom peerResult        `json:"intercom"`
	Baresip  peerResult        `json:"baresip"`
	// IntercomVoice is a second intercom with the hands-free chain on, called in the long call
	// only (its start and idle figures are not the comparison's).
	IntercomVoice peerResult `json:"intercom_voice"`
	// BinarySizes are the intercom's static binaries per GOARCH (stripped, as `make cross`).
	BinarySizes map[string]int64 `json:"binary_sizes"`
	// BaresipDiskBytes counts baresip's executable, libre, librem and the modules it loads
	// here, not libc or OpenSSL.
	BaresipDiskBytes int64 `json:"baresip_disk_bytes"`
	// BaresipDiskAllBytes adds every other library ldd lists (libc, OpenSSL, zlib, ...).
	BaresipDiskAllBytes int64 `json:"baresip_disk_all_libs_bytes"`
	// AllocsPerFrame is allocs/op of each media Frame benchmark.
	AllocsPerFrame map[string]float64 `json:"allocs_per_frame"`
	// HostDuringCall is how busy the whole machine was during the long call.
	HostDuringCall hostLoad `json:"host_during_call"`
}

type machine struct {
	NProc     int    `json:"nproc"`
	CPU       string `json:"cpu"`
	Kernel    string `json:"kernel"`
	LoadAvg   string `json:"loadavg"`
	GoVersion string `json:"go"`
}

type peerResult struct {
	StartToRegisteredMS []float64 `json:"start_to_registered_ms"`
	RegisterTo200MS     []float64 `json:"register_to_200_ms"` // first REGISTER (before the 401) to 200 OK
	IdleRSSKB           int       `json:"idle_rss_kb"`
	IdlePSSKB           int       `json:"idle_pss_kb"`
	IdleAnonKB          int       `json:"idle_rss_anon_kb"`
	IdleFileKB          int       `json:"idle_rss_file_kb"`
	IdleThreads         int       `json:"idle_threads"`
	IdleCPUPct          float64   `json:"idle_cpu_pct"`
	IdleSchedPct        float64   `json:"idle_cpu_sched_pct"`
	Latency             latency   `json:"latency"`
	Call                longCall  `json:"call"`
	Busy                busy      `json:"busy"`
}

type latency struct {
	// GCCycles and AllocMBPerCall (Go only, from gctrace) over the sequential calls: what one
	// call's set-up and tear-down allocate.
	GCCycles       int       `json:"gc_cycles,omitempty"`
	AllocMBPerCall float64   `json:"alloc_mb_per_call,omitempty"`
	Calls          int       `json:"calls"`
	Answered       int       `json:"answered"`
	InviteTo200MS  []float64 `json:"invite_to_200_ms"`
}

type longCall struct {
	Answered   bool    `json:"answered"`
	Seconds    float64 `json:"seconds"` // the measured window, 200 OK to BYE
	CPUPct     float64 `json:"cpu_pct"` // utime+stime over the window, percent of one core
	SchedPct   float64 `json:"cpu_sched_pct"`
	MaxRSSKB   int     `json:"max_rss_kb"`
	MaxAnonKB  int     `json:"max_rss_anon_kb"`
	MaxFileKB  int     `json:"max_rss_file_kb"`
	MaxThreads int     `json:"max_threads"`
	RTThreads  int     `json:"rt_threads"` // threads seen under SCHED_FIFO/RR during the call
	// GCCycles and AllocKBPerSec come from the intercom's GODEBUG=gctrace=1 lines in the
	// call (Go only): a hot path that allocates shows as a steady allocation rate.
	GCCycles      int     `json:"gc_cycles,omitempty"`
	AllocKBPerSec float64 `json:"alloc_kb_per_s,omitempty"`
	RTPPackets    int     `json:"rtp_packets"`
	RTPLost       int     `json:"rtp_lost"`
	IntervalP50   float64 `json:"rtp_interval_p50_ms"`
	DeviationP50  float64 `json:"rtp_send_jitter_p50_ms"` // |interval - 20 ms|
	DeviationP99  float64 `json:"rtp_send_jitter_p99_ms"`
	DeviationMax  float64 `json:"rtp_send_jitter_max_ms"`
	// Late and Bunched count intervals over 30 ms and under 10 ms: a stalled sender shows
	// as a late packet followed by a bunched one.
	Late    int `json:"rtp_intervals_over_30ms"`
	Bunched int `json:"rtp_intervals_under_10ms"`
}

type busy struct {
	Calls     int     `json:"calls"`
	Answered  int     `json:"answered"`
	Busy486   int     `json:"busy_486"`
	Other     int     `json:"other_final"`
	NoAnswer  int     `json:"no_final"`
	Seconds   float64 `json:"seconds"`
	CPUPct    float64 `json:"cpu_pct"`
	MaxRSSKB  int     `json:"max_rss_kb"`
	MaxThread int     `json:"max_threads"`
}

func newResult(o options) *result {
	r := &result{Date: time.Now().UTC().Format(time.RFC3339), Mode: "full"}
	if o.smoke {
		r.Mode = "smoke"
	}
	r.Machine = machine{NProc: runtime.NumCPU(), CPU: cpuModel(), Kernel: readTrim("/proc/sys/kernel/osrelease"),
		LoadAvg: strings.Join(strings.Fields(readTrim("/proc/loadavg"))[:3], " "), GoVersion: runtime.Version()}
	r.Setup = map[string]string{
		"registrar":    "Kamailio, digest (qop=auth), loopback",
		"calls":        "sipp uac straight to each peer's address, PCMA/20ms offered, RTP echoed back by sipp",
		"audio":        "8 kHz mono 16-bit WAV as the microphone, playback to null",
		"long_call":    o.duration.String(),
		"sequential":   fmt.Sprint(o.calls),
		"busy":         fmt.Sprintf("%d simultaneous, %s each", o.busy, o.busyHold),
		"settle":       o.settle.String(),
		"rtp_warmup":   fmt.Sprintf("first %d packets of each stream left out of the send timing", rtpWarmup),
		"both_at_once": "sequential and long calls run against both peers at the same time (100 ms apart)",
	}
	return r
}

func latencyOf(calls []*callRec) latency {
	l := latency{Calls: len(calls)}
	for _, c := range calls {
		if c.Status == 200 {
			l.Answered++
			l.InviteTo200MS = append(l.InviteTo200MS, ms(c.Final.Sub(c.Invite)))
		}
	}
	return l
}

func longCallOf(ps packets, pe *peer, calls []*callRec) longCall {
	var lc longCall
	var c *callRec
	for _, x := range calls {
		if x.Status == 200 {
			c = x
			break
		}
	}
	if c == nil {
		return lc
	}
	lc.Answered = true
	end := c.Bye
	if end.IsZero() {
		end = time.Now()
	}
	var first, last *timedSample
	for i := range pe.samples {
		s := &pe.samples[i]
		if s.t.Before(c.Final) || s.t.After(end) {
			continue
		}
		if first == nil {
			first = s
		}
		last = s
		lc.MaxRSSKB = max(lc.MaxRSSKB, s.s.RSSKB)
		lc.MaxAnonKB = max(lc.MaxAnonKB, s.s.AnonKB)
		lc.MaxFileKB = max(lc.MaxFileKB, s.s.FileKB)
		lc.MaxThreads = max(lc.MaxThreads, s.s.Threads)
		lc.RTThreads = max(lc.RTThreads, s.s.RTThreads)
	}
	if first != nil && last != first {
		lc.Seconds = last.t.Sub(first.t).Seconds()
		lc.CPUPct = cpuPct(*first, *last)
		lc.SchedPct = schedPct(*first, *last)
	}
	src := netip.AddrPortFrom(pe.addr().Addr(), uint16(c.RTPPort))
	st := findRTP(ps, src, 8, c.Final.Add(-time.Second), end)
	lc.RTPPackets, lc.RTPLost = st.Packets, st.Lost
	dev := deviations(st.Intervals, 20)
	lc.IntervalP50 = quantile(st.Intervals, 0.5)
	lc.DeviationP50, lc.DeviationP99, lc.DeviationMax = quantile(dev, 0.5), quantile(dev, 0.99), maxOf(dev)
	for _, iv := range st.Intervals {
		switch {
		case iv > 30:
			lc.Late++
		case iv < 10:
			lc.Bunched++
		}
	}
	return lc
}

func busyOf(calls []*callRec, samples []timedSample) busy {
	b := busy{Calls: len(calls)}
	for _, c := range calls {
		switch {
		case c.Status == 200:
			b.Answered++
		case c.Status == 486:
			b.Busy486++
		case c.Status == 0:
			b.NoAnswer++
		default:
			b.Other++
		}
	}
	if len(samples) > 1 {
		a, z := samples[0], samples[len(samples)-1]
		b.Seconds = z.t.Sub(a.t).Seconds()
		b.CPUPct = cpuPct(a, z)
	}
	for _, s := range samples {
		b.MaxRSSKB = max(b.MaxRSSKB, s.s.RSSKB)
		b.MaxThread = max(b.MaxThread, s.s.Threads)
	}
	return b
}

// check lists what a working harness must have produced (the smoke test's assertions).
func (r *result) check() []string {
	var probs []string
	for _, x := range []struct {
		name string
		p    *peerResult
	}{{"intercom", &r.Intercom}, {"baresip", &r.Baresip}} {
		p := x.p
		bad := func(f string, a ...any) { probs = append(probs, x.name+": "+fmt.Sprintf(f, a...)) }
		if len(p.StartToRegisteredMS) == 0 {
			bad("never registered")
		}
		if p.IdleRSSKB == 0 || p.IdlePSSKB == 0 || p.IdleThreads == 0 {
			bad("no idle memory figures")
		}
		if p.Latency.Answered == 0 {
			bad("answered none of %d sequential calls", p.Latency.Calls)
		}
		if !p.Call.Answered {
			bad("did not answer the long call")
		} else {
			if p.Call.MaxRSSKB == 0 || p.Call.Seconds == 0 {
				bad("no in-call figures")
			}
			if p.Call.RTPPackets < 20 {
				bad("sent %d RTP packets in the long call", p.Call.RTPPackets)
			}
		}
		if p.Busy.Answered == 0 {
			bad("answered none of %d simultaneous calls", p.Busy.Calls)
		}
	}
	if v := r.IntercomVoice.Call; !v.Answered || v.RTPPackets < 20 || v.Seconds == 0 {
		probs = append(probs, fmt.Sprintf("intercom-voice: long call answered %v, %d RTP packets", v.Answered, v.RTPPackets))
	}
	if len(r.BinarySizes) == 0 {
		probs = append(probs, "no binary size")
	}
	return probs
}

func (r *result) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	j, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.json"), append(j, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "latest.md"), []byte(r.markdown()), 0o644)
}

// markdown is the side-by-side table with ratios and targets.
func (r *result) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## intercom vs baresip (%s run, %s)\n\n", r.Mode, r.Date)
	fmt.Fprintf(&b, "Machine: %d cores, %s, Linux %s, load %s at start, %s.", r.Machine.NProc, r.Machine.CPU, r.Machine.Kernel, r.Machine.LoadAvg, r.Machine.GoVersion)
	if len(r.Versions) > 0 {
		fmt.Fprintf(&b, " Peers: %s, %s, %s.", r.Versions["baresip"], r.Versions["kamailio"], r.Versions["sipp"])
	}
	if c, ok := r.Setup["intercom_chrt"]; ok {
		fmt.Fprintf(&b, " Intercom run with %s.", c)
	}
	fmt.Fprintf(&b, "\nCall %s (machine %.0f%% busy, %.0f%% steal meanwhile); %s sequential calls; %s; both peers measured in the same run.\n\n",
		r.Setup["long_call"], r.HostDuringCall.BusyPct, r.HostDuringCall.StealPct, r.Setup["sequential"], r.Setup["busy"])
	b.WriteString("| figure | intercom | baresip | us/baresip | target | met |\n|---|---|---|---|---|---|\n")
	u, t := &r.Intercom, &r.Baresip
	row := func(name string, us, them float64, unit string, prec int, target string, limit float64, ratioTarget bool) {
		ratio := us / them
		met := ""
		switch {
		case target == "":
		case math.IsNaN(us) || (ratioTarget && (math.IsNaN(ratio) || math.IsInf(ratio, 0))):
			met = "?"
		case ratioTarget && ratio <= limit, !ratioTarget && us <= limit:
			met = "yes"
		default:
			met = "**no**"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", name, num(us, prec, unit), num(them, prec, unit), ratioStr(ratio), target, met)
	}
	mb := func(kb int) float64 { return float64(kb) / 1024 }
	row("idle RSS", mb(u.IdleRSSKB), mb(t.IdleRSSKB), " MB", 1, "<= 0.8x", 0.8, true)
	row("idle PSS", mb(u.IdlePSSKB), mb(t.IdlePSSKB), " MB", 1, "<= 0.8x", 0.8, true)
	row("idle RSS anon (heap, stacks)", mb(u.IdleAnonKB), mb(t.IdleAnonKB), " MB", 1, "", 0, true)
	row("idle RSS file (code, libraries)", mb(u.IdleFileKB), mb(t.IdleFileKB), " MB", 1, "", 0, true)
	row("in-call RSS (max)", mb(u.Call.MaxRSSKB), mb(t.Call.MaxRSSKB), " MB", 1, "<= 0.8x", 0.8, true)
	row("in-call RSS anon (max)", mb(u.Call.MaxAnonKB), mb(t.Call.MaxAnonKB), " MB", 1, "", 0, true)
	row("in-call RSS file (max)", mb(u.Call.MaxFileKB), mb(t.Call.MaxFileKB), " MB", 1, "", 0, true)
	row("CPU per call (utime+stime)", u.Call.CPUPct, t.Call.CPUPct, " %", 2, "<= 0.5x", 0.5, true)
	row("CPU per call (schedstat)", u.Call.SchedPct, t.Call.SchedPct, " %", 2, "", 0, true)
	if v := r.IntercomVoice.Call; v.Answered {
		row("CPU per call, voice processing on (echo canceller, NS, AGC at 8 kHz; baresip: none)", v.SchedPct, t.Call.SchedPct, " %", 2, "", 0, true)
		fmt.Fprintf(&b, "| voice processing's own cost (voice call - plain call, schedstat) | %s | - | | | |\n", num(v.SchedPct-u.Call.SchedPct, 2, " %"))
		row("in-call RSS, voice processing on (max)", mb(v.MaxRSSKB), mb(t.Call.MaxRSSKB), " MB", 1, "", 0, true)
	}
	row("idle CPU (schedstat)", u.IdleSchedPct, t.IdleSchedPct, " %", 3, "", 0, true)
	lu, lt := u.Latency.InviteTo200MS, t.Latency.InviteTo200MS
	row(fmt.Sprintf("INVITE->200 median (%d/%d, %d/%d answered)", u.Latency.Answered, u.Latency.Calls, t.Latency.Answered, t.Latency.Calls),
		quantile(lu, 0.5), quantile(lt, 0.5), " ms", 2, "<= 1 ms", 1, false)
	row("INVITE->200 p99", quantile(lu, 0.99), quantile(lt, 0.99), " ms", 2, "<= 1 ms", 1, false)
	row("REGISTER->200 median (with 401 round)", quantile(u.RegisterTo200MS, 0.5), quantile(t.RegisterTo200MS, 0.5), " ms", 2, "", 0, true)
	row(fmt.Sprintf("start->registered median (%d starts)", len(u.StartToRegisteredMS)), quantile(u.StartToRegisteredMS, 0.5), quantile(t.StartToRegisteredMS, 0.5), " ms", 1, "", 0, true)
	row("threads idle", float64(u.IdleThreads), float64(t.IdleThreads), "", 0, "", 0, true)
	row("threads in call", float64(u.Call.MaxThreads), float64(t.Call.MaxThreads), "", 0, "", 0, true)
	row("threads under SCHED_FIFO/RR in call", float64(u.Call.RTThreads), float64(t.Call.RTThreads), "", 0, "", 0, true)
	row("RTP send jitter p50 (abs(interval-20ms))", u.Call.DeviationP50, t.Call.DeviationP50, " ms", 3, "", 0, true)
	row("RTP send jitter p99", u.Call.DeviationP99, t.Call.DeviationP99, " ms", 3, "<= 1 ms", 1, false)
	row("RTP send jitter max", u.Call.DeviationMax, t.Call.DeviationMax, " ms", 3, "", 0, true)
	fmt.Fprintf(&b, "| RTP packets sent / lost in the call | %d / %d | %d / %d | | | |\n", u.Call.RTPPackets, u.Call.RTPLost, t.Call.RTPPackets, t.Call.RTPLost)
	if u.Latency.GCCycles > 1 {
		fmt.Fprintf(&b, "| Go GC cycles in %d sequential calls / heap allocated per call (gctrace) | %d / %.2f MB | - | | | |\n",
			u.Latency.Calls, u.Latency.GCCycles, u.Latency.AllocMBPerCall)
	} else if u.Latency.Calls > 0 {
		fmt.Fprintf(&b, "| Go GC cycles in %d sequential calls (gctrace) | %d | - | | | |\n", u.Latency.Calls, u.Latency.GCCycles)
	}
	if u.Call.GCCycles > 0 {
		fmt.Fprintf(&b, "| Go GC cycles in the call / heap allocation rate (gctrace) | %d / %.0f KB/s | - | | | |\n", u.Call.GCCycles, u.Call.AllocKBPerSec)
	} else {
		b.WriteString("| Go GC cycles in the call (gctrace) | 0 (less than a heap goal allocated) | - | | | |\n")
	}
	fmt.Fprintf(&b, "| RTP intervals > 30 ms / < 10 ms | %d / %d | %d / %d | | | |\n", u.Call.Late, u.Call.Bunched, t.Call.Late, t.Call.Bunched)
	fmt.Fprintf(&b, "| %d simultaneous calls: answered / 486 / other / none | %d / %d / %d / %d | %d / %d / %d / %d | | | |\n", u.Busy.Calls,
		u.Busy.Answered, u.Busy.Busy486, u.Busy.Other, u.Busy.NoAnswer, t.Busy.Answered, t.Busy.Busy486, t.Busy.Other, t.Busy.NoAnswer)
	row("simultaneous calls: CPU", u.Busy.CPUPct, t.Busy.CPUPct, " %", 2, "", 0, true)
	row("simultaneous calls: RSS (max)", mb(u.Busy.MaxRSSKB), mb(t.Busy.MaxRSSKB), " MB", 1, "", 0, true)
	if r.BaresipDiskBytes > 0 {
		if n, ok := r.BinarySizes["amd64"]; ok {
			row("on disk (us: static amd64; baresip: bin+libre+librem+5 modules)", float64(n)/1e6, float64(r.BaresipDiskBytes)/1e6, " MB", 1, "", 0, true)
			row("on disk (baresip also with libc, OpenSSL, zlib)", float64(n)/1e6, float64(r.BaresipDiskAllBytes)/1e6, " MB", 1, "", 0, true)
		}
	}
	b.WriteString("\n")
	if len(r.BinarySizes) > 0 {
		b.WriteString("Intercom binary (static, stripped):")
		for _, a := range []string{"armv6", "armv7", "arm64", "amd64", "host"} {
			if n, ok := r.BinarySizes[a]; ok {
				fmt.Fprintf(&b, " %s %.1f MB;", a, float64(n)/1e6)
			}
		}
		b.WriteString("\n")
	}
	if len(r.AllocsPerFrame) > 0 {
		worst := 0.0
		var parts []string
		for _, k := range sortedKeys(r.AllocsPerFrame) {
			worst = max(worst, r.AllocsPerFrame[k])
			parts = append(parts, fmt.Sprintf("%s %g", k, r.AllocsPerFrame[k]))
		}
		met := "met"
		if worst > 0 {
			met = "**not met**"
		}
		fmt.Fprintf(&b, "Allocs per frame (target 0, %s): %s\n", met, strings.Join(parts, ", "))
	} else {
		b.WriteString("Allocs per frame: not measured in this mode\n")
	}
	return b.String()
}

func num(v float64, prec int, unit string) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf("%.*f%s", prec, v, unit)
}

func ratioStr(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "-"
	}
	return fmt.Sprintf("%.2fx", r)
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func readTrim(path string) string {
	b, _ := os.ReadFile(path)
	return strings.TrimSpace(string(b))
}
