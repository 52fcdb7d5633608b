package alsa_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
)

func open(t testing.TB, c alsatest.Caps, dir alsa.Direction) (*alsa.PCM, *alsatest.PCM) {
	t.Helper()
	dev := alsatest.New(c)
	p, err := alsa.OpenDevice(dev, "hw:0,0", dir, alsa.Params{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, dev
}

func TestReadRecovery(t *testing.T) {
	tests := []struct {
		name    string
		inject  []error
		resume  bool
		xruns   int
		ops     []string // control ops after open
		wantErr error
	}{
		{"clean", nil, true, 0, nil, nil},
		{"overrun: prepare and start", []error{alsa.ErrXrun}, true, 1, []string{"prepare", "start"}, nil},
		{"two overruns", []error{alsa.ErrXrun, alsa.ErrXrun}, true, 2, []string{"prepare", "start", "prepare", "start"}, nil},
		{"stalled (EIO): drop, prepare and start", []error{alsa.ErrStalled}, true, 1, []string{"drop", "prepare", "start"}, nil},
		{"interrupted: retry", []error{alsa.ErrInterrupted}, true, 0, nil, nil},
		{"suspend: resume", []error{alsa.ErrSuspended}, true, 0, []string{"resume"}, nil},
		{"suspend, no resume: prepare", []error{alsa.ErrSuspended}, false, 0, []string{"resume", "prepare", "start"}, nil},
		{"unplugged", []error{alsa.ErrDeviceGone}, true, 0, nil, alsa.ErrDeviceGone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, dev := open(t, alsatest.VoiceCodec(), alsa.Capture)
			dev.SetResume(tt.resume)
			before := len(dev.Ops())
			for _, e := range tt.inject {
				dev.Inject(e)
			}
			buf := make([]int16, 160)
			n, err := p.Read(buf)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Read err = %v, want %v", err, tt.wantErr)
			}
			if p.Xruns() != tt.xruns {
				t.Errorf("Xruns() = %d, want %d", p.Xruns(), tt.xruns)
			}
			if ops := dev.Ops()[before:]; !slices.Equal(ops, tt.ops) {
				t.Errorf("ops %v, want %v", ops, tt.ops)
			}
			if tt.wantErr != nil {
				return
			}
			if n != 160 || buf[0] != 0 || buf[159] != 159 {
				t.Errorf("read %d frames, first %d last %d", n, buf[0], buf[159])
			}
		})
	}
}

func TestWriteUnderrunQueuesSilence(t *testing.T) {
	p, dev := open(t, alsatest.VoiceCodec(), alsa.Playback)
	buf := make([]int16, 160)
	for i := range buf {
		buf[i] = 1000
	}
	if _, err := p.Write(buf); err != nil {
		t.Fatal(err)
	}
	dev.Inject(alsa.ErrXrun)
	if n, err := p.Write(buf); err != nil || n != 160 {
		t.Fatalf("Write after underrun = %d, %v", n, err)
	}
	w := dev.Written()
	if len(w) != 3*160 {
		t.Fatalf("wrote %d samples, want %d (data, silence, data)", len(w), 3*160)
	}
	if w[0] != 1000 || w[160] != 0 || w[319] != 0 || w[320] != 1000 {
		t.Errorf("want data, one period of silence, data; got %d %d %d %d", w[0], w[160], w[319], w[320])
	}
	if p.Xruns() != 1 {
		t.Errorf("Xruns() = %d", p.Xruns())
	}
}

func TestS32Conversion(t *testing.T) {
	c, dev := open(t, alsatest.I2SMic(), alsa.Capture)
	buf := make([]int16, 2*960*5) // larger than the buffer: read in chunks
	n, err := c.Read(buf)
	if err != nil || n != 960*5 {
		t.Fatalf("Read = %d, %v", n, err)
	}
	for i, v := range buf {
		if v != int16(i) {
			t.Fatalf("sample %d = %d", i, v)
		}
	}
	_ = dev
	pb, pdev := open(t, alsatest.I2SMic(), alsa.Playback)
	if _, err := pb.Write([]int16{1, -2, 32767, -32768}); err != nil {
		t.Fatal(err)
	}
	if w := pdev.Written(); !slices.Equal(w, []int16{1, -2, 32767, -32768}) {
		t.Errorf("written %v", w)
	}
}

func TestCloseIdempotentAndWrongDirection(t *testing.T) {
	p, dev := open(t, alsatest.VoiceCodec(), alsa.Capture)
	if _, err := p.Write(make([]int16, 2)); !errors.Is(err, alsa.ErrBadState) {
		t.Errorf("Write on capture: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Read(make([]int16, 2)); !errors.Is(err, alsa.ErrClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	if _, err := p.Delay(); !errors.Is(err, alsa.ErrClosed) {
		t.Errorf("Delay after Close: %v", err)
	}
	ops := dev.Ops()
	if ops[len(ops)-2] != "drop" || ops[len(ops)-1] != "close" {
		t.Errorf("close ops %v, want drop then close", ops)
	}
}

func TestDelay(t *testing.T) {
	p, dev := open(t, alsatest.VoiceCodec(), alsa.Playback)
	dev.SetDelay(321)
	if d, err := p.Delay(); err != nil || d != 321 {
		t.Errorf("Delay() = %d, %v", d, err)
	}
}

func TestReadWriteDoNotAllocate(t *testing.T) {
	c, _ := open(t, alsatest.I2SMic(), alsa.Capture)
	buf := make([]int16, 960*2)
	if a := testing.AllocsPerRun(100, func() { c.Read(buf) }); a != 0 {
		t.Errorf("Read allocates %v per call", a)
	}
	v, _ := open(t, alsatest.VoiceCodec(), alsa.Capture)
	buf = buf[:160]
	if a := testing.AllocsPerRun(100, func() { v.Read(buf) }); a != 0 {
		t.Errorf("Read (S16) allocates %v per call", a)
	}
}

func BenchmarkReadS16(b *testing.B) {
	c, _ := open(b, alsatest.VoiceCodec(), alsa.Capture)
	buf := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		c.Read(buf)
	}
}

func BenchmarkReadS32Stereo(b *testing.B) {
	c, _ := open(b, alsatest.I2SMic(), alsa.Capture)
	buf := make([]int16, 960*2)
	b.ReportAllocs()
	for b.Loop() {
		c.Read(buf)
	}
}
