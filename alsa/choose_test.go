package alsa_test

import (
	"errors"
	"testing"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
)

func TestOpenChoosesParams(t *testing.T) {
	tests := []struct {
		name string
		caps alsatest.Caps
		dir  alsa.Direction
		want alsa.Params
		got  alsa.Params
		sw   alsa.SWParams
	}{
		{"voice codec defaults to 8k mono 20ms x4", alsatest.VoiceCodec(), alsa.Playback, alsa.Params{},
			alsa.Params{Rate: 8000, Channels: 1, PeriodFrames: 160, Periods: 4, Format: alsa.FormatS16LE},
			alsa.SWParams{AvailMin: 160, StartThreshold: 320, StopThreshold: 640}},
		{"voice codec 16k 10ms x3 capture", alsatest.VoiceCodec(), alsa.Capture,
			alsa.Params{Rate: 16000, PeriodFrames: 160, Periods: 3},
			alsa.Params{Rate: 16000, Channels: 1, PeriodFrames: 160, Periods: 3, Format: alsa.FormatS16LE},
			alsa.SWParams{AvailMin: 160, StartThreshold: 1, StopThreshold: 480}},
		{"usb headset falls back to 48k stereo", alsatest.USBHeadset(), alsa.Playback, alsa.Params{Rate: 8000, Channels: 1},
			alsa.Params{Rate: 48000, Channels: 2, PeriodFrames: 960, Periods: 4, Format: alsa.FormatS16LE},
			alsa.SWParams{AvailMin: 960, StartThreshold: 1920, StopThreshold: 3840}},
		{"10 ms asked at 8k keeps 10 ms at 48k", alsatest.USBHeadset(), alsa.Capture, alsa.Params{Rate: 8000, PeriodFrames: 80, Periods: 3},
			alsa.Params{Rate: 48000, Channels: 2, PeriodFrames: 480, Periods: 3, Format: alsa.FormatS16LE},
			alsa.SWParams{AvailMin: 480, StartThreshold: 1, StopThreshold: 1440}},
		{"i2s mic: S32, buffer cap bounds periods", alsatest.I2SMic(), alsa.Capture, alsa.Params{},
			alsa.Params{Rate: 48000, Channels: 2, PeriodFrames: 960, Periods: 4, Format: alsa.FormatS32LE},
			alsa.SWParams{AvailMin: 960, StartThreshold: 1, StopThreshold: 3840}},
		{"period below card minimum falls back to 10 ms", alsatest.I2SMic(), alsa.Capture, alsa.Params{PeriodFrames: 100, Periods: 2},
			alsa.Params{Rate: 48000, Channels: 2, PeriodFrames: 480, Periods: 2, Format: alsa.FormatS32LE},
			alsa.SWParams{AvailMin: 480, StartThreshold: 1, StopThreshold: 960}},
		{"neither asked nor 10 ms period: nearest", alsatest.Caps{Formats: []alsa.Format{alsa.FormatS16LE}, Rates: []int{48000},
			Channels: [2]int{2, 2}, Period: [2]int{1000, 4096}, Periods: [2]int{2, 8}}, alsa.Capture, alsa.Params{PeriodFrames: 100, Periods: 2},
			alsa.Params{Rate: 48000, Channels: 2, PeriodFrames: 1000, Periods: 2, Format: alsa.FormatS16LE},
			alsa.SWParams{AvailMin: 1000, StartThreshold: 1, StopThreshold: 2000}},
		{"too many periods: nearest allowed", alsatest.I2SMic(), alsa.Playback, alsa.Params{PeriodFrames: 1024, Periods: 8},
			alsa.Params{Rate: 48000, Channels: 2, PeriodFrames: 1024, Periods: 4, Format: alsa.FormatS32LE},
			alsa.SWParams{AvailMin: 1024, StartThreshold: 2048, StopThreshold: 4096}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dev := alsatest.New(tt.caps)
			p, err := alsa.OpenDevice(dev, "hw:9,0", tt.dir, tt.want)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if got := p.Params(); got != tt.got {
				t.Errorf("Params() = %+v, want %+v", got, tt.got)
			}
			if got := dev.Installed(); got != tt.got {
				t.Errorf("installed %+v, want %+v", got, tt.got)
			}
			sw := dev.SW()
			sw.Boundary = 0
			if sw != tt.sw {
				t.Errorf("sw params %+v, want %+v", sw, tt.sw)
			}
			if st := dev.State(); st != alsatest.StatePrepared {
				t.Errorf("state after open = %v, want prepared", st)
			}
		})
	}
}

func TestOpenRejects(t *testing.T) {
	tests := []struct {
		name string
		caps alsatest.Caps
		want alsa.Params
		err  error
	}{
		{"format the card lacks", alsatest.VoiceCodec(), alsa.Params{Format: alsa.FormatS32LE}, alsa.ErrUnsupported},
		{"bad request", alsatest.VoiceCodec(), alsa.Params{Periods: 1}, nil},
		{"no rate at all", alsatest.Caps{Formats: []alsa.Format{alsa.FormatS16LE}, Channels: [2]int{1, 1}, Period: [2]int{1, 10}, Periods: [2]int{2, 2}}, alsa.Params{}, alsa.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dev := alsatest.New(tt.caps)
			_, err := alsa.OpenDevice(dev, "hw:0,0", alsa.Capture, tt.want)
			if err == nil {
				t.Fatal("open succeeded")
			}
			if tt.err != nil && !errors.Is(err, tt.err) {
				t.Errorf("err = %v, want %v", err, tt.err)
			}
			if dev.State() != alsatest.StateClosed {
				t.Errorf("device not closed after failed open")
			}
		})
	}
}

func TestProbeDevice(t *testing.T) {
	c, err := alsa.ProbeDevice(alsatest.New(alsatest.VoiceCodec()))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rates) != 3 || c.Rates[0] != 8000 || c.Rates[2] != 48000 {
		t.Errorf("rates %v", c.Rates)
	}
	if c.ChannelsMin != 1 || c.ChannelsMax != 2 || len(c.Formats) != 1 || c.PeriodMin != 32 {
		t.Errorf("caps %+v", c)
	}
}
