package audio

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/doorsip/intercom/alsa"
	"github.com/doorsip/intercom/alsa/alsatest"
)

func TestWriteList(t *testing.T) {
	cards := []alsa.Card{
		{Index: 0, ID: "Loopback", Driver: "Loopback", Name: "Loopback", LongName: "Loopback 1",
			PCMs: []alsa.PCMInfo{{Device: 0, ID: "Loopback PCM", Name: "Loopback PCM", Playback: 1, Capture: 1}}},
		{Index: 1, ID: "Device", Driver: "USB-Audio", Name: "USB PnP Sound Device",
			PCMs: []alsa.PCMInfo{{Device: 0, Name: "USB Audio", Playback: 1}}},
	}
	probe := func(name string, dir alsa.Direction) (alsa.Caps, error) {
		if name == "hw:Device,0" {
			return alsa.Caps{}, fmt.Errorf("alsa: open: %w", alsa.ErrBusy)
		}
		return alsa.ProbeDevice(alsatest.New(alsatest.VoiceCodec()))
	}
	var b strings.Builder
	if err := writeList(&b, cards, probe); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"card 0: Loopback [Loopback] Loopback\n",
		"  hw:Loopback,0 (hw:0,0): Loopback PCM\n",
		"    playback: S16_LE, 8000/16000/48000 Hz, 1-2 ch, period 32-8192 frames, 2-32 periods",
		"    capture:  S16_LE",
		"card 1: Device [USB-Audio] USB PnP Sound Device\n",
		"    playback: alsa: open: alsa: device busy\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("list lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "hw:Device,0 (hw:1,0): USB Audio\n    capture") {
		t.Errorf("capture listed for a playback-only device")
	}
	b.Reset()
	writeList(&b, nil, probe)
	if !strings.HasPrefix(b.String(), "no sound card: ALSA is loaded but lists none") {
		t.Errorf("empty list = %q", b.String())
	}
	_, err := alsa.CardsFS(fstest.MapFS{})
	if got := listError(err).Error(); got != "audio: no sound card: alsa: no ALSA driver loaded (/proc/asound/cards is missing)" {
		t.Errorf("no /proc/asound: %q", got)
	}
}
