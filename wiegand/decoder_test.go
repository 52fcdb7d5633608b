package wiegand_test

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/wiegand"
)

var update = flag.Bool("update", false, "rewrite testdata/decoded.golden")

// readTimeline reads a timeline file: one edge per line, "D0 12345" or "D1 12345" with the
// time in microseconds; '#' starts a comment.
func readTimeline(t *testing.T, path string) []wiegand.Edge {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var edges []wiegand.Edge
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		us, err := strconv.ParseInt(fields[1], 10, 64)
		if len(fields) != 2 || err != nil || fields[0] != "D0" && fields[0] != "D1" {
			t.Fatalf("%s:%d: bad line %q", path, n, sc.Text())
		}
		l := wiegand.D0
		if fields[0] == "D1" {
			l = wiegand.D1
		}
		edges = append(edges, wiegand.Edge{Line: l, At: time.Duration(us) * time.Microsecond})
	}
	return edges
}

// run feeds edges the way gpio's reader loop does: the silence timer is the next edge's
// time or, after the last edge, the end of the timeline plus a second.
func run(cfg wiegand.Config, edges []wiegand.Edge) []string {
	d := wiegand.NewDecoder(cfg)
	var out []string
	emit := func(f wiegand.Frame) {
		r, err := cfg.Decode(f)
		switch {
		case err != nil:
			out = append(out, fmt.Sprintf("error %v", err))
		case r.Kind == wiegand.Key:
			out = append(out, fmt.Sprintf("key %c", r.Key))
		case r.Decoded:
			out = append(out, fmt.Sprintf("card %d bits facility %d number %d", r.Bits, r.Facility, r.Number))
		default:
			out = append(out, fmt.Sprintf("raw %d bits 0x%X", r.Bits, r.Raw))
		}
	}
	for _, e := range edges {
		if at, ok := d.Due(); ok && at <= e.At {
			if f, ok := d.Flush(at); ok {
				emit(f)
			}
		}
		if f, done := d.Add(e); done {
			emit(f)
		}
	}
	if at, ok := d.Due(); ok {
		if f, ok := d.Flush(at); ok {
			emit(f)
		}
	}
	return out
}

// TestTimelines decodes every timeline under testdata and compares with decoded.golden.
func TestTimelines(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.edges")
	sort.Strings(paths)
	if len(paths) == 0 {
		t.Fatal("no timelines")
	}
	cfg := wiegand.Defaults()
	cfg.W37, cfg.Keys = true, true
	var got strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&got, "%s:\n", filepath.Base(p))
		for _, line := range run(cfg, readTimeline(t, p)) {
			fmt.Fprintf(&got, "\t%s\n", line)
		}
	}
	golden := filepath.Join("testdata", "decoded.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Fatalf("decoded:\n%s\nwant:\n%s", got.String(), want)
	}
}

func frame(bits string) wiegand.Frame {
	v, _ := strconv.ParseUint(bits, 2, 64)
	return wiegand.Frame{Bits: len(bits), Data: v}
}

