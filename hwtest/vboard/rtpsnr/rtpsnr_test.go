package main

import (
	"encoding/binary"
	"testing"

	"github.com/doorsip/intercom/hwtest/internal/tone"
	"github.com/zaf/g711"
)

// pcapOf builds a little-endian Ethernet pcap holding one UDP datagram per payload.
func pcapOf(src, dst [4]byte, dport uint16, payloads ...[]byte) []byte {
	b := make([]byte, 24)
	binary.LittleEndian.PutUint32(b, 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(b[4:], 2)
	binary.LittleEndian.PutUint16(b[6:], 4)
	binary.LittleEndian.PutUint32(b[16:], 65535)
	binary.LittleEndian.PutUint32(b[20:], linkEthernet)
	for _, p := range payloads {
		ip := make([]byte, 28+len(p))
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(len(ip)))
		ip[9] = 17
		copy(ip[12:], src[:])
		copy(ip[16:], dst[:])
		binary.BigEndian.PutUint16(ip[20:], 40000)
		binary.BigEndian.PutUint16(ip[22:], dport)
		binary.BigEndian.PutUint16(ip[24:], uint16(8+len(p)))
		copy(ip[28:], p)
		frame := append(make([]byte, 12), 0x08, 0x00)
		frame = append(frame, ip...)
		rec := make([]byte, 16)
		binary.LittleEndian.PutUint32(rec[8:], uint32(len(frame)))
		binary.LittleEndian.PutUint32(rec[12:], uint32(len(frame)))
		b = append(append(b, rec...), frame...)
	}
	return b
}

func rtpOf(pt uint8, seq uint16, ts uint32, payload []byte) []byte {
	h := make([]byte, 12, 12+len(payload))
	h[0] = 0x80
	h[1] = pt
	binary.BigEndian.PutUint16(h[2:], seq)
	binary.BigEndian.PutUint32(h[4:], ts)
	return append(h, payload...)
}

func TestAnalyzeChain(t *testing.T) {
	pcm := make([]int16, 16000)
	tone.Sine(pcm, 8000, 1000, 8000, 0)
	tests := []struct {
		name    string
		pt      uint8
		reorder bool
		minDB   float64
	}{
		{"PCMA in order", 8, false, 30},
		{"PCMU in order", 0, false, 30},
		{"PCMA reordered", 8, true, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var payloads [][]byte
			for i := 0; i < len(pcm)/160; i++ {
				enc := make([]byte, 160)
				for j := range enc {
					if tt.pt == 8 {
						enc[j] = g711.EncodeAlawFrame(pcm[i*160+j])
					} else {
						enc[j] = g711.EncodeUlawFrame(pcm[i*160+j])
					}
				}
				payloads = append(payloads, rtpOf(tt.pt, uint16(i), uint32(1000+i*160), enc))
			}
			if tt.reorder {
				for i := 1; i+1 < len(payloads); i += 7 {
					payloads[i], payloads[i+1] = payloads[i+1], payloads[i]
				}
			}
			// Noise toward another address must not be picked.
			payloads = append(payloads, rtpOf(8, 0, 0, make([]byte, 160)))
			udp, err := parsePcap(pcapOf([4]byte{127, 0, 0, 1}, [4]byte{127, 0, 0, 1}, 6000, payloads...))
			if err != nil {
				t.Fatal(err)
			}
			var pkts []rtpAudio
			for _, u := range udp {
				if r, ok := parseRTP(u.Payload); ok {
					pkts = append(pkts, r)
				}
			}
			got := decodeStream(pkts[:len(pkts)-1])
			if len(got) != len(pcm) {
				t.Fatalf("decoded %d samples, want %d", len(got), len(pcm))
			}
			if snr, _ := tone.SteadySNR(got, 8000, 1000, 2000, 300); snr < tt.minDB {
				t.Errorf("SNR %.1f dB, want >= %.0f", snr, tt.minDB)
			}
		})
	}
}

func TestParseRTP(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		ok   bool
		n    int
	}{
		{"plain PCMA", rtpOf(8, 1, 2, make([]byte, 160)), true, 160},
		{"telephone-event", rtpOf(101, 1, 2, make([]byte, 4)), false, 0},
		{"RTCP", []byte{0x80, 200, 0, 6, 1, 2, 3, 4, 5, 6, 7, 8}, false, 0},
		{"short", []byte{0x80, 8}, false, 0},
		{"padding", append(append([]byte{0xa0, 8, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3}, make([]byte, 10)...), 0, 0, 3), true, 10},
		{"extension", append([]byte{0x90, 8, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0, 1, 1, 2, 3, 4}, make([]byte, 20)...), true, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := parseRTP(tt.b)
			if ok != tt.ok || len(r.Payload) != tt.n {
				t.Errorf("ok=%v len=%d, want ok=%v len=%d", ok, len(r.Payload), tt.ok, tt.n)
			}
		})
	}
}

func FuzzParsePcap(f *testing.F) {
	f.Add(pcapOf([4]byte{127, 0, 0, 1}, [4]byte{10, 0, 2, 15}, 10000, rtpOf(8, 1, 160, make([]byte, 160))))
	f.Add([]byte{0xd4, 0xc3, 0xb2, 0xa1})
	f.Add(make([]byte, 40))
	f.Fuzz(func(t *testing.T, b []byte) {
		udp, err := parsePcap(b)
		if err != nil {
			return
		}
		var pkts []rtpAudio
		for _, u := range udp {
			if r, ok := parseRTP(u.Payload); ok {
				pkts = append(pkts, r)
			}
		}
		_ = decodeStream(pkts)
	})
}
