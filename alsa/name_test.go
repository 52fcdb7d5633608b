package alsa

import (
	"errors"
	"testing"
	"testing/fstest"
)

func TestParseName(t *testing.T) {
	tests := []struct {
		in   string
		want Name
		ok   bool
	}{
		{"hw:0,0", Name{"0", 0}, true},
		{"hw:Loopback,1", Name{"Loopback", 1}, true},
		{"hw:1", Name{"1", 0}, true},
		{"plughw:CARD=Device,DEV=0", Name{"Device", 0}, true},
		{"hw:", Name{}, false},
		{"default", Name{}, false},
		{"hw:0,x", Name{}, false},
		{"hw:0,99", Name{}, false},
		{"hw:../x,0", Name{}, false},
		{"hw:CARD=CARD=", Name{}, false},
		{"hw:a:b,0", Name{}, false},
		{"tone:440", Name{}, false},
	}
	for _, tt := range tests {
		got, err := ParseName(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseName(%q) = %+v, %v", tt.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrBadName) {
			t.Errorf("ParseName(%q) err %v is not ErrBadName", tt.in, err)
		}
	}
}

func TestCardIndex(t *testing.T) {
	cards := []Card{{Index: 0, ID: "Loopback"}, {Index: 2, ID: "Device"}}
	for _, tt := range []struct {
		card string
		idx  int
		ok   bool
	}{{"0", 0, true}, {"Device", 2, true}, {"7", 7, true}, {"Nope", 0, false}, {"-1", 0, false}} {
		got, err := Name{Card: tt.card}.cardIndex(cards)
		if (err == nil) != tt.ok || got != tt.idx {
			t.Errorf("cardIndex(%q) = %d, %v", tt.card, got, err)
		}
	}
}

func FuzzParseName(f *testing.F) {
	for _, s := range []string{"hw:0,0", "hw:Loopback,1", "plughw:CARD=x,DEV=3", "hw:", ":", "hw:a,b,c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseName(s)
		if err != nil {
			return
		}
		// What parses must print and parse back to the same name.
		m, err := ParseName(n.String())
		if err != nil || m != n {
			t.Fatalf("%q -> %+v -> %q -> %+v, %v", s, n, n.String(), m, err)
		}
	})
}

const procCards = ` 0 [Loopback       ]: Loopback - Loopback
                      Loopback 1
 1 [Device         ]: USB-Audio - USB PnP Sound Device
                      C-Media Electronics Inc. USB PnP Sound Device at usb-0000:01:00.0-1.3, full speed
`

const procPCM = `00-00: Loopback PCM : Loopback PCM : playback 8 : capture 8
00-01: Loopback PCM : Loopback PCM : playback 8 : capture 8
01-00: USB Audio : USB Audio : playback 1 : capture 1
`

func TestCardsFS(t *testing.T) {
	tests := []struct {
		name  string
		fsys  fstest.MapFS
		cards int
		ok    bool
	}{
		{"two cards", fstest.MapFS{"cards": {Data: []byte(procCards)}, "pcm": {Data: []byte(procPCM)}}, 2, true},
		{"no cards", fstest.MapFS{"cards": {Data: []byte("--- no soundcards ---\n")}}, 0, true},
		{"no proc", fstest.MapFS{}, 0, false},
		{"garbage", fstest.MapFS{"cards": {Data: []byte("hello\n")}}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := CardsFS(tt.fsys)
			if (err == nil) != tt.ok || len(cs) != tt.cards {
				t.Fatalf("CardsFS = %+v, %v", cs, err)
			}
		})
	}
	if _, err := CardsFS(fstest.MapFS{}); !errors.Is(err, ErrNoDriver) {
		t.Errorf("no /proc/asound: %v, want ErrNoDriver", err)
	}
	cs, _ := CardsFS(tests[0].fsys)
	want := Card{Index: 1, ID: "Device", Driver: "USB-Audio", Name: "USB PnP Sound Device",
		LongName: "C-Media Electronics Inc. USB PnP Sound Device at usb-0000:01:00.0-1.3, full speed"}
	got := cs[1]
	if len(got.PCMs) != 1 || got.PCMs[0] != (PCMInfo{Device: 0, ID: "USB Audio", Name: "USB Audio", Playback: 1, Capture: 1}) {
		t.Errorf("PCMs %+v", got.PCMs)
	}
	got.PCMs = nil
	if got.Index != want.Index || got.ID != want.ID || got.Driver != want.Driver || got.Name != want.Name || got.LongName != want.LongName {
		t.Errorf("card %+v, want %+v", got, want)
	}
	if len(cs[0].PCMs) != 2 || cs[0].PCMs[1].Device != 1 {
		t.Errorf("loopback PCMs %+v", cs[0].PCMs)
	}
}

func FuzzCards(f *testing.F) {
	f.Add(procCards, procPCM)
	f.Add("--- no soundcards ---", "")
	f.Add(" 3 [x]: y", "03-00: a : b : capture 1")
	f.Fuzz(func(t *testing.T, cards, pcm string) {
		cs, err := CardsFS(fstest.MapFS{"cards": {Data: []byte(cards)}, "pcm": {Data: []byte(pcm)}})
		if err != nil {
			return
		}
		for _, c := range cs {
			if c.Index < 0 {
				t.Fatalf("negative index in %+v", c)
			}
		}
	})
}
