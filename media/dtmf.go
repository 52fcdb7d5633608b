package media

import (
	"encoding/binary"
	"fmt"
	"math"
)

// TelephoneEvent is the RFC 4733 section 2.3 payload of a telephone-event packet.
type TelephoneEvent struct {
	Event    uint8 // 0-9, 10 = *, 11 = #, 12-15 = A-D
	End      bool
	Volume   uint8  // dBm0 below 0, 0-63
	Duration uint16 // in RTP clock units since the event's timestamp
}

// telephoneEventLen is the size of one event block; further blocks (RFC 4733 section 2.5.1.5
// redundancy is done with RED, not here) are ignored.
const telephoneEventLen = 4

// ParseTelephoneEvent decodes the first event block of payload.
func ParseTelephoneEvent(payload []byte) (TelephoneEvent, error) {
	if len(payload) < telephoneEventLen {
		return TelephoneEvent{}, fmt.Errorf("%w: telephone-event of %d bytes", ErrPacket, len(payload))
	}
	return TelephoneEvent{
		Event:    payload[0],
		End:      payload[1]&0x80 != 0,
		Volume:   payload[1] & 0x3f,
		Duration: binary.BigEndian.Uint16(payload[2:4]),
	}, nil
}

// MarshalTo writes the event into b (at least 4 bytes) and returns 4.
func (e TelephoneEvent) MarshalTo(b []byte) int {
	b[0] = e.Event
	b[1] = e.Volume & 0x3f
	if e.End {
		b[1] |= 0x80
	}
	binary.BigEndian.PutUint16(b[2:4], e.Duration)
	return telephoneEventLen
}

const dtmfDigits = "0123456789*#ABCD"

// DigitEvent maps a DTMF digit to its RFC 4733 event code.
func DigitEvent(d rune) (uint8, error) {
	if d >= 'a' && d <= 'd' {
		d -= 'a' - 'A'
	}
	for i, c := range dtmfDigits {
		if c == d {
			return uint8(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrDTMF, d)
}

// EventDigit maps an RFC 4733 event code 0-15 to its digit; other events (flash, tones) give
// false.
func EventDigit(e uint8) (rune, bool) {
	if int(e) < len(dtmfDigits) {
		return rune(dtmfDigits[e]), true
	}
	return 0, false
}

// dtmfFreqs are the row and column frequencies of a digit (ITU-T Q.23).
func dtmfFreqs(event uint8) (low, high float64) {
	rows := [4]float64{697, 770, 852, 941}
	cols := [4]float64{1209, 1336, 1477, 1633}
	// Keypad layout: 1 2 3 A / 4 5 6 B / 7 8 9 C / * 0 # D.
	pos := [16][2]int{
		{3, 1}, {0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}, {2, 0}, {2, 1}, {2, 2},
		{3, 0}, {3, 2}, {0, 3}, {1, 3}, {2, 3}, {3, 3},
	}
	p := pos[event&15]
	return rows[p[0]], cols[p[1]]
}

// dtmfTone generates a digit's dual tone into pcm, continuing from sample index start.
// Each component is at about -10 dBFS, within Q.24's accepted level and twist.
func dtmfTone(pcm []int16, event uint8, rate, start int) {
	lo, hi := dtmfFreqs(event)
	const amp = 0.3 * 32767
	for i := range pcm {
		t := float64(start+i) / float64(rate)
		pcm[i] = int16(amp*math.Sin(2*math.Pi*lo*t) + amp*math.Sin(2*math.Pi*hi*t))
	}
}
