package main

import (
	"cmp"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

// csrc holds the peers' helper sources, compiled at run time (embedding is the one way a
// Go binary carries files, hence a package variable).
//
//go:embed csrc/*
var csrc embed.FS

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type options struct {
	smoke   bool
	out     string
	cache   string
	only    *regexp.Regexp
	minERLE float64
	keep    bool
	require bool
	tail    time.Duration
}

func run(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("acoustics", flag.ContinueOnError)
	var o options
	var only string
	fs.BoolVar(&o.smoke, "smoke", false, "short run (3 scenarios of 8 s at 16 kHz) that checks the harness; writes to a temp dir")
	fs.StringVar(&o.out, "out", filepath.Join("bench", "results"), "directory for acoustics.md and the plots")
	fs.StringVar(&o.cache, "cache", defaultCache(), "where espeak-ng's speech is kept between runs")
	fs.StringVar(&only, "run", "", "only scenarios whose name matches this regexp")
	fs.Float64Var(&o.minERLE, "min-erle", 0, "smoke: fail when the intercom's ERLE in a far-end scenario is below this (dB)")
	fs.DurationVar(&o.tail, "tail", defaultTail, "echo tail every peer models")
	fs.BoolVar(&o.keep, "keep", false, "write every scenario's far, mic and outputs as WAVs under -out/acoustics-wav")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.only = regexp.MustCompile(only)
	o.require = os.Getenv("INTERCOM_REQUIRE_PEERS") != ""
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		if o.require {
			return errors.New("acoustics: espeak-ng is not installed (scripts/deps.sh installs it)")
		}
		fmt.Fprintln(w, "acoustics: skipped: espeak-ng is not installed (scripts/deps.sh installs it)")
		return nil
	}
	work, err := os.MkdirTemp("", "acoustics-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	if o.smoke {
		o.out = filepath.Join(work, "results")
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return err
	}
	peers, notes, err := setUpPeers(work, o.require, o.tail)
	if err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(w, "acoustics:", n)
	}
	start := time.Now()
	var rows []row
	for _, s := range scenarios(o.smoke) {
		if !o.only.MatchString(s.String()) {
			continue
		}
		r, err := runScenario(s, peers, o, work)
		if err != nil {
			return fmt.Errorf("acoustics: %s: %w", s, err)
		}
		fmt.Fprintln(w, r.summary())
		rows = append(rows, r)
	}
	rep := report{tail: o.tail, rows: rows, peers: names(peers), notes: notes, smoke: o.smoke, took: time.Since(start)}
	md := rep.markdown()
	if err := os.WriteFile(filepath.Join(o.out, "acoustics.md"), []byte(md), 0o644); err != nil {
		return err
	}
	if err := plotAll(rows, names(peers), o.out); err != nil {
		return err
	}
	fmt.Fprint(w, "\n", md)
	if o.smoke {
		return smokeCheck(rows, o.minERLE)
	}
	return nil
}

func defaultCache() string {
	d, err := os.UserCacheDir()
	if err != nil {
		d = os.TempDir()
	}
	return filepath.Join(d, "intercom-acoustics")
}

// setUpPeers builds the helpers. A peer that does not build is left out with a note, or
// fails the run when peers are required (CI).
func setUpPeers(work string, require bool, tail time.Duration) ([]peer, []string, error) {
	peers := []peer{ours{tail: tail}}
	var notes []string
	type spec struct {
		label, src, cc string
		pkg            string   // pkg-config name giving the flags, when not empty
		args           []string // else these
		optional       bool     // left out even in CI when it does not build: the issue asks for it only if it does
	}
	for _, sp := range []spec{
		{label: "speexdsp", src: "speexaec.c", cc: "cc", args: []string{"-lspeexdsp"}},
		{label: "webrtc", src: "webrtcaec.cc", cc: "c++", pkg: "webrtc-audio-processing", optional: true},
	} {
		args := sp.args
		if sp.pkg != "" {
			out, err := exec.Command("pkg-config", "--cflags", "--libs", sp.pkg).Output()
			if err != nil {
				notes = append(notes, fmt.Sprintf("%s left out: pkg-config %s: %v", sp.label, sp.pkg, err))
				continue
			}
			args = strings.Fields(string(out))
		}
		h, err := buildHelper(work, sp.label, sp.src, sp.cc, tail, args...)
		if err != nil {
			if require && !sp.optional || !errors.Is(err, errNoPeer) {
				return nil, nil, err
			}
			notes = append(notes, fmt.Sprintf("%s left out: %v", sp.label, err))
			continue
		}
		peers = append(peers, h)
	}
	return peers, notes, nil
}

