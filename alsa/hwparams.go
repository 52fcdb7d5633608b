package alsa

// HWParams is struct snd_pcm_hw_params byte for byte: the kernel refines it in place (HW_REFINE)
// and commits it (HW_PARAMS). Every field is 32-bit except fifo_size (unsigned long, so
// uintptr), which makes the Go layout match C on 32- and 64-bit targets: 604 and 608 bytes,
// asserted in layout_test.go.
type HWParams struct {
	flags     uint32
	masks     [3]mask // access, format, subformat
	mres      [5]mask
	intervals [12]interval // sample_bits .. tick_time
	ires      [9]interval
	rmask     uint32
	cmask     uint32
	info      uint32
	msbits    uint32
	rateNum   uint32
	rateDen   uint32
	fifoSize  uintptr
	reserved  [64]byte
}

type mask struct{ bits [8]uint32 }

type interval struct {
	min, max uint32
	// flags holds the C bitfields openmin:1, openmax:1, integer:1, empty:1 (LSB first on
	// the little-endian targets we build for).
	flags uint32
}

const (
	ivOpenMin = 1 << iota
	ivOpenMax
	ivInteger
	ivEmpty
)

// Param names one hw parameter (SNDRV_PCM_HW_PARAM_*).
type Param int

const (
	ParamAccess    Param = 0
	ParamFormat    Param = 1
	ParamSubformat Param = 2

	ParamSampleBits  Param = 8
	ParamFrameBits   Param = 9
	ParamChannels    Param = 10
	ParamRate        Param = 11
	ParamPeriodTime  Param = 12
	ParamPeriodSize  Param = 13
	ParamPeriodBytes Param = 14
	ParamPeriods     Param = 15
	ParamBufferTime  Param = 16
	ParamBufferSize  Param = 17
	ParamBufferBytes Param = 18
	ParamTickTime    Param = 19

	firstInterval = ParamSampleBits
)

// AccessRWInterleaved is SNDRV_PCM_ACCESS_RW_INTERLEAVED: readi/writei of interleaved frames.
const AccessRWInterleaved = 3

// Any resets p to "everything allowed", the starting point of a refine.
func (p *HWParams) Any() {
	*p = HWParams{}
	for i := range p.masks {
		for j := range p.masks[i].bits {
			p.masks[i].bits[j] = ^uint32(0)
		}
	}
	for i := range p.intervals {
		p.intervals[i] = interval{min: 0, max: ^uint32(0)}
	}
	p.rmask = ^uint32(0)
	p.info = ^uint32(0)
}

// Test reports whether value v is in mask param m.
func (p *HWParams) Test(m Param, v int) bool {
	if m > ParamSubformat || v < 0 || v >= 256 {
		return false
	}
	return p.masks[m].bits[v/32]&(1<<(v%32)) != 0
}

// SetOnly restricts mask param m to the single value v.
func (p *HWParams) SetOnly(m Param, v int) {
	mk := &p.masks[m]
	for i := range mk.bits {
		mk.bits[i] = 0
	}
	mk.bits[v/32] = 1 << (v % 32)
}

// Clear removes value v from mask param m.
func (p *HWParams) Clear(m Param, v int) { p.masks[m].bits[v/32] &^= 1 << (v % 32) }

// MaskEmpty reports whether mask param m allows nothing.
func (p *HWParams) MaskEmpty(m Param) bool {
	for _, b := range p.masks[m].bits {
		if b != 0 {
			return false
		}
	}
	return true
}

// Range returns the integer range [min, max] interval param i allows, open ends excluded.
func (p *HWParams) Range(i Param) (lo, hi int) {
	iv := p.intervals[i-firstInterval]
	// Clamp to int32 so 32-bit targets see "unbounded" as a large positive number.
	lo, hi = int(min(iv.min, 1<<31-1)), int(min(iv.max, 1<<31-1))
	if iv.flags&ivOpenMin != 0 {
		lo++
	}
	if iv.flags&ivOpenMax != 0 && hi > lo {
		hi--
	}
	return lo, hi
}

// Empty reports whether interval param i allows nothing (the kernel's empty flag or min > max).
func (p *HWParams) Empty(i Param) bool {
	iv := p.intervals[i-firstInterval]
	return iv.flags&ivEmpty != 0 || iv.min > iv.max
}

// SetRange restricts interval param i to the integers [lo, hi].
func (p *HWParams) SetRange(i Param, lo, hi int) {
	p.intervals[i-firstInterval] = interval{min: uint32(lo), max: uint32(hi), flags: ivInteger}
}

// SetValue restricts interval param i to exactly v.
func (p *HWParams) SetValue(i Param, v int) { p.SetRange(i, v, v) }

// Value is the single value of interval param i, or the low end when it is still a range.
func (p *HWParams) Value(i Param) int {
	lo, _ := p.Range(i)
	return lo
}
