package media

// G.722 (ITU-T G.722, 64 kbit/s mode): sub-band ADPCM at 16 kHz, two bands split by a
// 24-tap QMF, 6 bits for the lower band and 2 for the upper in every byte.
//
// Written from the Recommendation's block descriptions (the block names RECONS, UPPOL2,
// LOGSCL, ... are its own). Still marked experimental because the ITU-T test sequences were
// not available to us; TestG722Golden instead compares bit for bit with spandsp's G.722 (which
// passes them): the encoder matches exactly, the decoder too except that it saturates on
// overload where spandsp wraps around.

// g722Tables are the Recommendation's constant tables, built once per codec instance (no
// package state).
type g722Tables struct {
	qmf  [12]int // QMF coefficients, half of the symmetric 24
	q6   [32]int // lower-band quantizer decision levels
	iln  [32]int // lower-band codes for negative / positive errors
	ilp  [32]int
	wl   [8]int // lower-band log scale factor multipliers
	rl42 [16]int
	ilb  [32]int // scale factor antilog table
	qm4  [16]int // 4-bit inverse quantizer (predictor feedback)
	qm6  [64]int // 6-bit inverse quantizer (decoder output)
	qm2  [4]int  // upper-band inverse quantizer
	ihn  [3]int
	ihp  [3]int
	wh   [3]int
	rh2  [4]int
}

func newG722Tables() *g722Tables {
	return &g722Tables{
		qmf: [12]int{3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11},
		q6: [32]int{0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
			786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0},
		iln: [32]int{0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15,
			14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 0},
		ilp: [32]int{0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43,
			42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 0},
		wl:   [8]int{-60, -30, 58, 172, 334, 538, 1198, 3042},
		rl42: [16]int{0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0},
		ilb: [32]int{2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656,
			2714, 2774, 2834, 2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676,
			3756, 3838, 3922, 4008},
		qm4: [16]int{0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288,
			4240, 2584, 1200, 0},
		qm6: [64]int{-136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280,
			-11192, -10232, -9360, -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008,
			-3576, -3168, -2776, -2400, -2032, -1688, -1360, -1040, -728, 24808, 21904, 19008, 16704,
			14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456, 4944, 4464,
			4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136, -432, -136},
		qm2: [4]int{-7408, -1616, 7408, 1616},
		ihn: [3]int{0, 1, 0},
		ihp: [3]int{0, 3, 2},
		wh:  [3]int{0, -214, 798},
		rh2: [4]int{2, 1, 2, 1},
	}
}

// g722Band is one sub-band's adaptive predictor and scale factor.
type g722Band struct {
	s, sp, sz int    // signal estimate and its pole / zero parts
	r         [3]int // reconstructed signal, now and the two before
	a, ap     [3]int // pole coefficients (1, 2) and their update
	b, bp     [7]int // zero coefficients (1-6) and their update
	d         [7]int // quantised difference, now and six before
	p         [3]int // partial reconstruction, now and two before
	nb        int    // log scale factor
	det       int    // scale factor
}

func sat16(v int) int {
	if v > 32767 {
		return 32767
	}
	if v < -32768 {
		return -32768
	}
	return v
}

// update runs block 4 (RECONS, PARREC, UPPOL2, UPPOL1, UPZERO, DELAYA, FILTEP, FILTEZ,
// PREDIC) with the quantised difference d.
func (b *g722Band) update(d int) {
	b.d[0] = d
	b.r[0] = sat16(b.s + d)
	b.p[0] = sat16(b.sz + d)

	// UPPOL2: second pole coefficient.
	sg0, sg1, sg2 := b.p[0]>>15, b.p[1]>>15, b.p[2]>>15
	wd1 := sat16(b.a[1] << 2)
	wd2 := wd1
	if sg0 == sg1 {
		wd2 = -wd1
	}
	wd2 = min(wd2, 32767)
	wd3 := -128
	if sg0 == sg2 {
		wd3 = 128
	}
	wd3 += wd2 >> 7
	wd3 += (b.a[2] * 32512) >> 15
	b.ap[2] = max(-12288, min(12288, wd3))

	// UPPOL1: first pole coefficient, bounded by the second for stability.
	wd1 = -192
	if sg0 == sg1 {
		wd1 = 192
	}
	b.ap[1] = sat16(wd1 + (b.a[1]*32640)>>15)
	lim := sat16(15360 - b.ap[2])
	b.ap[1] = max(-lim, min(lim, b.ap[1]))

	// UPZERO: sixth-order zero predictor.
	step := 128
	if d == 0 {
		step = 0
	}
	sgd := d >> 15
	for i := 1; i < 7; i++ {
		w := -step
		if b.d[i]>>15 == sgd {
			w = step
		}
		b.bp[i] = sat16(w + (b.b[i]*32640)>>15)
	}

	// DELAYA.
	for i := 6; i > 0; i-- {
		b.d[i] = b.d[i-1]
		b.b[i] = b.bp[i]
	}
	for i := 2; i > 0; i-- {
		b.r[i] = b.r[i-1]
		b.p[i] = b.p[i-1]
		b.a[i] = b.ap[i]
	}

	// FILTEP, FILTEZ, PREDIC.
	b.sp = sat16((b.a[1]*sat16(b.r[1]+b.r[1]))>>15 + (b.a[2]*sat16(b.r[2]+b.r[2]))>>15)
	sz := 0
	for i := 6; i > 0; i-- {
		sz += (b.b[i] * sat16(b.d[i]+b.d[i])) >> 15
	}
	b.sz = sat16(sz)
	b.s = sat16(b.sp + b.sz)
}

