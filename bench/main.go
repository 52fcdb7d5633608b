//go:build linux

package main

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/doorsip/intercom/internal/kamailio"
)

type options struct {
	smoke    bool
	duration time.Duration // the long call
	calls    int           // sequential calls for INVITE->200
	busy     int           // simultaneous calls
	busyHold time.Duration
	settle   time.Duration
	starts   int
	intercom string
	dist     string
	out      string
	keep     bool
	gotest   bool
	rt       int
	chrt     int
	env      string
}

func main() {
	var o options
	flag.BoolVar(&o.smoke, "smoke", false, "about 10 s: short call, few calls, no cross builds or Go benchmarks; fails when a figure is missing")
	flag.DurationVar(&o.duration, "duration", 0, "length of the measured call (default 60s, smoke 2s)")
	flag.IntVar(&o.calls, "calls", 0, "sequential calls for INVITE->200 (default 50, smoke 3)")
	flag.IntVar(&o.busy, "busy", 0, "simultaneous calls for the concurrency figure (default 20, smoke 5)")
	flag.DurationVar(&o.busyHold, "busy-hold", 0, "how long each simultaneous call lasts (default 10s, smoke 500ms)")
	flag.DurationVar(&o.settle, "settle", 0, "wait after registration before idle figures (default 10s, smoke 500ms)")
	flag.IntVar(&o.starts, "starts", 0, "starts of each peer for start->registered (default 5, smoke 1)")
	flag.StringVar(&o.intercom, "intercom", "", "intercom binary to measure (default: build ./cmd/intercom as `make build` does)")
	flag.StringVar(&o.dist, "dist", "dist", "directory with `make cross` binaries for the size figures; missing ones are built")
	flag.StringVar(&o.out, "out", "", "where to write the .md and .json (default bench/results; smoke: a temp dir)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory (configs, capture, logs)")
	flag.IntVar(&o.rt, "rt", 40, "the intercom's media.rt_priority (SCHED_FIFO; 0 = a plain thread like baresip's)")
	flag.IntVar(&o.chrt, "chrt", 10, "run the whole intercom process under SCHED_FIFO at this priority (chrt -f -R), as the systemd unit does (CPUSchedulingPolicy=fifo, CPUSchedulingPriority=10, CPUSchedulingResetOnFork=yes); 0 = plain scheduling")
	flag.StringVar(&o.env, "intercom-env", "", "extra environment for the intercom, comma-separated (e.g. GOGC=50,GOMEMLIMIT=8MiB)")
	flag.BoolVar(&o.gotest, "gotest", true, "run the media Frame benchmarks for allocs/frame (full mode)")
	flag.Parse()
	o.defaults()

	ps := &procs{}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	go func() {
		s := <-sig
		logf("%v: stopping everything\n", s)
		ps.stopAll()
		os.Exit(130)
	}()
	err := run(o, ps)
	ps.stopAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func (o *options) defaults() {
	pick := func(d *time.Duration, full, smoke time.Duration) {
		if *d == 0 {
			*d = full
			if o.smoke {
				*d = smoke
			}
		}
	}
	pickN := func(n *int, full, smoke int) {
		if *n == 0 {
			*n = full
			if o.smoke {
				*n = smoke
			}
		}
	}
	pick(&o.duration, 60*time.Second, 2*time.Second)
	pick(&o.busyHold, 10*time.Second, 500*time.Millisecond)
	pick(&o.settle, 10*time.Second, 500*time.Millisecond)
	pickN(&o.calls, 50, 3)
	pickN(&o.busy, 20, 5)
	pickN(&o.starts, 5, 1)
	if o.smoke {
		o.gotest = false
	}
}

// peer is one of the two user agents under test.
type peer struct {
	name    string
	user    string
	setup   peerSetup
	bin     string
	args    []string
	env     []string
	p       *proc
	sipp    int // sipp's SIP port for calls to this peer
	media   int // sipp's RTP echo port
	res     *peerResult
	samples []timedSample
}

func (pe *peer) addr() netip.AddrPort {
	return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(pe.setup.SIPPort))
}

