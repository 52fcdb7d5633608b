package media

import "testing"

// TestDTMFEventVariants: how PBXs and phones shape RFC 4733 events, and the digits each
// must give.
func TestDTMFEventVariants(t *testing.T) {
	type pk struct {
		ts   uint32
		key  rune
		dur  uint16
		end  bool
		copy bool // same sequence number as the packet before
	}
	press := func(ts uint32, key rune, n int, endCopies int) []pk {
		var out []pk
		for i := 1; i <= n; i++ {
			out = append(out, pk{ts: ts, key: key, dur: uint16(160 * i), end: i == n})
		}
		for range endCopies - 1 {
			out = append(out, pk{ts: ts, key: key, dur: uint16(160 * n), end: true, copy: true})
		}
		return out
	}
	cat := func(parts ...[]pk) []pk {
		var out []pk
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	tests := []struct {
		name string
		pkts []pk
		want string
	}{
		{"compliant, three end copies", cat(press(8000, '1', 5, 3), press(9600, '2', 5, 3)), "12"},
		{"same key twice", cat(press(8000, '5', 5, 3), press(9600, '5', 5, 3)), "55"},
		{"restamped every packet", []pk{{8000, '7', 160, false, false}, {8160, '7', 320, false, false}, {8320, '7', 480, false, false},
			{8480, '7', 640, true, false}, {8480, '7', 640, true, true}}, "7"},
		{"restamped, then the key again", []pk{{8000, '7', 160, false, false}, {8160, '7', 160, false, false}, {8320, '7', 160, true, false},
			{9600, '7', 160, false, false}, {9760, '7', 160, true, false}}, "77"},
		{"end packets lost, the key again", cat(press(8000, '3', 4, 0)[:3], press(9600, '3', 5, 3)), "33"},
		{"start lost: end packets only", cat(press(8000, '#', 1, 3), press(9600, '1', 1, 3)), "#1"},
		{"late packet of the previous digit", cat(press(8000, '4', 3, 1), press(9600, '6', 2, 1), []pk{{8000, '4', 480, true, false}}), "46"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newFrameRig(t, "PCMA", Format{8000, 1}, nil)
			from := *r.s.remote.Load()
			seq := uint16(100)
			for i, p := range tt.pkts {
				if i > 0 && !p.copy {
					seq++
				}
				code, _ := DigitEvent(p.key)
				var b [4]byte
				TelephoneEvent{Event: code, Volume: 10, End: p.end, Duration: p.dur}.MarshalTo(b[:])
				r.s.handlePacket(pkt(101, seq, p.ts, 7, b[:]), from, r.now)
			}
			var got []rune
			for len(r.s.events) > 0 {
				if ev := <-r.s.events; ev.Kind == EventDTMF {
					got = append(got, ev.Digit)
				}
			}
			if string(got) != tt.want {
				t.Errorf("digits %q, want %q", string(got), tt.want)
			}
		})
	}
}
