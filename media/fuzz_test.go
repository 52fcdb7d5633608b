package media

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

func FuzzJitterBufferInsert(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 2, 0, 1, 0, 0xff, 0xff, 0xff, 1})
	f.Add([]byte{0xff, 0xfe, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 1, 0x80, 0, 0})
	f.Fuzz(func(t *testing.T, ops []byte) {
		jb := newTestJB()
		now := time.Unix(0, 0)
		buf := make([]byte, 160)
		payload := make([]byte, 200)
		// Each 3-byte op: sequence number, then a byte whose low bit pops and whose other
		// bits size the payload (sometimes beyond MaxPayload).
		for i := 0; i+3 <= len(ops); i += 3 {
			seq := uint16(ops[i])<<8 | uint16(ops[i+1])
			now = now.Add(time.Duration(ops[i+2]) * time.Millisecond)
			if ops[i+2]&1 == 1 {
				n, st := jb.Pop(buf, ops[i+2]&2 == 0, now)
				if st != PopFrame && n != 0 || n > len(buf) {
					t.Fatalf("pop gave %d bytes with status %d", n, st)
				}
				continue
			}
			jb.Insert(seq, uint32(seq)*160, payload[:int(ops[i+2])%len(payload)], now)
			if d := jb.Stats().Depth; d > len(jb.slots) {
				t.Fatalf("depth %d beyond %d slots", d, len(jb.slots))
			}
		}
	})
}

func rtpSeed(pt uint8, seq uint16, payload []byte, mod func(*rtp.Header)) []byte {
	h := rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: uint32(seq) * 160, SSRC: 1}
	if mod != nil {
		mod(&h)
	}
	b, _ := (&rtp.Packet{Header: h, Payload: payload}).Marshal()
	return b
}

func FuzzHandlePacket(f *testing.F) {
	f.Add(rtpSeed(8, 1, make([]byte, 160), nil))
	f.Add(rtpSeed(101, 2, []byte{1, 0x8a, 0, 160}, nil))
	f.Add(rtpSeed(8, 3, make([]byte, 20), func(h *rtp.Header) { h.Padding, h.PaddingSize = true, 4 }))
	f.Add(rtpSeed(8, 4, make([]byte, 10), func(h *rtp.Header) {
		h.CSRC = []uint32{1, 2}
		h.SetExtension(1, []byte{1, 2, 3})
	}))
	f.Add([]byte{0x80, 0xc8, 0, 6, 0, 0, 0, 1})
	f.Add([]byte{0x40, 8, 0, 1})
	r := newFrameRig(f, "PCMA", Format{8000, 1}, nil)
	from := r.s.remote.Load()
	now := time.Unix(2e9, 0)
	f.Fuzz(func(t *testing.T, b []byte) {
		now = now.Add(20 * time.Millisecond)
		r.s.handlePacket(b, *from, now)
		r.s.handlePacket(b, netip.MustParseAddrPort("192.0.2.1:4000"), now)
		r.s.playFrame(now)
	})
}

func FuzzTelephoneEvent(f *testing.F) {
	f.Add([]byte{1, 0x8a, 0, 160})
	f.Add([]byte{11, 10, 3, 32, 0xff})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseTelephoneEvent(b)
		if err != nil {
			if len(b) >= 4 {
				t.Fatalf("rejected %d bytes: %v", len(b), err)
			}
			return
		}
		var out [4]byte
		ev.MarshalTo(out[:])
		want := append([]byte(nil), b[:4]...)
		want[1] &^= 0x40 // the reserved bit is not kept
		if !bytes.Equal(out[:], want) {
			t.Fatalf("round trip %x -> %x", b[:4], out)
		}
	})
}

func FuzzRTCP(f *testing.F) {
	sr, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.SenderReport{SSRC: 5, NTPTime: 1 << 40, Reports: []rtcp.ReceptionReport{{SSRC: 7, LastSenderReport: 3, Delay: 9}}}})
	rr, _ := rtcp.Marshal([]rtcp.Packet{&rtcp.ReceiverReport{SSRC: 5}, &rtcp.Goodbye{Sources: []uint32{5}}})
	f.Add(sr)
	f.Add(rr)
	f.Add([]byte{0x80, 0xc9, 0, 1, 0, 0, 0})
	r := newFrameRig(f, "PCMA", Format{8000, 1}, nil)
	if r.s.rtcp == nil {
		f.Skip("no rtcp socket")
	}
	from := netip.MustParseAddrPort("127.0.0.1:5001")
	f.Fuzz(func(t *testing.T, b []byte) {
		r.s.rtcp.handle(b, from, time.Unix(2e9, 0))
		var st Stats
		r.s.rtcp.fill(&st)
		if st.RTT < 0 || st.RTT > 10*time.Second {
			t.Fatalf("rtt %s", st.RTT)
		}
	})
}

func FuzzParseSDESCrypto(f *testing.F) {
	c, _ := NewSDESCrypto(1)
	f.Add(c.String())
	f.Add("a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4")
	f.Add("1 AES_CM_128_HMAC_SHA1_32 inline:x")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseSDESCrypto(s)
		if err != nil {
			return
		}
		if len(c.Key) != 30 {
			t.Fatalf("key of %d bytes", len(c.Key))
		}
		back, err := ParseSDESCrypto(c.String())
		if err != nil || !bytes.Equal(back.Key, c.Key) || back.Tag != c.Tag {
			t.Fatalf("round trip of %q: %v", c.String(), err)
		}
	})
}

func TestSDESCrypto(t *testing.T) {
	c, err := NewSDESCrypto(1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in string
		ok bool
	}{
		{c.String(), true},
		{"a=crypto:" + c.String(), true},
		{c.String() + "|2^31", true},
		{c.String() + "|2^31|1:1", false},
		{"1 AES_CM_128_HMAC_SHA1_32 inline:" + c.String()[len("1 AES_CM_128_HMAC_SHA1_80 inline:"):], false},
		{"1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", false},
		{"x AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=", false},
		{"", false},
	}
	for _, tc := range tests {
		got, err := ParseSDESCrypto(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseSDESCrypto(%q) = %v, want ok=%v", tc.in, err, tc.ok)
		}
		if tc.ok && !bytes.Equal(got.Key, c.Key) {
			t.Errorf("ParseSDESCrypto(%q): key differs", tc.in)
		}
	}
}