type timedSample struct {
	t time.Time
	s procSample
}

func run(o options, ps *procs) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	bins := map[string]string{}
	for _, b := range []string{"kamailio", "baresip", "sipp", "tcpdump"} {
		p, err := exec.LookPath(b)
		if err != nil {
			return fmt.Errorf("bench: %s not installed (scripts/deps.sh installs it): %w", b, err)
		}
		bins[b] = p
	}
	kmods, bmods := kamailio.ModulesDir(), baresipModules()
	if kmods == "" || bmods == "" {
		return errors.New("bench: kamailio or baresip modules directory not found")
	}
	work, err := os.MkdirTemp("", "intercom-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("work directory %s\n", work)
	} else {
		ps.atExit(func() { os.RemoveAll(work) })
	}
	res := newResult(o)
	logf("%s mode, call %s, %d calls, %d simultaneous, load %s\n",
		res.Mode, o.duration, o.calls, o.busy, res.Machine.LoadAvg)

	if o.intercom == "" {
		o.intercom = filepath.Join(work, "intercom-under-test")
		if err := goBuild(root, o.intercom, "", ""); err != nil {
			return err
		}
	}
	logf("intercom binary ready\n")
	// baresip's aufile plays a file once, so it gets one longer than any call; the intercom
	// loops its file and loads it whole into memory, so it gets a 4 s loop of the same signal
	// (a whole number of periods of the tone and the swell): a long file would only add the
	// file to its in-call memory, which a board, reading ALSA, does not have.
	wav := filepath.Join(work, "in.wav")
	if err := writeWAV(wav, int(o.duration/time.Second)+30); err != nil {
		return err
	}
	loop := filepath.Join(work, "loop.wav")
	if err := writeWAV(loop, 4); err != nil {
		return err
	}

	// Ports: registrar, each peer's SIP and RTP range, sipp's SIP and echo ports per peer.
	port := func(span int) int {
		if err != nil {
			return 0
		}
		var p int
		p, err = freePort(span)
		return p
	}
	kport := port(1)
	us := &peer{name: "intercom", user: "door", res: &res.Intercom}
	them := &peer{name: "baresip", user: "door2", res: &res.Baresip}
	// A second intercom with the hands-free chain on its file and null devices, called in the
	// same minute as the other two: the voice row's CPU beside the plain call's.
	vo := &peer{name: "intercom-voice", user: "door3", res: &res.IntercomVoice}
	all := []*peer{us, them, vo}
	for _, pe := range all {
		pe.setup = peerSetup{Dir: filepath.Join(work, pe.name), User: pe.user, SIPPort: port(1), RTPLo: port(100),
			Registrar: kport, WAV: wav, Expires: 300, RTPriority: o.rt}
		// The SIP port was free again once checked, so the RTP span may hold it; the
		// intercom's config refuses that (about one run in 300).
		for i := 0; i < 10 && pe.setup.SIPPort >= pe.setup.RTPLo && pe.setup.SIPPort < pe.setup.RTPLo+100; i++ {
			pe.setup.RTPLo = port(100)
		}
		if pe != them {
			pe.setup.WAV = loop
		}
		pe.setup.Voice = pe == vo
		pe.sipp, pe.media = port(1), port(4)
	}
	if err != nil {
		return err
	}
	for _, pe := range all {
		if err := os.MkdirAll(pe.setup.Dir, 0o755); err != nil {
			return err
		}
	}
	cfg, err := intercomConfig(us.setup)
	if err != nil {
		return err
	}
	us.bin, us.args = o.intercom, []string{"run", "-config", cfg}
	vcfg, err := intercomConfig(vo.setup)
	if err != nil {
		return err
	}
	vo.bin, vo.args = o.intercom, []string{"run", "-config", vcfg}
	if o.chrt > 0 {
		// chrt execs the intercom, so the PID we measure is the intercom's. -R (reset on
		// fork) as the unit's CPUSchedulingResetOnFork=yes: the kernel then starts every new
		// thread under normal scheduling, and the intercom spreads the policy itself
		// (internal/rtproc).
		chrt, err := exec.LookPath("chrt")
		if err != nil {
			return fmt.Errorf("bench: -chrt needs chrt (util-linux): %w", err)
		}
		if err := exec.Command(chrt, "-f", fmt.Sprint(o.chrt), "true").Run(); err != nil {
			// Without CAP_SYS_NICE the figures are still worth having; the report says how.
			logf("SCHED_FIFO %d not permitted here (%v): the intercom runs under plain scheduling\n", o.chrt, err)
			res.Setup["intercom_chrt"] = fmt.Sprintf("plain scheduling (SCHED_FIFO %d not permitted)", o.chrt)
		} else {
			us.bin, us.args = chrt, append([]string{"-f", "-R", fmt.Sprint(o.chrt), o.intercom}, us.args...)
			vo.bin, vo.args = chrt, append([]string{"-f", "-R", fmt.Sprint(o.chrt), o.intercom}, vo.args...)
			res.Setup["intercom_chrt"] = fmt.Sprintf("whole process SCHED_FIFO %d", o.chrt)
		}
	}
	// gctrace prints one line per GC cycle to stderr: the only cost is that line.
	us.env = []string{"GODEBUG=gctrace=1"}
	if o.env != "" {
		us.env = append(us.env, strings.Split(o.env, ",")...)
		vo.env = strings.Split(o.env, ",")
		res.Setup["intercom_env"] = o.env
	}
	if err := baresipConfig(them.setup, bmods); err != nil {
		return err
	}
	them.bin, them.args = bins["baresip"], []string{"-f", them.setup.Dir}

	// Capture first, so every start is on it.
	filter := fmt.Sprintf("udp and (port %d", kport)
	for _, pe := range all {
		filter += fmt.Sprintf(" or port %d or port %d or portrange %d-%d or portrange %d-%d",
			pe.setup.SIPPort, pe.sipp, pe.setup.RTPLo, pe.setup.RTPLo+99, pe.media, pe.media+3)
	}
	filter += ")"
	pcapPath := filepath.Join(work, "lo.pcap")
	td, err := ps.start("tcpdump", bins["tcpdump"], "-i", "lo", "-n", "-U", "-s", "0", "-B", "8192",
		"--time-stamp-precision=nano", "--immediate-mode", "-w", pcapPath, filter)
	if err != nil {
		return err
	}
	cap, err := waitCapture(td, pcapPath)
	if err != nil {
		return err
	}
	defer cap.tail.Close()

	logf("capture running\n")
	kdir := filepath.Join(work, "kamailio")
	if err := os.MkdirAll(kdir, 0o755); err != nil {
		return err
	}
	// A bare digest registrar: sipp calls each peer directly, so nothing is proxied.
	kargs, err := kamailio.Write(kdir, kamailio.Config{
		Addr:       netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(kport)),
		ModulesDir: kmods,
		Password:   password,
	})
	if err != nil {
		return err
	}
	kam, err := ps.start("kamailio", bins["kamailio"], kargs...)
	if err != nil {
		return err
	}
	if err := waitSIP(fmt.Sprintf("127.0.0.1:%d", kport), 10*time.Second); err != nil {
		return fmt.Errorf("%w\nkamailio output:\n%s", err, tail(kam.Output()))
	}

	logf("kamailio up\n")
	// 1. start -> registered, REGISTER -> 200, over o.starts starts of each; the last start
	// stays up for the rest.
	for i := 0; i < o.starts; i++ {
		for _, pe := range []*peer{us, them} {
			if err := startAndRegister(ps, cap, pe); err != nil {
				return err
			}
			if i < o.starts-1 {
				pe.p.Stop(5 * time.Second)
			}
		}
	}
	logf("both registered; settling %s\n", o.settle)

	// 2. idle: memory after the settle, CPU over it.
	before := sampleAll(us, them)
	time.Sleep(o.settle)
	after := sampleAll(us, them)
	for i, pe := range []*peer{us, them} {
		s := after[i].s
		if pe.p.Exited() || s.RSSKB == 0 {
			return fmt.Errorf("bench: %s died while idle\n%s", pe.name, tail(pe.p.Output()))
		}
		pe.res.IdleRSSKB, pe.res.IdlePSSKB, pe.res.IdleThreads = s.RSSKB, s.PSSKB, s.Threads
		pe.res.IdleAnonKB, pe.res.IdleFileKB = s.AnonKB, s.FileKB
		pe.res.IdleCPUPct = cpuPct(before[i], after[i])
		pe.res.IdleSchedPct = schedPct(before[i], after[i])
	}

	// The voice intercom only takes part in the long call: started after the idle figures
	// (its binary's pages, shared, would halve the other's PSS), its start not measured.
	if err := startAndRegister(ps, cap, vo); err != nil {
		return err
	}

	// 3. sequential calls: INVITE -> 200 OK.
	logf("%d sequential calls to each\n", o.calls)
	t0 := time.Now()
	if err := callBoth(ps, work, us, them, sippRun{Calls: o.calls, Limit: 1, Rate: 5, HoldMS: 200}, nil); err != nil {
		return err
	}
	if err := cap.drain(); err != nil {
		return err
	}
	for _, pe := range []*peer{us, them} {
		calls := findCalls(cap.sipPkts, pe.addr(), t0, time.Now())
		pe.res.Latency = latencyOf(calls)
	}
	if n := us.res.Latency.Calls; n > 0 {
		// Each call's cycles land within its call or just after; the window runs to now.
		cycles, grown, _ := gcGrowth(parseGCTrace(us.p.Output()), t0.Sub(us.p.started), time.Since(us.p.started))
		us.res.Latency.GCCycles, us.res.Latency.AllocMBPerCall = cycles, grown/float64(n)
	}

	// 4. one long call each, both at once: CPU, in-call memory and threads, RTP send timing.
	logf("one %s call to each (and to the intercom with voice processing)\n", o.duration)
	t0 = time.Now()
	us.samples, them.samples, vo.samples = nil, nil, nil
	host0 := readHostCPU()
	sample := func() {
		for _, pe := range all {
			if s, err := sampleProc(pe.p.Pid(), false); err == nil {
				pe.samples = append(pe.samples, timedSample{time.Now(), s})
			}
		}
	}
	if err := callAll(ps, work, all, sippRun{Calls: 1, Limit: 1, Rate: 1, HoldMS: int(o.duration / time.Millisecond)}, sample); err != nil {
		return err
	}
	if err := cap.drain(); err != nil {
		return err
	}
	res.HostDuringCall = hostCPUBetween(host0, readHostCPU())
	for _, pe := range all {
		calls := findCalls(cap.sipPkts, pe.addr(), t0, time.Now())
		pe.res.Call = longCallOf(cap.pkts, pe, calls)
	}
	if c := firstAnswered(findCalls(cap.sipPkts, us.addr(), t0, time.Now())); c != nil && !c.Bye.IsZero() {
		us.res.Call.GCCycles, us.res.Call.AllocKBPerSec = gcDuring(parseGCTrace(us.p.Output()),
			c.Final.Sub(us.p.started), c.Bye.Sub(us.p.started))
	}

	// 5. simultaneous calls, one peer at a time.
	for _, pe := range []*peer{us, them} {
		logf("%d simultaneous calls to %s\n", o.busy, pe.name)
		pe.samples = nil
		t0 := time.Now()
		r := sippRun{Calls: o.busy, Limit: o.busy, Rate: 100, HoldMS: int(o.busyHold / time.Millisecond)}
		if err := callOne(ps, work, pe, r, func() {
			if s, err := sampleProc(pe.p.Pid(), false); err == nil {
				pe.samples = append(pe.samples, timedSample{time.Now(), s})
			}
		}); err != nil {
			return err
		}
		if err := cap.drain(); err != nil {
			return err
		}
		pe.res.Busy = busyOf(findCalls(cap.sipPkts, pe.addr(), t0, time.Now()), pe.samples)
	}

	for _, pe := range all {
		if pe.p.Exited() {
			return fmt.Errorf("bench: %s exited during the run\n%s", pe.name, tail(pe.p.Output()))
		}
		pe.p.Stop(5 * time.Second)
	}
	kam.Stop(3 * time.Second)
	td.Stop(3 * time.Second)
	if o.keep {
		for _, p := range []*proc{us.p, them.p, vo.p, kam, td} {
			_ = os.WriteFile(filepath.Join(work, p.name+".log"), []byte(p.Output()), 0o644)
		}
	}

	// 6. for us only: binary sizes and allocations per frame.
	res.BinarySizes, err = binarySizes(root, o, work)
	if err != nil {
		return err
	}
	res.BaresipDiskBytes, res.BaresipDiskAllBytes = baresipDisk(bins["baresip"], bmods)
	if o.gotest {
		logf("media Frame benchmarks\n")
		res.AllocsPerFrame, err = frameAllocs(root)
		if err != nil {
			return err
		}
	}
	res.Versions = versions(bins)

	md := res.markdown()
	fmt.Print(md)
	out := o.out
	if out == "" {
		out = filepath.Join(root, "bench", "results")
		if o.smoke {
			out = filepath.Join(work, "results")
			if !o.keep {
				// The smoke run's figures are of no use after it; the check below is its point.
				out = filepath.Join(os.TempDir(), "intercom-bench-smoke")
			}
		}
	}
	if err := res.write(out); err != nil {
		return err
	}
	logf("wrote %s and latest.json\n", filepath.Join(out, "latest.md"))
	if probs := res.check(); len(probs) > 0 {
		return fmt.Errorf("bench: harness check failed:\n  %s", strings.Join(probs, "\n  "))
	}
	return nil
}