func TestDecode(t *testing.T) {
	all := wiegand.Config{Gap: 25 * time.Millisecond, W37: true, Raw: true, Keys: true}
	tests := []struct {
		name     string
		cfg      wiegand.Config
		f        wiegand.Frame
		err      error
		facility int
		number   uint64
		key      rune
	}{
		{name: "26 fc1 cn1", cfg: wiegand.Defaults(), f: frame("10000000100000000000000010"), facility: 1, number: 1},
		{name: "26 zero", cfg: wiegand.Defaults(), f: frame("00000000000000000000000001"), facility: 0, number: 0},
		{name: "26 bad even", cfg: wiegand.Defaults(), f: frame("00000000100000000000000010"), err: wiegand.ErrParity},
		{name: "26 bad odd", cfg: wiegand.Defaults(), f: frame("10000000100000000000000011"), err: wiegand.ErrParity},
		{name: "26 max", cfg: wiegand.Defaults(), f: frame("0" + strings.Repeat("1", 24) + "1"), facility: 255, number: 65535},
		{name: "34 max", cfg: wiegand.Defaults(), f: frame("0" + strings.Repeat("1", 32) + "1"), facility: 65535, number: 65535},
		{name: "37 off", cfg: wiegand.Defaults(), f: frame("0000000000000000000000000000000000001"), err: wiegand.ErrLength},
		{name: "37 on", cfg: all, f: frame("0000000000000000000000000000000000001"), facility: 0, number: 0},
		{name: "key 5", cfg: all, f: frame("0101"), facility: -1, key: '5'},
		{name: "key # 8-bit", cfg: all, f: frame("01001011"), facility: -1, key: '#'},
		{name: "key bad complement", cfg: all, f: frame("01011011"), err: wiegand.ErrParity},
		{name: "keys off", cfg: wiegand.Defaults(), f: frame("0101"), err: wiegand.ErrLength},
		{name: "lost", cfg: all, f: wiegand.Frame{Bits: 26, Lost: true}, err: wiegand.ErrLost},
		{name: "raw 40", cfg: all, f: frame("1010101010101010101010101010101010101010"), facility: -1},
		{name: "short", cfg: all, f: frame("101"), err: wiegand.ErrLength},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.cfg.Decode(tc.f)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || !wiegand.IsMisread(err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || r.Facility != tc.facility || r.Number != tc.number || r.Key != tc.key || r.Raw != tc.f.Data {
				t.Fatalf("Decode = %+v, %v", r, err)
			}
		})
	}
}

func TestLostAndOverflow(t *testing.T) {
	d := wiegand.NewDecoder(wiegand.Defaults())
	at := time.Duration(0)
	for i := range 26 {
		d.Add(wiegand.Edge{Line: wiegand.Line(i % 2), At: at})
		if i == 10 {
			d.MarkLost()
		}
		at += time.Millisecond
	}
	f, ok := d.Flush(at + 30*time.Millisecond)
	if !ok || !f.Lost {
		t.Fatalf("frame %+v %v, want lost", f, ok)
	}
	if _, ok := d.Flush(at + time.Hour); ok {
		t.Fatal("a second frame from nothing")
	}
	for range 70 {
		d.Add(wiegand.Edge{Line: wiegand.D1, At: at})
		at += 500 * time.Microsecond
	}
	f, _ = d.Flush(at + time.Second)
	if _, err := wiegand.Defaults().Decode(f); !errors.Is(err, wiegand.ErrOverflow) {
		t.Fatalf("70 bits: %v", err)
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte{0, 1, 1, 0, 2, 1, 0, 200, 1, 1})
	f.Add([]byte("timeline of bytes: each pair is line and gap"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := wiegand.Config{Gap: 25 * time.Millisecond, W37: true, Raw: true, Keys: true}
		d := wiegand.NewDecoder(cfg)
		at := time.Duration(0)
		check := func(fr wiegand.Frame) {
			if fr.Bits < 1 || fr.Bits > 65 {
				t.Fatalf("frame of %d bits", fr.Bits)
			}
			r, err := cfg.Decode(fr)
			if err == nil && r.Kind == wiegand.Card && r.Decoded && r.Bits != 26 && r.Bits != 34 && r.Bits != 37 {
				t.Fatalf("decoded a %d-bit card", r.Bits)
			}
			if err != nil && !wiegand.IsMisread(err) {
				t.Fatalf("unexpected error %v", err)
			}
		}
		for i := 0; i+1 < len(data); i += 2 {
			at += time.Duration(data[i+1]) * 200 * time.Microsecond
			if data[i]&0x80 != 0 {
				d.MarkLost()
			}
			if fr, done := d.Add(wiegand.Edge{Line: wiegand.Line(data[i] & 1), At: at}); done {
				check(fr)
			}
		}
		if fr, ok := d.Flush(at + time.Second); ok {
			check(fr)
		}
	})
}
