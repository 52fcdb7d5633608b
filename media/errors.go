package media

import "errors"

// Sentinel errors; wrap them with %w and context.
var (
	// ErrClosed is returned by devices and sessions used after Close.
	ErrClosed = errors.New("media: closed")
	// ErrFormat reports an unsupported Format (rate or channel count).
	ErrFormat = errors.New("media: unsupported format")
	// ErrWAV reports a WAV file that is not 16-bit PCM or is malformed.
	ErrWAV = errors.New("media: bad wav file")
	// ErrCodec reports an unknown codec name or a codec/clock-rate mismatch.
	ErrCodec = errors.New("media: unsupported codec")
	// ErrNoPorts means no even port pair in the range could be bound.
	ErrNoPorts = errors.New("media: no free rtp port")
	// ErrConfig reports an invalid SessionConfig.
	ErrConfig = errors.New("media: bad session config")
	// ErrDTMF reports a digit that is not 0-9, *, #, A-D.
	ErrDTMF = errors.New("media: bad dtmf digit")
	// ErrDTMFBusy means the queue of digits to send is full.
	ErrDTMFBusy = errors.New("media: dtmf queue full")
	// ErrSTUN means the STUN server gave no usable answer (the RTP socket's public
	// address stays unknown).
	ErrSTUN = errors.New("media: stun")
	// ErrPacket reports an RTP/RTCP packet that failed validation.
	ErrPacket = errors.New("media: bad packet")
)
