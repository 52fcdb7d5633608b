package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/doorsip/intercom/voice"
)

// defaultTail is the echo tail every peer models unless -tail says otherwise (the voice
// package's default).
const defaultTail = 128 * time.Millisecond

// result is what a peer made of one scenario.
type result struct {
	out            []int16 // the full chain's output
	linear         []int16 // the linear filter's output alone, when the peer exposes it
	nsPerFrame     float64 // CPU time per 10 ms frame in the processing calls
	allocsPerFrame float64 // heap allocations per frame (NaN when not measurable; ours: see quietAllocs)
	erleEst        []float64
	halfDuplex     []bool // per frame, from the intercom's Stats
}

// peer is a voice processor under test.
type peer interface {
	name() string
	process(rate int, far, mic []int16) (*result, error)
}

// ours is the intercom's voice package, in process: product defaults with the AGC off (its
// gain would show as near-end "attenuation" and echo "loss" of the wrong sign). oneCard is
// the scenario's sound cards, as the product knows them: on one card (every scenario
// without clock drift) it is told so, and runs without the drift resampler.
type ours struct {
	tail    time.Duration
	oneCard bool
}

func (ours) name() string { return "intercom" }

func (o ours) config() voice.Config {
	cfg := voice.Defaults()
	cfg.AGC = false
	cfg.EchoTail = o.tail
	return cfg
}

func (o ours) process(rate int, far, mic []int16) (*result, error) {
	return o.pass(rate, far, mic)
}

func (o ours) newProc(rate int) (*voice.Processor, error) {
	p, err := voice.New(o.config(), rate)
	if err == nil && o.oneCard {
		p.SharedClock()
	}
	return p, err
}

// pass runs a fresh processor over the scenario, timing it on its own thread.
func (o ours) pass(rate int, far, mic []int16) (*result, error) {
	p, err := o.newProc(rate)
	if err != nil {
		return nil, err
	}
	frame := rate / 100
	frames := len(mic) / frame
	r := &result{out: make([]int16, frames*frame), erleEst: make([]float64, frames), halfDuplex: make([]bool, frames)}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0 := threadCPU()
	for i := range frames {
		s := i * frame
		if err := p.Process(r.out[s:s+frame], mic[s:s+frame], far[s:s+frame]); err != nil {
			return nil, err
		}
		st := p.Stats()
		r.erleEst[i], r.halfDuplex[i] = st.ERLE, st.HalfDuplex
	}
	t1 := threadCPU()
	r.nsPerFrame = float64(t1-t0) / float64(frames)
	return r, nil
}

// helper is a C or C++ peer compiled from csrc/ and fed raw files.
type helper struct {
	label string
	bin   string
	dir   string // scratch space for its files
	tail  time.Duration
}

func (h *helper) name() string { return h.label }

func (h *helper) process(rate int, far, mic []int16) (*result, error) {
	files := make([]string, 4)
	for i, n := range []string{"far", "mic", "out", "lin"} {
		files[i] = filepath.Join(h.dir, fmt.Sprintf("%s-%s.raw", h.label, n))
	}
	if err := writeRaw(files[0], far); err != nil {
		return nil, err
	}
	if err := writeRaw(files[1], mic); err != nil {
		return nil, err
	}
	tailSamples := int(h.tail.Seconds() * float64(rate))
	cmd := exec.Command(h.bin, strconv.Itoa(rate), strconv.Itoa(tailSamples), files[0], files[1], files[2], files[3])
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("acoustics: %s: %w: %s", h.label, err, stderr.Bytes())
	}
	r := &result{allocsPerFrame: math.NaN()}
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "ns_per_frame "); ok {
			r.nsPerFrame, _ = strconv.ParseFloat(v, 64)
		}
	}
	n := len(mic) / (rate / 100) * (rate / 100)
	if r.out, err = readRaw(files[2], n); err != nil {
		return nil, err
	}
	if _, err := os.Stat(files[3]); err == nil {
		if r.linear, err = readRaw(files[3], n); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// buildHelper compiles src (from csrc/) with compiler into dir, linking libs. A missing
// compiler or header is errNoPeer with the compiler's words.
func buildHelper(dir, label, src, compiler string, tail time.Duration, args ...string) (*helper, error) {
	code, err := csrc.ReadFile("csrc/" + src)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, src)
	if err := os.WriteFile(path, code, 0o644); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath(compiler); err != nil {
		return nil, fmt.Errorf("%w: %s: no %s", errNoPeer, label, compiler)
	}
	bin := filepath.Join(dir, label)
	cmd := exec.Command(compiler, append([]string{"-O2", "-o", bin, path}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%w: %s does not build: %s", errNoPeer, label, firstLines(string(out), 3))
	}
	return &helper{label: label, bin: bin, dir: dir, tail: tail}, nil
}

func firstLines(s string, n int) string {
	l := strings.SplitN(strings.TrimSpace(s), "\n", n+1)
	return strings.Join(l[:min(n, len(l))], " / ")
}
