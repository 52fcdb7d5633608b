package media

import "math"

// dtmfDetector finds DTMF digits in received audio, for peers that send digits as tones
// instead of telephone-events: Goertzel over a 20 ms window (resolution enough to tell 697
// from 770 Hz) every 10 ms. A digit needs two consecutive windows (30 ms of tone) and is
// reported once, re-armed by a window without it, so ten digits a second (50 ms tone, 50 ms
// gap) are each seen once.
type dtmfDetector struct {
	rate    int
	block   []float64
	n       int
	bins    [8]float64 // the four row then four column frequencies
	coef    [8]float64
	last    int // digit event of the previous block, -1 for none
	run     int
	emitted bool
}

func newDTMFDetector(rate int) *dtmfDetector {
	d := &dtmfDetector{rate: rate, block: make([]float64, rate/50), last: -1,
		bins: [8]float64{697, 770, 852, 941, 1209, 1336, 1477, 1633}}
	for i, f := range d.bins {
		d.coef[i] = 2 * math.Cos(2*math.Pi*f/float64(rate))
	}
	return d
}

// feed takes received samples and reports a digit when one is recognised.
func (d *dtmfDetector) feed(pcm []int16) (rune, bool) {
	var digit rune
	var found bool
	for _, v := range pcm {
		d.block[d.n] = float64(v) / 32768
		d.n++
		if d.n < len(d.block) {
			continue
		}
		ev := d.analyse()
		// Slide by half a window.
		half := len(d.block) / 2
		copy(d.block, d.block[half:])
		d.n = len(d.block) - half
		if ev >= 0 && ev == d.last {
			d.run++
		} else {
			d.run = 1
			d.emitted = false
		}
		d.last = ev
		if ev >= 0 && d.run >= 2 && !d.emitted {
			d.emitted = true
			digit, found = EventDigit(uint8(ev))
		}
	}
	return digit, found
}

// analyse returns the event code of the digit in the current block, or -1.
func (d *dtmfDetector) analyse() int {
	n := float64(len(d.block))
	var energy float64
	for _, x := range d.block {
		energy += x * x
	}
	// Below about -45 dBFS there is nothing to detect.
	if energy/n < 3e-5 {
		return -1
	}
	var p [8]float64
	d.goertzel4(p[0:4], d.coef[0:4], n*energy)
	d.goertzel4(p[4:8], d.coef[4:8], n*energy)
	row, col := best(p[0:4]), best(p[4:8])
	pr, pc := p[row], p[4+col]
	if pr+pc < 0.6 || pr < 0.1 || pc < 0.1 {
		return -1 // not mostly two tones, or twist beyond about 7 dB
	}
	for i := 0; i < 4; i++ {
		if (i != row && p[i] > pr/4) || (i != col && p[4+i] > pc/4) {
			return -1
		}
	}
	for ev := uint8(0); ev < 16; ev++ {
		lo, hi := dtmfFreqs(ev)
		if lo == d.bins[row] && hi == d.bins[4+col] {
			return int(ev)
		}
	}
	return -1
}

// goertzel4 runs four Goertzel filters over the block in one pass, each power normalised by
// norm so that a pure tone at a bin gives about 1. One filter's recurrence is a chain of
// dependent multiply-adds; four side by side keep the FPU busy (and fit in the registers of
// amd64 and an ARM11's VFP), about three times faster than four passes.
func (d *dtmfDetector) goertzel4(p []float64, k []float64, norm float64) {
	k0, k1, k2, k3 := k[0], k[1], k[2], k[3]
	var a1, a2, b1, b2, c1, c2, e1, e2 float64
	for _, x := range d.block {
		a1, a2 = x+k0*a1-a2, a1
		b1, b2 = x+k1*b1-b2, b1
		c1, c2 = x+k2*c1-c2, c1
		e1, e2 = x+k3*e1-e2, e1
	}
	p[0] = 2 * (a1*a1 + a2*a2 - k0*a1*a2) / norm
	p[1] = 2 * (b1*b1 + b2*b2 - k1*b1*b2) / norm
	p[2] = 2 * (c1*c1 + c2*c2 - k2*c1*c2) / norm
	p[3] = 2 * (e1*e1 + e2*e2 - k3*e1*e2) / norm
}

func best(p []float64) int {
	b := 0
	for i := range p {
		if p[i] > p[b] {
			b = i
		}
	}
	return b
}
