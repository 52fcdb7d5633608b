package media

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"

	"github.com/doorsip/intercom/internal/clock"
)

// maxWAVBytes bounds what OpenWAV loads: a door chime or announcement, not an album.
const maxWAVBytes = 64 << 20

// WAVSource is a Capture that plays a 16-bit PCM WAV file in a loop, paced by a clock.
type WAVSource struct {
	f    Format
	data []byte // the data chunk as read (little-endian, interleaved), decoded as it plays
	pos  int    // byte offset into data
	p    *pacer
}

// OpenWAV loads a 16-bit PCM WAV file (mono or stereo, any rate Format accepts) as a looping
// Capture.
func OpenWAV(path string, clk clock.Clock) (Capture, error) {
	// Non-blocking, and a regular file only: a FIFO named as the capture file would hang
	// the call's audio set-up waiting for a writer.
	fh, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("media: open wav: %w", err)
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err != nil {
		return nil, fmt.Errorf("media: open wav: %w", err)
	} else if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrWAV, path)
	}
	b, err := readWAVFile(fh)
	if err != nil {
		return nil, fmt.Errorf("media: read wav %s: %w", path, err)
	}
	if len(b) > maxWAVBytes {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrWAV, path, maxWAVBytes)
	}
	f, data, err := parseWAV(b)
	if err != nil {
		return nil, fmt.Errorf("media: %s: %w", path, err)
	}
	return &WAVSource{f: f, data: data, p: newPacer(clk, f.Rate)}, nil
}

// readWAVFile reads the file into one buffer of its size: io.ReadAll's doubling left about
// three times the file in garbage at every call set-up. A file whose size Stat does not know
// (a pipe) is read as a stream.
func readWAVFile(fh *os.File) ([]byte, error) {
	r := io.LimitReader(fh, maxWAVBytes+1)
	fi, err := fh.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 || fi.Size() > maxWAVBytes {
		return io.ReadAll(r)
	}
	b := make([]byte, fi.Size())
	n, err := io.ReadFull(r, b)
	if err == io.ErrUnexpectedEOF { // shrank since Stat: take what is there
		err = nil
	}
	return b[:n], err
}

// ParseWAV decodes a RIFF/WAVE file of 16-bit little-endian PCM.
func ParseWAV(b []byte) (Format, []int16, error) {
	f, data, err := parseWAV(b)
	if err != nil {
		return Format{}, nil, err
	}
	s := make([]int16, len(data)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(data[2*i:]))
	}
	return f, s, nil
}

// parseWAV finds the format and the data chunk (whole frames of 16-bit samples, a sub-slice
// of b).
func parseWAV(b []byte) (Format, []byte, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return Format{}, nil, fmt.Errorf("%w: no RIFF/WAVE header", ErrWAV)
	}
	var f Format
	var haveFmt bool
	rest := b[12:]
	for len(rest) >= 8 {
		id := string(rest[0:4])
		size := int64(binary.LittleEndian.Uint32(rest[4:8]))
		body := rest[8:]
		if size > int64(len(body)) {
			if id != "data" {
				return Format{}, nil, fmt.Errorf("%w: chunk %q truncated", ErrWAV, id)
			}
			// Writers killed before fixing the header leave a size too large: take what is there.
			size = int64(len(body))
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return Format{}, nil, fmt.Errorf("%w: fmt chunk of %d bytes", ErrWAV, size)
			}
			tag := binary.LittleEndian.Uint16(body[0:2])
			f.Channels = int(binary.LittleEndian.Uint16(body[2:4]))
			f.Rate = int(binary.LittleEndian.Uint32(body[4:8]))
			bits := binary.LittleEndian.Uint16(body[14:16])
			// 1 = PCM; 0xFFFE = WAVE_FORMAT_EXTENSIBLE, whose subformat we trust to be PCM
			// when the bit depth is 16.
			if (tag != 1 && tag != 0xFFFE) || bits != 16 {
				return Format{}, nil, fmt.Errorf("%w: format tag %#x, %d bits (expected 16-bit PCM)", ErrWAV, tag, bits)
			}
			if err := f.check(); err != nil {
				return Format{}, nil, fmt.Errorf("%w: %w", ErrWAV, err)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return Format{}, nil, fmt.Errorf("%w: data before fmt", ErrWAV)
			}
			n := int(size) / 2
			n -= n % f.Channels
			if n == 0 {
				return Format{}, nil, fmt.Errorf("%w: no samples", ErrWAV)
			}
			return f, body[:2*n], nil
		}
		// Chunks are padded to an even size (RIFF).
		adv := size + size&1
		if adv >= int64(len(body)) {
			break
		}
		rest = body[adv:]
	}
	return Format{}, nil, fmt.Errorf("%w: no data chunk", ErrWAV)
}