func firstAnswered(calls []*callRec) *callRec {
	for _, c := range calls {
		if c.Status == 200 {
			return c
		}
	}
	return nil
}

// startAndRegister starts pe and waits (10 s at most) until its REGISTER got a 200 OK.
func startAndRegister(ps *procs, cap *capture, pe *peer) error {
	p, err := ps.startEnv(pe.name, pe.env, pe.bin, pe.args...)
	if err != nil {
		return err
	}
	pe.p = p
	deadline := p.started.Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if err := cap.sync(); err != nil {
			return err
		}
		if r, ok := findRegistration(cap.sipPkts, pe.user, p.started); ok {
			pe.res.StartToRegisteredMS = append(pe.res.StartToRegisteredMS, ms(r.OK.Sub(p.started)))
			pe.res.RegisterTo200MS = append(pe.res.RegisterTo200MS, ms(r.OK.Sub(r.FirstRegister)))
			return nil
		}
		if p.Exited() {
			return fmt.Errorf("bench: %s exited before registering: %v\n%s", pe.name, p.err, tail(p.Output()))
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("bench: %s did not register within 10 s\n%s", pe.name, tail(p.Output()))
}

// callBoth runs the same sipp load against both peers at once (the second 100 ms later, so
// their INVITEs do not land in the same instant), calling tick every 250 ms meanwhile.
func callBoth(ps *procs, work string, a, b *peer, r sippRun, tick func()) error {
	return callAll(ps, work, []*peer{a, b}, r, tick)
}

// callAll is callBoth for any number of peers, each 100 ms after the one before.
func callAll(ps *procs, work string, peers []*peer, r sippRun, tick func()) error {
	runs := map[*peer]*proc{}
	for i, pe := range peers {
		if i > 0 {
			time.Sleep(100 * time.Millisecond)
		}
		p, err := startSipp(ps, work, pe, r)
		if err != nil {
			return err
		}
		runs[pe] = p
	}
	return waitSipps(r, tick, runs)
}

func callOne(ps *procs, work string, pe *peer, r sippRun, tick func()) error {
	p, err := startSipp(ps, work, pe, r)
	if err != nil {
		return err
	}
	return waitSipps(r, tick, map[*peer]*proc{pe: p})
}

func startSipp(ps *procs, work string, pe *peer, r sippRun) (*proc, error) {
	r.Target, r.User, r.SIPPort, r.MediaPort = pe.addr().String(), pe.user, pe.sipp, pe.media
	r.Dir = filepath.Join(work, "sipp-"+pe.name)
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return nil, err
	}
	args, err := r.args()
	if err != nil {
		return nil, err
	}
	return ps.start("sipp", "sipp", args...)
}

