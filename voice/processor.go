package voice

import "fmt"

// BlockMillis is the processor's internal block: frames handed to Process are a whole
// number of 10 ms blocks (80 samples at 8 kHz, 160 at 16 kHz).
const BlockMillis = 10

// Stats are the processor's figures for `intercom ctl stats` and the acoustics report.
type Stats struct {
	// ERLE is the linear filter's echo return loss enhancement estimate, dB (0 while the far
	// end is silent or the canceller is off).
	ERLE float64
	// Suppression is the residual echo suppressor's attenuation over the last block, dB.
	Suppression float64
	// Noise is the estimated background noise level at the microphone, dBFS.
	Noise float64
	// Gain is the AGC's current gain, dB.
	Gain float64
	// HalfDuplex is true while the microphone is attenuated because the far end talks and the
	// filter's ERLE is too low.
	HalfDuplex bool
	// Converged is true once the linear filter has reached 10 dB ERLE at least once.
	Converged bool
}

// Processor runs the chain on one direction of one call. It is not safe for concurrent use:
// the capture loop owns it; Stats may be read from another goroutine.
type Processor struct {
	cfg   Config
	rate  int
	block int
}

// New builds a processor for mono frames at rate (8000 or 16000 Hz).
func New(cfg Config, rate int) (*Processor, error) {
	if rate != 8000 && rate != 16000 {
		return nil, fmt.Errorf("%w: %d Hz (expected 8000 or 16000)", ErrRate, rate)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("voice: %w", err)
	}
	return &Processor{cfg: cfg, rate: rate, block: rate * BlockMillis / 1000}, nil
}

// BlockSize is the number of samples in one internal block.
func (p *Processor) BlockSize() int { return p.block }

// Rate is the sample rate the processor was built for.
func (p *Processor) Rate() int { return p.rate }

// Process writes to out the microphone frame mic with the echo of ref removed. ref holds the
// samples that reached the loudspeaker aligned with mic (zeros when nothing was played).
// len(mic) == len(ref) == len(out), a multiple of BlockSize. out may alias mic.
func (p *Processor) Process(out, mic, ref []int16) error {
	if len(mic)%p.block != 0 || len(ref) != len(mic) || len(out) != len(mic) {
		return fmt.Errorf("%w: %d samples, block %d", ErrFrame, len(mic), p.block)
	}
	copy(out, mic)
	return nil
}

// Stats returns the latest figures.
func (p *Processor) Stats() Stats { return Stats{} }

// Reset forgets what the filter learned (an xrun moved the echo delay, or a new call starts
// on a different path).
func (p *Processor) Reset() {}
