package main

import (
	"encoding/binary"
	"sort"

	"github.com/zaf/g711"
)

// rtpAudio is one G.711 RTP payload.
type rtpAudio struct {
	Seq     uint16
	TS      uint32
	SSRC    uint32
	PT      uint8
	Payload []byte
}

// parseRTP returns the G.711 audio of an RTP packet (PT 0 or 8), skipping CSRCs, the
// header extension and padding. Anything else (RTCP, telephone-event, STUN) is not audio.
func parseRTP(b []byte) (rtpAudio, bool) {
	if len(b) < 12 || b[0]>>6 != 2 {
		return rtpAudio{}, false
	}
	pt := b[1] & 0x7f
	if pt != 0 && pt != 8 {
		return rtpAudio{}, false
	}
	off := 12 + 4*int(b[0]&0x0f)
	if b[0]&0x10 != 0 {
		if len(b) < off+4 {
			return rtpAudio{}, false
		}
		off += 4 + 4*int(binary.BigEndian.Uint16(b[off+2:]))
	}
	end := len(b)
	if b[0]&0x20 != 0 && end > 0 {
		end -= int(b[end-1])
	}
	if off > end {
		return rtpAudio{}, false
	}
	return rtpAudio{Seq: binary.BigEndian.Uint16(b[2:]), TS: binary.BigEndian.Uint32(b[4:]),
		SSRC: binary.BigEndian.Uint32(b[8:]), PT: pt, Payload: b[off:end]}, true
}

// decodeStream lays the packets out by RTP timestamp (gaps become silence) and decodes them
// to linear PCM. Timestamps are taken relative to the first packet, with wrap-around.
func decodeStream(pkts []rtpAudio) []int16 {
	pcm, _ := decodeStreamMask(pkts)
	return pcm
}

// decodeStreamMask is decodeStream that also says which samples a packet carried (false
// where a gap was filled with silence).
func decodeStreamMask(pkts []rtpAudio) ([]int16, []bool) {
	if len(pkts) == 0 {
		return nil, nil
	}
	base := pkts[0].TS
	sort.SliceStable(pkts, func(i, j int) bool { return int32(pkts[i].TS-base) < int32(pkts[j].TS-base) })
	base = pkts[0].TS
	last := pkts[len(pkts)-1]
	n := int(last.TS-base) + len(last.Payload)
	if n <= 0 || n > 8000*600 { // ten minutes at most: a corrupt timestamp must not eat memory
		return nil, nil
	}
	out := make([]int16, n)
	got := make([]bool, n)
	for _, p := range pkts {
		at := int(p.TS - base)
		for i, c := range p.Payload {
			if at+i >= n {
				break
			}
			got[at+i] = true
			if p.PT == 8 {
				out[at+i] = g711.DecodeAlawFrame(c)
			} else {
				out[at+i] = g711.DecodeUlawFrame(c)
			}
		}
	}
	return out, got
}
