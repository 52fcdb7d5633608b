package media

import "fmt"

// captureConv turns a device's interleaved frames into mono at the codec's rate.
type captureConv struct {
	dev  Format
	mono []int16
	rs   *resampler
}

// playbackConv turns mono at the codec's rate into a device's interleaved frames.
type playbackConv struct {
	dev  Format
	mono []int16
	rs   *resampler
}

// newConverters sizes both directions for frames of ptimeFrames device frames.
func newConverters(dev Format, codecRate, devFrames int) (*captureConv, *playbackConv, error) {
	if err := dev.check(); err != nil {
		return nil, nil, err
	}
	down, err := newResampler(dev.Rate, codecRate)
	if err != nil {
		return nil, nil, err
	}
	up, err := newResampler(codecRate, dev.Rate)
	if err != nil {
		return nil, nil, err
	}
	if devFrames%down.down != 0 {
		return nil, nil, fmt.Errorf("%w: %d frames at %d Hz is not a whole number of %d Hz samples", ErrFormat, devFrames, dev.Rate, codecRate)
	}
	c := &captureConv{dev: dev, mono: make([]int16, devFrames), rs: down}
	p := &playbackConv{dev: dev, mono: make([]int16, devFrames), rs: up}
	// Prime the filters' buffers so the first real frame does not allocate.
	c.rs.process(make([]int16, down.outLen(devFrames)), make([]int16, devFrames))
	p.rs.process(make([]int16, devFrames), make([]int16, down.outLen(devFrames)))
	return c, p, nil
}

// convert takes len(in)/Channels frames and writes their mono, resampled form to out.
func (c *captureConv) convert(out, in []int16) int {
	n := len(in) / c.dev.Channels
	m := c.mono[:n]
	if c.dev.Channels == 2 {
		for i := range m {
			m[i] = int16((int32(in[2*i]) + int32(in[2*i+1])) / 2)
		}
	} else {
		copy(m, in)
	}
	return c.rs.process(out, m)
}

// convert takes mono codec-rate samples and writes interleaved device frames to out,
// returning the frame count.
func (p *playbackConv) convert(out, in []int16) int {
	n := p.rs.outLen(len(in))
	m := p.mono[:n]
	p.rs.process(m, in)
	if p.dev.Channels == 2 {
		for i, v := range m {
			out[2*i] = v
			out[2*i+1] = v
		}
	} else {
		copy(out, m)
	}
	return n
}
