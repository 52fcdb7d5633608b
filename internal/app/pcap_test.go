package app

import (
	"encoding/binary"
	"math"
	"os"
	"testing"
	"time"

	"github.com/doorsip/intercom/media"
)

// rtpCapture builds the RTP stream a PBX would send, as a pcap file sipp's play_pcap_audio
// replays (Ethernet, IPv4, UDP; sipp takes the UDP payloads and their timing).
type rtpCapture struct {
	pkts [][]byte
	at   []time.Duration
	seq  uint16
	ts   uint32 // timestamp of the next audio frame
	now  time.Duration
	pcma media.Codec
}

func newRTPCapture(t *testing.T) *rtpCapture {
	c, err := media.NewCodec("PCMA", 8000)
	if err != nil {
		t.Fatal(err)
	}
	return &rtpCapture{seq: 1000, ts: 16000, pcma: c}
}

func (c *rtpCapture) add(pt uint8, marker bool, seq uint16, ts uint32, payload []byte) {
	b := make([]byte, 12, 12+len(payload))
	b[0] = 0x80
	b[1] = pt
	if marker {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:], seq)
	binary.BigEndian.PutUint32(b[4:], ts)
	binary.BigEndian.PutUint32(b[8:], 0x5eed)
	c.pkts = append(c.pkts, append(b, payload...))
	c.at = append(c.at, c.now)
}

// audio adds n 20 ms PCMA frames: silence, or the DTMF tone of digit (0 for none).
func (c *rtpCapture) audio(n int, digit rune) {
	pcm := make([]int16, 160)
	for range n {
		clear(pcm)
		if digit != 0 {
			lo, hi := dtmfFreqs(digit)
			for i := range pcm {
				x := float64(c.ts + uint32(i))
				pcm[i] = int16(6000*math.Sin(2*math.Pi*lo*x/8000) + 6000*math.Sin(2*math.Pi*hi*x/8000))
			}
		}
		payload := make([]byte, 160)
		c.pcma.Encode(payload, pcm)
		c.add(8, false, c.seq, c.ts, payload)
		c.seq++
		c.ts += 160
		c.now += 20 * time.Millisecond
	}
}

// eventStyle is how a PBX shapes RFC 4733 events.
type eventStyle struct {
	marker    bool     // marker bit on the first packet
	durations []uint16 // the duration field of each update packet (the last is the end)
	endCopies int      // how many times the end packet goes out
	sameSeq   bool     // end copies share one sequence number (Linphone, Asterisk)
	restamp   bool     // every packet carries the current timestamp, not the event's start
}

// event adds one digit as RFC 4733 (payload type 101), then 100 ms of silence.
func (c *rtpCapture) event(digit rune, st eventStyle) {
	code, _ := media.DigitEvent(digit)
	start := c.ts
	for i, d := range st.durations {
		end := i == len(st.durations)-1
		copies := 1
		if end {
			copies = st.endCopies
		}
		for k := range copies {
			flags := byte(10) // volume -10 dBm0
			if end {
				flags |= 0x80
			}
			ts := start
			if st.restamp {
				ts = c.ts
			}
			c.add(101, st.marker && i == 0, c.seq, ts, []byte{code, flags, byte(d >> 8), byte(d)})
			if !st.sameSeq || k == copies-1 {
				c.seq++
			}
		}
		c.ts += 160
		c.now += 20 * time.Millisecond
	}
	c.audio(5, 0)
}

func dtmfFreqs(d rune) (float64, float64) {
	const keys = "123A456B789C*0#D"
	rows := [4]float64{697, 770, 852, 941}
	cols := [4]float64{1209, 1336, 1477, 1633}
	for i, k := range keys {
		if k == d {
			return rows[i/4], cols[i%4]
		}
	}
	return 0, 0
}

// write stores the capture as a pcap file.
func (c *rtpCapture) write(t *testing.T, path string) {
	var b []byte
	b = binary.LittleEndian.AppendUint32(b, 0xa1b2c3d4)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, 65535)
	b = binary.LittleEndian.AppendUint32(b, 1) // Ethernet
	base := time.Unix(1_700_000_000, 0)
	for i, p := range c.pkts {
		frame := make([]byte, 14+20+8, 14+20+8+len(p))
		binary.BigEndian.PutUint16(frame[12:], 0x0800)
		ip := frame[14:34]
		ip[0] = 0x45
		binary.BigEndian.PutUint16(ip[2:], uint16(20+8+len(p)))
		ip[8], ip[9] = 64, 17
		copy(ip[12:], []byte{192, 0, 2, 1})
		copy(ip[16:], []byte{192, 0, 2, 2})
		udp := frame[34:42]
		binary.BigEndian.PutUint16(udp[0:], 40000)
		binary.BigEndian.PutUint16(udp[2:], 10000)
		binary.BigEndian.PutUint16(udp[4:], uint16(8+len(p)))
		frame = append(frame, p...)
		at := base.Add(c.at[i])
		b = binary.LittleEndian.AppendUint32(b, uint32(at.Unix()))
		b = binary.LittleEndian.AppendUint32(b, uint32(at.Nanosecond()/1000))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(frame)))
		b = append(b, frame...)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