// Format reports the file's layout.
func (w *WAVSource) Format() Format { return w.f }

// ClockPaced is true: Read waits on the clock, not on a card.
func (w *WAVSource) ClockPaced() bool { return true }

// Read copies the next frames of the file, wrapping at its end, and waits for their duration.
func (w *WAVSource) Read(frames []int16) (int, error) {
	n := len(frames) / w.f.Channels
	for i := 0; i < n*w.f.Channels; i++ {
		frames[i] = int16(binary.LittleEndian.Uint16(w.data[w.pos:]))
		w.pos += 2
		if w.pos == len(w.data) {
			w.pos = 0
		}
	}
	if err := w.p.wait(n); err != nil {
		return 0, err
	}
	return n, nil
}

// Close unblocks a pending Read.
func (w *WAVSource) Close() error {
	w.p.close()
	return nil
}

// WAVSink is a Playback that records to a WAV file. It is not paced: writes take as long as
// the disk does.
type WAVSink struct {
	mu     sync.Mutex
	f      Format
	fh     *os.File
	buf    []byte
	bytes  int64
	closed bool
}

const wavHeaderLen = 44

// CreateWAV creates (or truncates) path and returns a Playback recording to it; the header's
// sizes are fixed on Close.
func CreateWAV(path string, f Format) (Playback, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	fh, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("media: create wav: %w", err)
	}
	w := &WAVSink{f: f, fh: fh}
	if _, err := fh.Write(wavHeader(f, 0)); err != nil {
		fh.Close()
		return nil, fmt.Errorf("media: write wav header: %w", err)
	}
	return w, nil
}

func wavHeader(f Format, dataBytes int64) []byte {
	h := make([]byte, wavHeaderLen)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+dataBytes))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)
	binary.LittleEndian.PutUint16(h[20:], 1)
	binary.LittleEndian.PutUint16(h[22:], uint16(f.Channels))
	binary.LittleEndian.PutUint32(h[24:], uint32(f.Rate))
	binary.LittleEndian.PutUint32(h[28:], uint32(f.Rate*f.Channels*2))
	binary.LittleEndian.PutUint16(h[32:], uint16(f.Channels*2))
	binary.LittleEndian.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(dataBytes))
	return h
}

// Format reports the layout the file is written in.
func (w *WAVSink) Format() Format { return w.f }

// Paced is false: a Session paces its playout itself when recording to a file.
func (w *WAVSink) Paced() bool { return false }

// Write appends interleaved frames to the file.
func (w *WAVSink) Write(frames []int16) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return 0, ErrClosed
	}
	n := len(frames) / w.f.Channels
	frames = frames[:n*w.f.Channels]
	if cap(w.buf) < 2*len(frames) {
		w.buf = make([]byte, 2*len(frames))
	}
	b := w.buf[:2*len(frames)]
	for i, v := range frames {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	if _, err := w.fh.Write(b); err != nil {
		return 0, fmt.Errorf("media: write wav: %w", err)
	}
	w.bytes += int64(len(b))
	return n, nil
}

// Close fixes the header's sizes and closes the file.
func (w *WAVSink) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	_, err := w.fh.WriteAt(wavHeader(w.f, w.bytes), 0)
	if cerr := w.fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("media: close wav: %w", err)
	}
	return nil
}
