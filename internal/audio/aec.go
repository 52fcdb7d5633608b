package audio

import (
	"fmt"
	"io"
	"os"

	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/voice"
)

// maxRecordingBytes bounds what ProcessWAVFiles loads: minutes of a call, not hours.
const maxRecordingBytes = 256 << 20

// OfflineResult is what the offline processing (`intercom audio aec`) did.
type OfflineResult struct {
	Rate    int // the processing rate, also the output's
	Samples int
	// MicDBFS and OutDBFS are the RMS levels of the microphone and the output; FarDBFS the
	// reference's.
	FarDBFS, MicDBFS, OutDBFS float64
	Stats                     voice.Stats // the processor's figures at the end
}

// ProcessWAV runs the hands-free processing on recordings: far is what the loudspeaker
// played, mic what the microphone took at the same time, both 16-bit PCM WAV, mono or
// stereo (averaged), at 8 or 16 kHz or a multiple (decimated); both must come down to the
// same rate. The output is mono at that rate, as long as mic and aligned with it (the
// processor's own latency taken out). A far recording shorter than mic is padded with
// silence.
func ProcessWAV(far, mic []byte, cfg voice.Config) ([]int16, OfflineResult, error) {
	ff, fs, err := media.ParseWAV(far)
	if err != nil {
		return nil, OfflineResult{}, fmt.Errorf("audio: far-end recording: %w", err)
	}
	mf, ms, err := media.ParseWAV(mic)
	if err != nil {
		return nil, OfflineResult{}, fmt.Errorf("audio: microphone recording: %w", err)
	}
	rate := procRate(ff.Rate, mf.Rate)
	if rate == 0 {
		return nil, OfflineResult{}, fmt.Errorf("%w: far end %d Hz, microphone %d Hz (expected 8000 or 16000 Hz, or multiples both share)",
			ErrRecordingRate, ff.Rate, mf.Rate)
	}
	p, err := voice.New(cfg, rate)
	if err != nil {
		return nil, OfflineResult{}, fmt.Errorf("audio: %w", err)
	}
	ref := toMono(fs, ff, rate)
	m := toMono(ms, mf, rate)
	n := len(m)
	lat := p.Latency()
	block := p.BlockSize()
	total := (n + lat + block - 1) / block * block
	micBuf := make([]int16, total)
	refBuf := make([]int16, total)
	copy(micBuf, m)
	copy(refBuf, ref[:min(len(ref), total)])
	out := make([]int16, total)
	for i := 0; i < total; i += block {
		if err := p.Process(out[i:i+block], micBuf[i:i+block], refBuf[i:i+block]); err != nil {
			return nil, OfflineResult{}, fmt.Errorf("audio: %w", err)
		}
	}
	out = out[lat : lat+n]
	res := OfflineResult{Rate: rate, Samples: n, FarDBFS: media.Level(ref), MicDBFS: media.Level(m), OutDBFS: media.Level(out), Stats: p.Stats()}
	return out, res, nil
}

// toMono averages the channels of s (format f) and decimates to rate, a divisor of f.Rate.
func toMono(s []int16, f media.Format, rate int) []int16 {
	d := newDecimator(f.Channels, f.Rate/rate)
	out := make([]int16, len(s)/max(f.Channels, 1)/d.ratio+1)
	return out[:d.process(out, s)]
}

// ProcessWAVFiles is ProcessWAV on files, writing the output to outPath.
func ProcessWAVFiles(farPath, micPath, outPath string, cfg voice.Config) (OfflineResult, error) {
	far, err := readRecording(farPath)
	if err != nil {
		return OfflineResult{}, err
	}
	mic, err := readRecording(micPath)
	if err != nil {
		return OfflineResult{}, err
	}
	out, res, err := ProcessWAV(far, mic, cfg)
	if err != nil {
		return OfflineResult{}, err
	}
	w, err := media.CreateWAV(outPath, media.Format{Rate: res.Rate, Channels: 1})
	if err != nil {
		return OfflineResult{}, fmt.Errorf("audio: %w", err)
	}
	if _, err := w.Write(out); err != nil {
		w.Close()
		return OfflineResult{}, fmt.Errorf("audio: write %s: %w", outPath, err)
	}
	if err := w.Close(); err != nil {
		return OfflineResult{}, fmt.Errorf("audio: write %s: %w", outPath, err)
	}
	return res, nil
}

func readRecording(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxRecordingBytes+1))
	if err != nil {
		return nil, fmt.Errorf("audio: read %s: %w", path, err)
	}
	if len(b) > maxRecordingBytes {
		return nil, fmt.Errorf("%w: %s is larger than %d MB", ErrRecordingSize, path, maxRecordingBytes>>20)
	}
	return b, nil
}
