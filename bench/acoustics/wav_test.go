package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWAVRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.wav")
	in := []int16{0, 1, -1, 32767, -32768, 1234}
	if err := writeWAV(path, 16000, in); err != nil {
		t.Fatal(err)
	}
	x, rate, err := readWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if rate != 16000 || len(x) != len(in) {
		t.Fatalf("rate %d, %d samples", rate, len(x))
	}
	for i, v := range toInt16(x) {
		if v != in[i] {
			t.Fatalf("sample %d: %d, want %d", i, v, in[i])
		}
	}
}

func TestParseWAVRefuses(t *testing.T) {
	good, err := wavBytes(t)
	if err != nil {
		t.Fatal(err)
	}
	stereo := append([]byte(nil), good...)
	stereo[22] = 2
	for name, b := range map[string][]byte{
		"empty":    nil,
		"not RIFF": []byte("RIFX\x00\x00\x00\x00WAVE"),
		"stereo":   stereo,
		"no data":  good[:36],
	} {
		if _, _, err := parseWAV(name, b); !errors.Is(err, errWAV) {
			t.Errorf("%s: err %v, want errWAV", name, err)
		}
	}
}

func wavBytes(t testing.TB) ([]byte, error) {
	path := filepath.Join(t.TempDir(), "seed.wav")
	if err := writeWAV(path, 22050, []int16{1, 2, 3, -4}); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

func FuzzParseWAV(f *testing.F) {
	good, err := wavBytes(f)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEfmt \xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		x, rate, err := parseWAV("fuzz", b)
		if err == nil && (rate <= 0 || 2*len(x) > len(b)) {
			t.Fatalf("accepted: rate %d, %d samples from %d bytes", rate, len(x), len(b))
		}
	})
}
