//go:build linux

package main

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// frame builds an Ethernet/IPv4/UDP frame as tcpdump sees it on lo.
func frame(src, dst netip.AddrPort, payload []byte) []byte {
	f := make([]byte, 14+20+8+len(payload))
	binary.BigEndian.PutUint16(f[12:], 0x0800)
	ip := f[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(20+8+len(payload)))
	ip[8], ip[9] = 64, 17
	s, d := src.Addr().As4(), dst.Addr().As4()
	copy(ip[12:], s[:])
	copy(ip[16:], d[:])
	u := ip[20:]
	binary.BigEndian.PutUint16(u[0:], src.Port())
	binary.BigEndian.PutUint16(u[2:], dst.Port())
	binary.BigEndian.PutUint16(u[4:], uint16(8+len(payload)))
	copy(u[8:], payload)
	return f
}

func pcapHeader(nano bool) []byte {
	h := make([]byte, 24)
	magic := uint32(0xa1b2c3d4)
	if nano {
		magic = 0xa1b23c4d
	}
	binary.LittleEndian.PutUint32(h[0:], magic)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 262144)
	binary.LittleEndian.PutUint32(h[20:], linkEthernet)
	return h
}

func record(ts time.Time, f []byte) []byte {
	r := make([]byte, 16+len(f))
	binary.LittleEndian.PutUint32(r[0:], uint32(ts.Unix()))
	binary.LittleEndian.PutUint32(r[4:], uint32(ts.Nanosecond()))
	binary.LittleEndian.PutUint32(r[8:], uint32(len(f)))
	binary.LittleEndian.PutUint32(r[12:], uint32(len(f)))
	copy(r[16:], f)
	return r
}

func TestPcapTailReadsAsTheFileGrows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lo.pcap")
	a := netip.MustParseAddrPort("127.0.0.1:5060")
	b := netip.MustParseAddrPort("127.0.0.1:40000")
	t0 := time.Unix(1_800_000_000, 123_456_789)
	r1 := record(t0, frame(a, b, []byte("SIP/2.0 200 OK\r\nCall-ID: x\r\nCSeq: 1 REGISTER\r\n\r\n")))
	r2 := record(t0.Add(20*time.Millisecond), frame(b, a, []byte{0x80, 8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1}))
	// Header and half of the first record, then the rest: nothing is returned until a record
	// is complete.
	if err := os.WriteFile(path, append(pcapHeader(true), r1[:10]...), 0o644); err != nil {
		t.Fatal(err)
	}
	tail, err := openPcapTail(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tail.Close()
	if ds, err := tail.Poll(); err != nil || len(ds) != 0 {
		t.Fatalf("partial record: %v, %v", ds, err)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.Write(append(r1[10:], r2...))
	f.Close()
	ds, err := tail.Poll()
	if err != nil || len(ds) != 2 {
		t.Fatalf("got %d datagrams, %v", len(ds), err)
	}
	if !ds[0].TS.Equal(t0) || ds[0].Src != a || ds[0].Dst != b {
		t.Errorf("first: %v %v->%v", ds[0].TS, ds[0].Src, ds[0].Dst)
	}
	m, ok := parseSIP(ds[0].Payload)
	if !ok || m.Status != 200 || m.CSeqMethod != "REGISTER" || m.CallID != "x" {
		t.Errorf("sip: %+v %v", m, ok)
	}
	if pt, seq, ok := rtpHeader(ds[1].Payload); !ok || pt != 8 || seq != 1 {
		t.Errorf("rtp: %d %d %v", pt, seq, ok)
	}
}

func TestPcapRejectsBadMagic(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.pcap")
	os.WriteFile(path, make([]byte, 24), 0o644)
	tail, err := openPcapTail(path)
	if err != nil {
		t.Fatal(err)
	}
	defer tail.Close()
	if _, err := tail.Poll(); err == nil {
		t.Fatal("no error for a zero magic")
	}
}
