package media

import (
	"encoding/hex"
	"testing"
)

// baresipPing is the RTCP APP "PING"/"PONG" baresip sent in clear to a door that had
// answered its SRTP call (seen in app TestBaresipSRTP: the one packet refused there).
var baresipPing, _ = hex.DecodeString("80cc0003b1cf7b0450494e47504f4e47")

func TestPlainRTCP(t *testing.T) {
	k, _ := NewSDESCrypto(1)
	st, err := newSRTPState(SRTPKeys{LocalKey: k.Key, RemoteKey: k.Key})
	if err != nil {
		t.Fatal(err)
	}
	rr := []byte{0x80, 201, 0, 1, 0, 0, 0, 7} // an empty receiver report
	protected, err := st.encryptRTCP(make([]byte, 0, 64), baresipPing)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"baresip's APP PING", baresipPing, true},
		{"RR", rr, true},
		{"compound RR + APP", append(append([]byte{}, rr...), baresipPing...), true},
		{"the PING under SRTCP", protected, false},
		{"truncated", baresipPing[:12], false},
		{"trailing bytes", append(append([]byte{}, baresipPing...), 0, 0), false},
		{"RTP, not RTCP", pkt(8, 1, 160, 7, make([]byte, 160)), false},
		{"version 1", []byte{0x40, 201, 0, 1, 0, 0, 0, 7}, false},
		{"empty", nil, false},
	} {
		if got := plainRTCP(tc.b); got != tc.want {
			t.Errorf("%s: plainRTCP = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestUnprotectedRTCPCounted: on an SRTP session a plain RTCP packet is dropped and counted
// as Unprotected; garbage on the RTCP port stays Invalid.
func TestUnprotectedRTCPCounted(t *testing.T) {
	ka, _ := NewSDESCrypto(1)
	kb, _ := NewSDESCrypto(1)
	r := newFrameRig(t, "PCMA", Format{8000, 1}, &SRTPKeys{LocalKey: ka.Key, RemoteKey: kb.Key})
	if r.s.rtcp == nil {
		t.Skip("rtcp ports taken")
	}
	from := *r.s.remote.Load()
	r.s.rtcp.handle(baresipPing, from, r.now)
	r.s.rtcp.handle([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, from, r.now)
	if st := r.s.Stats(); st.Unprotected != 1 || st.Invalid != 1 {
		t.Errorf("unprotected %d, invalid %d; want 1 and 1", st.Unprotected, st.Invalid)
	}
}

func FuzzPlainRTCP(f *testing.F) {
	f.Add(baresipPing)
	f.Add([]byte{0x80, 201, 0, 1, 0, 0, 0, 7})
	f.Add([]byte{0x80, 201, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		if plainRTCP(b) && (len(b)%4 != 0 || b[0]>>6 != 2) {
			t.Errorf("% x taken for RTCP", b)
		}
	})
}
