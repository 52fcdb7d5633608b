package media

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/zaf/g711"
)

// Codec turns mono PCM at SampleRate into RTP payloads and back. Implementations keep their
// state (G.722's predictors) inside and never allocate in Encode or Decode.
type Codec interface {
	// Name is the SDP encoding name ("PCMA", "PCMU", "G722", "L16").
	Name() string
	// ClockRate is the RTP timestamp rate (8000 for G.722 too, RFC 3551 section 4.5.2).
	ClockRate() int
	// SampleRate is the PCM rate Encode takes and Decode gives.
	SampleRate() int
	// Encode writes the payload for pcm into dst and returns its length. dst must hold
	// PayloadLen(len(pcm)) bytes.
	Encode(dst []byte, pcm []int16) int
	// Decode writes the samples of payload into dst and returns how many. dst must hold
	// Samples(len(payload)).
	Decode(dst []int16, payload []byte) int
	// PayloadLen is the payload size for n samples.
	PayloadLen(n int) int
	// Samples is the sample count in a payload of n bytes.
	Samples(n int) int
}

// NewCodec returns the codec for an SDP encoding name. clockRate is the negotiated rate; 0
// takes the codec's usual one. Only L16 accepts rates other than its default (8, 16, 48 kHz).
func NewCodec(name string, clockRate int) (Codec, error) {
	switch strings.ToUpper(name) {
	case "PCMA":
		if clockRate != 0 && clockRate != 8000 {
			break
		}
		return alaw{}, nil
	case "PCMU":
		if clockRate != 0 && clockRate != 8000 {
			break
		}
		return ulaw{}, nil
	case "G722":
		if clockRate != 0 && clockRate != 8000 {
			break
		}
		return NewG722(), nil
	case "L16":
		switch clockRate {
		case 0:
			return l16{rate: 8000}, nil
		case 8000, 16000, 48000:
			return l16{rate: clockRate}, nil
		}
	default:
		return nil, fmt.Errorf("%w: %q (expected PCMA, PCMU, G722 or L16)", ErrCodec, name)
	}
	return nil, fmt.Errorf("%w: %s at %d Hz", ErrCodec, name, clockRate)
}

// alaw is G.711 A-law (RTP payload type 8).
type alaw struct{}

func (alaw) Name() string         { return "PCMA" }
func (alaw) ClockRate() int       { return 8000 }
func (alaw) SampleRate() int      { return 8000 }
func (alaw) PayloadLen(n int) int { return n }
func (alaw) Samples(n int) int    { return n }

func (alaw) Encode(dst []byte, pcm []int16) int {
	for i, v := range pcm {
		dst[i] = g711.EncodeAlawFrame(v)
	}
	return len(pcm)
}

func (alaw) Decode(dst []int16, payload []byte) int {
	for i, v := range payload {
		dst[i] = g711.DecodeAlawFrame(v)
	}
	return len(payload)
}

// ulaw is G.711 µ-law (RTP payload type 0).
type ulaw struct{}

func (ulaw) Name() string         { return "PCMU" }
func (ulaw) ClockRate() int       { return 8000 }
func (ulaw) SampleRate() int      { return 8000 }
func (ulaw) PayloadLen(n int) int { return n }
func (ulaw) Samples(n int) int    { return n }

func (ulaw) Encode(dst []byte, pcm []int16) int {
	for i, v := range pcm {
		dst[i] = g711.EncodeUlawFrame(v)
	}
	return len(pcm)
}

func (ulaw) Decode(dst []int16, payload []byte) int {
	for i, v := range payload {
		dst[i] = g711.DecodeUlawFrame(v)
	}
	return len(payload)
}

// l16 is linear 16-bit PCM in network byte order (RFC 3551 section 4.5.11), mono.
type l16 struct{ rate int }

func (l16) Name() string         { return "L16" }
func (c l16) ClockRate() int     { return c.rate }
func (c l16) SampleRate() int    { return c.rate }
func (l16) PayloadLen(n int) int { return 2 * n }
func (l16) Samples(n int) int    { return n / 2 }

func (l16) Encode(dst []byte, pcm []int16) int {
	for i, v := range pcm {
		binary.BigEndian.PutUint16(dst[2*i:], uint16(v))
	}
	return 2 * len(pcm)
}

func (l16) Decode(dst []int16, payload []byte) int {
	n := len(payload) / 2
	for i := 0; i < n; i++ {
		dst[i] = int16(binary.BigEndian.Uint16(payload[2*i:]))
	}
	return n
}
