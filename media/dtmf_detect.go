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
	for i, k := range d.coef {
		var s1, s2 float64
		for _, x := range d.block {
			s0 := x + k*s1 - s2
			s2, s1 = s1, s0
		}
		// Normalised so a pure tone at a bin gives about 1.
		p[i] = 2 * (s1*s1 + s2*s2 - k*s1*s2) / (n * energy)
	}
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

func best(p []float64) int {
	b := 0
	for i := range p {
		if p[i] > p[b] {
			b = i
		}
	}
	return b
}
