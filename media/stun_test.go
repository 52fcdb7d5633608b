package media

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"net"
	"net/netip"
	"testing"
	"time"
)

func stunRequest(typ uint16, txID [12]byte, attrs []byte) []byte {
	b := make([]byte, stunHeaderLen, stunHeaderLen+len(attrs))
	binary.BigEndian.PutUint16(b[0:2], typ)
	binary.BigEndian.PutUint16(b[2:4], uint16(len(attrs)))
	binary.BigEndian.PutUint32(b[4:8], stunMagicCookie)
	copy(b[8:], txID[:])
	return append(b, attrs...)
}

// TestBindingSuccessRFC5769: the XOR-MAPPED-ADDRESS of RFC 5769 section 2.2's sample IPv4
// response (192.0.2.1:32853, its transaction ID), and a FINGERPRINT that checks.
func TestBindingSuccessRFC5769(t *testing.T) {
	txID := [12]byte{0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae}
	var out [stunMaxResponse]byte
	b := appendBindingSuccess(out[:0], txID, netip.MustParseAddrPort("192.0.2.1:32853"))
	wantAttr := []byte{0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43}
	if !bytes.Equal(b[20:32], wantAttr) {
		t.Errorf("XOR-MAPPED-ADDRESS % x, want % x", b[20:32], wantAttr)
	}
	checkResponse(t, b, txID)

	// IPv6: the address is XORed with the cookie and the transaction ID.
	b6 := appendBindingSuccess(out[:0], txID, netip.MustParseAddrPort("[2001:db8::1]:5004"))
	if len(b6) != stunMaxResponse || binary.BigEndian.Uint16(b6[22:24]) != 20 || b6[25] != 2 {
		t.Fatalf("IPv6 response % x", b6)
	}
	var ip [16]byte
	for i := range ip {
		ip[i] = b6[28+i] ^ append(binary.BigEndian.AppendUint32(nil, stunMagicCookie), txID[:]...)[i]
	}
	if got := netip.AddrFrom16(ip); got != netip.MustParseAddr("2001:db8::1") {
		t.Errorf("IPv6 mapped address %s", got)
	}
	checkResponse(t, b6, txID)
}

func checkResponse(t *testing.T, b []byte, txID [12]byte) {
	t.Helper()
	m, ok := parseSTUN(b)
	if !ok || m.typ != stunBindingResp || m.txID != txID {
		t.Fatalf("response does not parse as a Binding success: % x", b)
	}
	fp := b[len(b)-8:]
	if binary.BigEndian.Uint16(fp[0:2]) != stunFingerprint || binary.BigEndian.Uint32(fp[4:8]) != crc32.ChecksumIEEE(b[:len(b)-8])^0x5354554e {
		t.Errorf("bad FINGERPRINT % x", fp)
	}
}

func TestBindingSuccessZeroAlloc(t *testing.T) {
	var out [stunMaxResponse]byte
	from := netip.MustParseAddrPort("192.0.2.1:32853")
	if n := testing.AllocsPerRun(100, func() { appendBindingSuccess(out[:0], [12]byte{1}, from) }); n != 0 {
		t.Errorf("%v allocations per answer", n)
	}
}

// TestSTUNOnRTPPort: a Binding request on the RTP port is answered to its source and counted
// as STUN; an indication (keepalive) is counted and not answered; neither is Invalid or
// received RTP, and the audio that follows is unaffected.
func TestSTUNOnRTPPort(t *testing.T) {
	r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	from := r.peer.LocalAddr().(*net.UDPAddr).AddrPort()
	txID := [12]byte{9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2}
	r.s.handlePacket(stunRequest(0x0011, txID, nil), from, r.now) // indication
	r.s.handlePacket(stunRequest(stunBindingReq, txID, nil), from, r.now)
	r.peer.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 1500)
	n, _, err := r.peer.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, buf[:n], txID)
	port := binary.BigEndian.Uint16(buf[26:28]) ^ uint16(stunMagicCookie>>16)
	if port != from.Port() {
		t.Errorf("mapped port %d, want %d", port, from.Port())
	}
	r.s.handlePacket(r.packet(), from, r.now)
	st := r.s.Stats()
	if st.STUN != 2 || st.Invalid != 0 || st.PacketsReceived != 1 {
		t.Errorf("stats: STUN %d invalid %d received %d", st.STUN, st.Invalid, st.PacketsReceived)
	}
	// Not STUN: a bad cookie or length stays Invalid.
	bad := stunRequest(stunBindingReq, txID, nil)
	bad[4] = 0
	r.s.handlePacket(bad, from, r.now)
	if st := r.s.Stats(); st.Invalid != 1 || st.STUN != 2 {
		t.Errorf("bad cookie: invalid %d STUN %d", st.Invalid, st.STUN)
	}
}

