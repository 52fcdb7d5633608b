//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// goBuild builds ./cmd/intercom as `make build` and `make cross` do (static, stripped, the
// product's build tags).
func goBuild(root, out, goarch, goarm string) error {
	tags, err := buildTags(root)
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-trimpath", "-tags="+tags, "-ldflags", "-s -w", "-o", out, "./cmd/intercom")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if goarch != "" {
		cmd.Env = append(cmd.Env, "GOARCH="+goarch)
	}
	if goarm != "" {
		cmd.Env = append(cmd.Env, "GOARM="+goarm)
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("bench: go build %s%s: %w\n%s", goarch, goarm, err, b)
	}
	return nil
}

// buildTags reads the product's build tags from scripts/buildtags (one a line, '#' comments)
// as a -tags value.
func buildTags(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "scripts", "buildtags"))
	if err != nil {
		return "", fmt.Errorf("bench: build tags: %w", err)
	}
	var tags []string
	for _, l := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(l, '#'); i >= 0 {
			l = l[:i]
		}
		tags = append(tags, strings.Fields(l)...)
	}
	return strings.Join(tags, ","), nil
}

// binarySizes takes the size of each board binary from `make cross`'s dist/ when it is there,
// and builds the missing ones (smoke: only the binary under test).
func binarySizes(root string, o options, work string) (map[string]int64, error) {
	sizes := map[string]int64{}
	if o.smoke {
		if fi, err := os.Stat(o.intercom); err == nil {
			sizes["host"] = fi.Size()
		}
		return sizes, nil
	}
	for _, t := range []struct{ name, arch, arm string }{
		{"armv6", "arm", "6"}, {"armv7", "arm", "7"}, {"arm64", "arm64", ""}, {"amd64", "amd64", ""},
	} {
		dist := o.dist
		if !filepath.IsAbs(dist) {
			dist = filepath.Join(root, dist)
		}
		p := filepath.Join(dist, "intercom-linux-"+t.name)
		if _, err := os.Stat(p); err != nil {
			p = filepath.Join(work, "intercom-"+t.name)
			logf("building %s\n", t.name)
			if err := goBuild(root, p, t.arch, t.arm); err != nil {
				return nil, err
			}
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		sizes[t.name] = fi.Size()
	}
	return sizes, nil
}

// baresipDisk adds up baresip's executable, the modules the bench loads and the libre/librem
// it links (own), and the same plus every other library ldd lists (all: libc, OpenSSL, ...).
func baresipDisk(bin, mods string) (own, all int64) {
	var n int64
	add := func(p string) {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	add(bin)
	for _, m := range []string{"g711.so", "aufile.so", "aubridge.so", "account.so", "menu.so"} {
		add(filepath.Join(mods, m))
	}
	out, _ := exec.Command("ldd", bin).Output()
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && f[1] == "=>" && (strings.HasPrefix(f[0], "libre.") || strings.HasPrefix(f[0], "librem.") || strings.HasPrefix(f[0], "libbaresip")) {
			if real, err := filepath.EvalSymlinks(f[2]); err == nil {
				add(real)
			}
		}
	}
	own = n
	sc = bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 3 && f[1] == "=>" && !(strings.HasPrefix(f[0], "libre.") || strings.HasPrefix(f[0], "librem.") || strings.HasPrefix(f[0], "libbaresip")) {
			if real, err := filepath.EvalSymlinks(f[2]); err == nil {
				add(real)
			}
		}
	}
	return own, n
}

// frameAllocs runs the media Frame benchmarks and returns allocs/op of each.
func frameAllocs(root string) (map[string]float64, error) {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "Frame", "-benchmem", "-benchtime", "2000x", "./media/")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("bench: media benchmarks: %w\n%s", err, out)
	}
	res := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		for i := 1; i < len(f); i++ {
			if f[i] == "allocs/op" {
				v, _ := strconv.ParseFloat(f[i-1], 64)
				res[name] = v
			}
		}
	}
	if len(res) == 0 {
		return nil, fmt.Errorf("bench: no Frame benchmark results in:\n%s", out)
	}
	return res, nil
}

// versions asks each peer program for its version line.
func versions(bins map[string]string) map[string]string {
	v := map[string]string{}
	first := func(name string, args ...string) {
		out, _ := exec.Command(bins[name], args...).CombinedOutput()
		for _, l := range strings.Split(string(out), "\n") {
			l = strings.TrimSpace(l)
			if l != "" {
				v[name] = strings.TrimRight(l, ".")
				return
			}
		}
	}
	first("kamailio", "-v")
	first("sipp", "-v")
	first("baresip", "-h")
	if s, ok := v["baresip"]; ok {
		if i := strings.Index(s, " Copyright"); i > 0 {
			v["baresip"] = s[:i]
		}
	}
	if s, ok := v["kamailio"]; ok {
		v["kamailio"] = strings.TrimPrefix(s, "version: ")
	}
	return v
}

func sortedKeys(m map[string]float64) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}