// waitSipps waits for the sipp runs to end by themselves, bounded by the time their calls
// need plus 30 s.
func waitSipps(r sippRun, tick func(), runs map[*peer]*proc) error {
	need := time.Duration(r.Calls/max(r.Rate, 1))*time.Second +
		time.Duration(r.HoldMS)*time.Millisecond*time.Duration((r.Calls+r.Limit-1)/r.Limit) + 30*time.Second
	deadline := time.Now().Add(need)
	for {
		if tick != nil {
			tick()
		}
		running := 0
		for _, p := range runs {
			if !p.Exited() {
				running++
			}
		}
		if running == 0 {
			break
		}
		if time.Now().After(deadline) {
			for _, p := range runs {
				p.Stop(time.Second)
			}
			return fmt.Errorf("bench: sipp did not finish within %s", need)
		}
		time.Sleep(250 * time.Millisecond)
	}
	for pe, p := range runs {
		if pe.p.Exited() {
			return fmt.Errorf("bench: %s exited during calls\n%s", pe.name, tail(pe.p.Output()))
		}
		if p.err != nil {
			// A failed call is a figure (counted from the capture), not a harness failure;
			// keep sipp's words for the report.
			logf("sipp against %s: %v\n", pe.name, p.err)
		}
	}
	return nil
}