// TestDuplicateEndPackets: Linphone sends an RFC 4733 end packet three times with the same
// sequence number; the copies are duplicates, not received packets, so lost stays 0.
func TestDuplicateEndPackets(t *testing.T) {
	r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	from := *r.s.remote.Load()
	var p [4]byte
	for i, ev := range []TelephoneEvent{
		{Event: 5, Duration: 160}, {Event: 5, Duration: 320}, {Event: 5, Duration: 480, End: true},
	} {
		ev.MarshalTo(p[:])
		copies := 1
		if ev.End {
			copies = 3
		}
		for range copies {
			r.s.handlePacket(pkt(101, uint16(100+i), 8000, 7, p[:]), from, r.now)
		}
	}
	st := r.s.Stats()
	if st.PacketsReceived != 3 || st.Duplicates != 2 || st.Lost != 0 || st.DTMFReceived != 1 {
		t.Errorf("received %d duplicates %d lost %d digits %d, want 3 2 0 1", st.PacketsReceived, st.Duplicates, st.Lost, st.DTMFReceived)
	}
}

func TestSeqTrackerDuplicates(t *testing.T) {
	tests := []struct {
		name     string
		seqs     []uint16
		received int64
		lost     int64
	}{
		{"in order", []uint16{1, 2, 3, 4}, 4, 0},
		{"copies", []uint16{1, 2, 2, 2, 3}, 3, 0},
		{"reordered copy", []uint16{1, 3, 2, 3, 2}, 3, 0},
		{"gap", []uint16{1, 2, 5}, 3, 2},
		{"wrap", []uint16{65534, 65535, 0, 0, 1}, 4, 0},
		{"beyond the window is counted", append(seqRange(1, 100), 10), 101, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var st seqTracker
			for _, s := range tt.seqs {
				st.update(s)
			}
			if st.received != tt.received || st.lost() != tt.lost {
				t.Errorf("received %d lost %d, want %d %d", st.received, st.lost(), tt.received, tt.lost)
			}
		})
	}
}

func seqRange(from, to uint16) []uint16 {
	var out []uint16
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

// FuzzParseSTUN: never panics; whatever parses can be answered, and the answer parses back.
func FuzzParseSTUN(f *testing.F) {
	f.Add(stunRequest(stunBindingReq, [12]byte{1}, nil))
	f.Add(stunRequest(0x0011, [12]byte{2}, []byte{0x80, 0x28, 0, 4, 1, 2, 3, 4}))
	f.Add([]byte{0x80, 0x08, 0, 1})
	f.Add([]byte{0, 1, 0, 3, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := parseSTUN(b)
		if !ok {
			return
		}
		var out [stunMaxResponse]byte
		r := appendBindingSuccess(out[:0], m.txID, netip.MustParseAddrPort("198.51.100.7:4000"))
		if back, ok := parseSTUN(r); !ok || back.txID != m.txID {
			t.Errorf("answer to % x does not parse back", b)
		}
	})
}

// TestSequenceRestartNotDuplicates: a sender that restarts its sequence numbers a little lower
// (same SSRC) loses at most dupRestart-1 packets as "duplicates", then is counted again.
func TestSequenceRestartNotDuplicates(t *testing.T) {
	r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
	from := *r.s.remote.Load()
	payload := make([]byte, 160)
	for i := range 40 {
		r.s.handlePacket(pkt(8, uint16(1000+i), uint32(i)*160, 7, payload), from, r.now)
	}
	for i := range 40 {
		r.s.handlePacket(pkt(8, uint16(1010+i), uint32(40+i)*160, 7, payload), from, r.now)
	}
	st := r.s.Stats()
	if st.PacketsReceived != 80-(dupRestart-1) || st.Lost != 0 {
		t.Errorf("received %d lost %d, want %d 0", st.PacketsReceived, st.Lost, 80-(dupRestart-1))
	}
}