// scale runs LOGSCL/LOGSCH and SCALEL/SCALEH: adapt the log scale factor by w, clamp it at
// limit, and turn it into the linear scale factor (shift is 8 for the lower band, 10 upper).
func (b *g722Band) scale(t *g722Tables, w, limit, shift int) {
	b.nb = max(0, min(limit, (b.nb*127)>>7+w))
	wd1 := (b.nb >> 6) & 31
	wd2 := shift - (b.nb >> 11)
	var wd3 int
	if wd2 < 0 {
		wd3 = t.ilb[wd1] << -wd2
	} else {
		wd3 = t.ilb[wd1] >> wd2
	}
	b.det = wd3 << 2
}

// g722 is the codec: independent encoder and decoder states.
type g722 struct {
	t       *g722Tables
	encBand [2]g722Band
	encX    [24]int
	decBand [2]g722Band
	decX    [24]int
}

// NewG722 returns a G.722 64 kbit/s codec (experimental, see the file comment).
func NewG722() Codec {
	c := &g722{t: newG722Tables()}
	c.encBand[0].det, c.encBand[1].det = 32, 8
	c.decBand[0].det, c.decBand[1].det = 32, 8
	return c
}

func (*g722) Name() string { return "G722" }

// ClockRate is 8000: RFC 3551 section 4.5.2 keeps G.722's RTP clock at 8 kHz by an
// historical error, though it samples at 16 kHz.
func (*g722) ClockRate() int       { return 8000 }
func (*g722) SampleRate() int      { return 16000 }
func (*g722) PayloadLen(n int) int { return n / 2 }
func (*g722) Samples(n int) int    { return 2 * n }

// Encode codes pairs of 16 kHz samples into one byte each.
func (c *g722) Encode(dst []byte, pcm []int16) int {
	t := &c.t.qmf
	lo, hi := &c.encBand[0], &c.encBand[1]
	x := &c.encX
	n := 0
	for j := 0; j+1 < len(pcm); j += 2 {
		// Transmit QMF: split into two 8 kHz bands.
		copy(x[:22], x[2:])
		x[22], x[23] = int(pcm[j]), int(pcm[j+1])
		var sumOdd, sumEven int
		for i := 0; i < 12; i++ {
			sumOdd += x[2*i] * t[i]
			sumEven += x[2*i+1] * t[11-i]
		}
		xlow := (sumEven + sumOdd) >> 14
		xhigh := (sumEven - sumOdd) >> 14

		// Lower band: SUBTRA, QUANTL (6 bits), INVQAL on the 4-bit core.
		el := sat16(xlow - lo.s)
		wd := el
		if el < 0 {
			wd = -(el + 1)
		}
		i := 1
		for ; i < 30; i++ {
			if wd < (c.t.q6[i]*lo.det)>>12 {
				break
			}
		}
		ilow := c.t.ilp[i]
		if el < 0 {
			ilow = c.t.iln[i]
		}
		ril := ilow >> 2
		dlow := (lo.det * c.t.qm4[ril]) >> 15
		lo.scale(c.t, c.t.wl[c.t.rl42[ril]], 18432, 8)
		lo.update(dlow)

		// Upper band: SUBTRA, QUANTH (2 bits), INVQAH.
		eh := sat16(xhigh - hi.s)
		wd = eh
		if eh < 0 {
			wd = -(eh + 1)
		}
		mih := 1
		if wd >= (564*hi.det)>>12 {
			mih = 2
		}
		ihigh := c.t.ihp[mih]
		if eh < 0 {
			ihigh = c.t.ihn[mih]
		}
		dhigh := (hi.det * c.t.qm2[ihigh]) >> 15
		hi.scale(c.t, c.t.wh[c.t.rh2[ihigh]], 22528, 10)
		hi.update(dhigh)

		dst[n] = byte(ihigh<<6 | ilow)
		n++
	}
	return n
}

// Decode turns each byte into two 16 kHz samples.
func (c *g722) Decode(dst []int16, payload []byte) int {
	t := &c.t.qmf
	lo, hi := &c.decBand[0], &c.decBand[1]
	x := &c.decX
	n := 0
	for _, code := range payload {
		ilow := int(code) & 0x3f
		ihigh := int(code>>6) & 3

		// Lower band: INVQBL (6 bits) for the output, INVQAL (4 bits) for the predictor.
		rlow := max(-16384, min(16383, lo.s+(lo.det*c.t.qm6[ilow])>>15))
		ril := ilow >> 2
		dlow := (lo.det * c.t.qm4[ril]) >> 15
		lo.scale(c.t, c.t.wl[c.t.rl42[ril]], 18432, 8)
		lo.update(dlow)

		// Upper band.
		dhigh := (hi.det * c.t.qm2[ihigh]) >> 15
		rhigh := max(-16384, min(16383, dhigh+hi.s))
		hi.scale(c.t, c.t.wh[c.t.rh2[ihigh]], 22528, 10)
		hi.update(dhigh)

		// Receive QMF: recombine the bands at 16 kHz.
		copy(x[:22], x[2:])
		x[22], x[23] = rlow+rhigh, rlow-rhigh
		var out1, out2 int
		for i := 0; i < 12; i++ {
			out2 += x[2*i] * t[i]
			out1 += x[2*i+1] * t[11-i]
		}
		dst[n] = int16(sat16(out1 >> 11))
		dst[n+1] = int16(sat16(out2 >> 11))
		n += 2
	}
	return n
}