func sampleAll(pes ...*peer) []timedSample {
	out := make([]timedSample, len(pes))
	for i, pe := range pes {
		s, _ := sampleProc(pe.p.Pid(), true)
		out[i] = timedSample{time.Now(), s}
	}
	return out
}

// cpuPct is the CPU time used between two samples, in percent of one core, from utime+stime.
func cpuPct(a, b timedSample) float64 {
	dt := b.t.Sub(a.t).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(b.s.Ticks-a.s.Ticks) / userHZ / dt * 100
}

// schedPct is the same from the threads' schedstat run time (nanoseconds, not 10 ms ticks).
func schedPct(a, b timedSample) float64 {
	dt := b.t.Sub(a.t).Seconds()
	if dt <= 0 || b.s.SchedNS < a.s.SchedNS {
		return 0
	}
	return float64(b.s.SchedNS-a.s.SchedNS) / 1e9 / dt * 100
}

// capture is the tcpdump on lo, read as it grows.
type capture struct {
	tail    *pcapTail
	pkts    packets
	sipPkts []sipPacket
}

// drain waits for tcpdump to have written what was sent just now, then reads it.
func (c *capture) drain() error {
	time.Sleep(300 * time.Millisecond)
	return c.sync()
}

func (c *capture) sync() error {
	ds, err := c.tail.Poll()
	c.pkts = append(c.pkts, ds...)
	for _, d := range ds {
		if m, ok := parseSIP(d.Payload); ok {
			c.sipPkts = append(c.sipPkts, sipPacket{d, m})
		}
	}
	return err
}

func waitCapture(td *proc, path string) (*capture, error) {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(td.Output(), "listening on") {
			if t, err := openPcapTail(path); err == nil {
				return &capture{tail: t}, nil
			}
		}
		if td.Exited() {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil, fmt.Errorf("bench: tcpdump did not start:\n%s", tail(td.Output()))
}

func moduleRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.Contains(string(b), "module github.com/doorsip/intercom") {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("bench: run from inside the intercom module (go run ./bench)")
		}
		d = parent
	}
}

// began is when the command started; progress lines on stderr carry the time since. (A
// package variable, against the house rule, because only this command's main sets it.)
var began = time.Now()

func logf(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "bench %5.1fs: "+format, append([]any{time.Since(began).Seconds()}, a...)...)
}

// tail is the last lines of a program's output, for error messages.
func tail(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}
