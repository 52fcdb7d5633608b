package media

import (
	"errors"
	"testing"

	"github.com/pion/rtcp"
)

func TestReportPackets(t *testing.T) {
	mustMarshal := func(p ...rtcp.Packet) []byte {
		b, err := rtcp.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sr := &rtcp.SenderReport{SSRC: 5, NTPTime: 1 << 40, Reports: []rtcp.ReceptionReport{{SSRC: 7, Delay: 9}}}
	rr := &rtcp.ReceiverReport{SSRC: 6}
	sdes := &rtcp.SourceDescription{Chunks: []rtcp.SourceDescriptionChunk{{Source: 5, Items: []rtcp.SourceDescriptionItem{{Type: rtcp.SDESCNAME, Text: "x"}}}}}
	xr := &rtcp.ExtendedReport{SenderSSRC: 5, Reports: []rtcp.ReportBlock{&rtcp.ReceiverReferenceTimeReportBlock{NTPTimestamp: 1}}}
	compound := mustMarshal(sr, sdes, xr, rr, &rtcp.Goodbye{Sources: []uint32{5}})
	for _, tc := range []struct {
		name  string
		b     []byte
		types []string // of the packets returned, in order
		err   bool
	}{
		{"sr, sdes, xr, rr, bye", compound, []string{"sr", "rr"}, false},
		{"xr only", mustMarshal(xr), nil, false},
		{"empty", nil, nil, true},
		{"truncated", compound[:len(compound)-2], nil, true},
		{"short header", []byte{0x80, 0xc9}, nil, true},
		{"bad version", []byte{0x40, 0xc9, 0, 0}, nil, true},
		{"length past the end", []byte{0x80, 0xc9, 0, 1, 0, 0, 0}, nil, true},
		{"sr shorter than its header says", []byte{0x81, 0xc8, 0, 1, 0, 0, 0, 5}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pkts, err := reportPackets(tc.b)
			if tc.err {
				if err == nil {
					t.Fatalf("no error, %d packets", len(pkts))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range pkts {
				switch p.(type) {
				case *rtcp.SenderReport:
					got = append(got, "sr")
				case *rtcp.ReceiverReport:
					got = append(got, "rr")
				default:
					got = append(got, "other")
				}
			}
			if len(got) != len(tc.types) {
				t.Fatalf("packets %v, want %v", got, tc.types)
			}
			for i := range got {
				if got[i] != tc.types[i] {
					t.Fatalf("packets %v, want %v", got, tc.types)
				}
			}
		})
	}
	if _, err := reportPackets(nil); !errors.Is(err, ErrPacket) {
		t.Fatalf("empty: %v, want ErrPacket", err)
	}
}