func names(peers []peer) []string {
	n := make([]string, len(peers))
	for i, p := range peers {
		n[i] = p.name()
	}
	return n
}

// row is one scenario's figures for every peer.
type row struct {
	s       scenario
	sig     *signals
	figs    []figures
	peers   []string
	ceiling float64
}

func runScenario(s scenario, peers []peer, o options, work string) (row, error) {
	sig, err := s.build(o.cache)
	if err != nil {
		return row{}, err
	}
	a := newActivity(sig, s.rate)
	far, mic := toInt16(sig.far), toInt16(sig.mic)
	for _, x := range [][]float64{sig.far, sig.mic} {
		if peak := slices.MaxFunc(x, func(a, b float64) int { return cmp.Compare(math.Abs(a), math.Abs(b)) }); math.Abs(peak) >= 1 {
			return row{}, fmt.Errorf("the signal clips (peak %.2f): the levels need lowering", peak)
		}
	}
	r := row{s: s, sig: sig, ceiling: sig.ceiling}
	for i, p := range peers {
		if q, ok := p.(ours); ok {
			q.oneCard = s.driftPPM == 0
			peers[i], p = q, q
		}
		res, err := p.process(s.rate, far, mic)
		if err != nil {
			return row{}, err
		}
		r.figs = append(r.figs, measure(s, sig, a, res))
		r.peers = append(r.peers, p.name())
		if o.keep {
			if err := keepWAVs(o.out, s, p.name(), far, mic, res); err != nil {
				return row{}, err
			}
		}
	}
	// The allocation count comes from a pass of its own once every peer has finished.
	for i, p := range peers {
		if q, ok := p.(ours); ok {
			if r.figs[i].allocsPerFrame, err = q.quietAllocs(s.rate, far, mic); err != nil {
				return row{}, err
			}
		}
	}
	return r, nil
}

func keepWAVs(out string, s scenario, peer string, far, mic []int16, res *result) error {
	dir := filepath.Join(out, "acoustics-wav")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, slug(s.String()))
	for suffix, x := range map[string][]int16{"far": far, "mic": mic, peer: res.out} {
		if err := writeWAV(base+"-"+suffix+".wav", s.rate, x); err != nil {
			return err
		}
	}
	return nil
}

func (r row) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-36s", r.s)
	for i, f := range r.figs {
		fmt.Fprintf(&b, "  %s: ERLE %s loss %s t20 %s near %s NR %s %s ns/frame", r.peers[i], db(f.erle), db(f.echoLoss),
			secs(f.t20, f.never), db(f.nearAtt), db(f.nr), num(f.nsPerFrame))
	}
	return b.String()
}

// smokeCheck asserts what cannot flake: every figure that applies is finite, nothing got
// louder than what came in, the intercom allocates nothing per frame, and (once asked) its
// ERLE clears a loose floor.
func smokeCheck(rows []row, minERLE float64) error {
	var errs []error
	for _, r := range rows {
		for i, f := range r.figs {
			who := fmt.Sprintf("%s, %s", r.s, r.peers[i])
			if r.s.far != "" && (math.IsNaN(f.erle) || math.IsNaN(f.echoLoss)) {
				errs = append(errs, fmt.Errorf("acoustics smoke: %s: no ERLE figure", who))
			}
			if r.s.near != "" && math.IsNaN(f.nearAtt) {
				errs = append(errs, fmt.Errorf("acoustics smoke: %s: no near-end figure", who))
			}
			if f.outDB > f.micDB+3 {
				errs = append(errs, fmt.Errorf("acoustics smoke: %s: output %.1f dBFS, input %.1f dBFS", who, f.outDB, f.micDB))
			}
			if i != 0 {
				continue
			}
			if f.allocsPerFrame != 0 {
				errs = append(errs, fmt.Errorf("acoustics smoke: %s: %.3f allocations per frame", who, f.allocsPerFrame))
			}
			if minERLE > 0 && r.s.far != "" && !(f.erle >= minERLE) {
				errs = append(errs, fmt.Errorf("acoustics smoke: %s: ERLE %.1f dB, floor %.1f dB", who, f.erle, minERLE))
			}
		}
	}
	return errors.Join(errs...)
}

func slug(s string) string {
	s = strings.NewReplacer("+", " plus ", " -", " minus ").Replace(strings.ToLower(s))
	var b strings.Builder
	for _, f := range strings.FieldsFunc(s, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') }) {
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		b.WriteString(f)
	}
	return b.String()
}
