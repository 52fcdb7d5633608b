package media

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func newTestJB() *JitterBuffer {
	return NewJitterBuffer(JitterConfig{Target: 40 * time.Millisecond, Max: 200 * time.Millisecond,
		Ptime: 20 * time.Millisecond, ClockRate: 8000, MaxPayload: 160})
}

// op is one step of a jitter-buffer script: insert seq (pop=false) or pop once.
type op struct {
	pop bool
	seq uint16
}

func ins(seqs ...uint16) []op {
	var o []op
	for _, s := range seqs {
		o = append(o, op{seq: s})
	}
	return o
}

func pops(n int) []op { return slices.Repeat([]op{{pop: true}}, n) }

func TestJitterBufferOrdering(t *testing.T) {
	tests := []struct {
		name   string
		script []op
		want   string // popped: seq numbers, L for lost, - for empty
		check  func(JitterStats) error
	}{
		{"in order", slices.Concat(ins(1, 2, 3, 4), pops(4)), "1 2 3 4", nil},
		{"waits for the target", slices.Concat(ins(1), pops(2), ins(2), pops(2)), "- - 1 2", nil},
		{"reorder before playing", slices.Concat(ins(3, 1, 2, 4, 5, 6), pops(6)), "1 2 3 4 5 6", nil},
		{"reorder while playing", slices.Concat(ins(1, 2), pops(1), ins(4, 3), pops(3)), "1 2 3 4", nil},
		{"duplicates dropped", slices.Concat(ins(1, 2, 2, 1, 3), pops(3)), "1 2 3",
			func(s JitterStats) error { return want(s.Duplicates, 2, "duplicates") }},
		{"sequence wrap", slices.Concat(ins(65534, 65535, 0, 1), pops(4)), "65534 65535 0 1", nil},
		{"loss is concealed", slices.Concat(ins(1, 2, 4, 5), pops(5)), "1 2 L 4 5",
			func(s JitterStats) error { return want(s.Lost, 1, "lost") }},
		{"late after its turn", slices.Concat(ins(1, 3, 4), pops(2), ins(2), pops(2)), "1 L 3 4",
			func(s JitterStats) error { return want(s.Late, 1, "late") }},
		{"dry: conceal twice, then refill to target (silence suppression)", slices.Concat(ins(1, 2), pops(5), ins(3), pops(1), ins(4), pops(2)), "1 2 L L - - 3 4",
			func(s JitterStats) error { return want(s.Underruns, 1, "underruns") }},
		{"sender restart resets", slices.Concat(ins(1, 2), pops(2), ins(30000, 30001), pops(2)), "1 2 30000 30001",
			func(s JitterStats) error { return want(s.Resets, 1, "resets") }},
		{"sender restart lower down", slices.Concat(ins(30000, 30001, 30002), pops(3), ins(5, 6, 7, 8, 9, 10, 11, 12, 13), pops(2)), "30000 30001 30002 12 13",
			func(s JitterStats) error { return want(s.Resets, 1, "resets") }},
		{"event slots play as empty frames", slices.Concat(ins(1), []op{{seq: 2 | 0x8000}}, ins(3), pops(3)), "1 E 3", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			jb := newTestJB()
			now := time.Unix(0, 0)
			var got []string
			buf := make([]byte, 160)
			for _, o := range tc.script {
				now = now.Add(time.Millisecond)
				if !o.pop {
					if o.seq&0x8000 != 0 && o.seq < 0x9000 { // marker for an empty (event) payload
						jb.Insert(o.seq&0x7fff, uint32(o.seq&0x7fff)*160, nil, now)
						continue
					}
					var p [2]byte
					binary.BigEndian.PutUint16(p[:], o.seq)
					jb.Insert(o.seq, uint32(o.seq)*160, p[:], now)
					continue
				}
				n, st := jb.Pop(buf, false, now)
				switch {
				case st == PopLost:
					got = append(got, "L")
				case st == PopEmpty:
					got = append(got, "-")
				case n == 0:
					got = append(got, "E")
				default:
					got = append(got, fmt.Sprint(binary.BigEndian.Uint16(buf)))
				}
			}
			if g := fmt.Sprint(got); g != "["+tc.want+"]" {
				t.Errorf("played %s, want [%s]", g, tc.want)
			}
			if tc.check != nil {
				if err := tc.check(jb.Stats()); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func want(got, w int64, what string) error {
	if got != w {
		return fmt.Errorf("%s = %d, want %d", what, got, w)
	}
	return nil
}

func TestJitterBufferBounded(t *testing.T) {
	jb := newTestJB()
	now := time.Unix(0, 0)
	payload := make([]byte, 160)
	for i := 0; i < 100000; i++ {
		// A stalled playout and a sender that never stops, with some wild sequence numbers.
		seq := uint16(i)
		if i%97 == 0 {
			seq = uint16(i * 7919)
		}
		jb.Insert(seq, uint32(i)*160, payload, now)
		if d := jb.Stats().Depth; d > len(jb.slots) {
			t.Fatalf("depth %d beyond %d slots after %d packets", d, len(jb.slots), i)
		}
	}
	if jb.Insert(1, 0, make([]byte, 161), now) || jb.Stats().Oversize != 1 {
		t.Error("oversize payload accepted")
	}
}

// arrival is one packet of a simulated stream.
type arrival struct {
	seq uint16
	ts  uint32
	at  time.Duration
}

// pattern generates five minutes of 20 ms packets as they reach the receiver.
type pattern struct {
	name    string
	loss    float64 // probability a packet never arrives
	drift   float64 // sender clock rate relative to ours, minus one
	delay   func(r *rand.Rand, k int) time.Duration
	maxMean time.Duration // 0 = report only
	seq0    uint16        // first sequence number and timestamp, to cross the wraps
	ts0     uint32
}

func lanDelay(r *rand.Rand, _ int) time.Duration {
	return time.Millisecond + time.Duration(r.Float64()*float64(500*time.Microsecond))
}

func (p pattern) generate(frames int) []arrival {
	r := rand.New(rand.NewPCG(1, uint64(len(p.name))))
	var out []arrival
	for k := 0; k < frames; k++ {
		if r.Float64() < p.loss {
			continue
		}
		sent := time.Duration(float64(k) * float64(20*time.Millisecond) / (1 + p.drift))
		out = append(out, arrival{seq: p.seq0 + uint16(k), ts: p.ts0 + uint32(k)*160, at: sent + p.delay(r, k)})
	}
	slices.SortStableFunc(out, func(a, b arrival) int { return cmp.Compare(a.at, b.at) })
	return out
}

func TestJitterBufferSimulation(t *testing.T) {
	const frames = 5 * 60 * 50
	patterns := []pattern{
		{name: "LAN", delay: lanDelay, maxMean: 40 * time.Millisecond},
		{name: "LAN, 32-bit wrap", delay: lanDelay, maxMean: 40 * time.Millisecond, seq0: 65000, ts0: 0xffff0000},
		{name: "LAN, 2^31 crossing", delay: lanDelay, maxMean: 40 * time.Millisecond, seq0: 32000, ts0: 0x7fff0000},
		{name: "Wi-Fi bursts", delay: func(r *rand.Rand, k int) time.Duration {
			d := 3*time.Millisecond + time.Duration(r.ExpFloat64()*float64(2*time.Millisecond))
			// Every 3 s the link stalls for 150 ms and the queue drains at once.
			if pos := k % 150; pos < 8 {
				d += time.Duration(8-pos) * 20 * time.Millisecond
			}
			return d
		}},
		{name: "5% loss", loss: 0.05, delay: lanDelay},
		{name: "reorder", delay: func(r *rand.Rand, k int) time.Duration {
			if r.Float64() < 0.05 {
				return 25 * time.Millisecond // overtaken by the next packet
			}
			return lanDelay(r, k)
		}},
		{name: "50 ppm fast sender", drift: 50e-6, delay: lanDelay},
		{name: "50 ppm slow sender", drift: -50e-6, delay: lanDelay},
	}
	for _, p := range patterns {
		t.Run(p.name, func(t *testing.T) {
			arr := p.generate(frames)
			jb := newTestJB()
			arrivedAt := make(map[uint16]time.Duration)
			payload := make([]byte, 160)
			buf := make([]byte, 160)
			var delays []time.Duration
			var concealed, empty int
			start := time.Unix(1000, 0)
			i := 0
			// Our playout clock ticks every 20 ms, at a phase unrelated to the sender's.
			for tick := 7 * time.Millisecond; i < len(arr) || tick < arr[len(arr)-1].at; tick += 20 * time.Millisecond {
				for ; i < len(arr) && arr[i].at <= tick; i++ {
					a := arr[i]
					binary.BigEndian.PutUint16(payload, a.seq)
					if jb.Insert(a.seq, a.ts, payload, start.Add(a.at)) {
						arrivedAt[a.seq] = a.at
					}
				}
				// Speech with pauses: 1.2 s talk, 0.8 s quiet.
				quiet := (tick/time.Millisecond)%2000 >= 1200
				n, st := jb.Pop(buf, quiet, start.Add(tick))
				switch st {
				case PopFrame:
					if n >= 2 {
						delays = append(delays, tick-arrivedAt[binary.BigEndian.Uint16(buf)])
					}
				case PopLost:
					concealed++
				case PopEmpty:
					empty++
				}
			}
			slices.Sort(delays)
			var sum time.Duration
			for _, d := range delays {
				sum += d
			}
			mean := sum / time.Duration(len(delays))
			p99 := delays[len(delays)*99/100]
			st := jb.Stats()
			t.Logf("%-18s added delay mean %5.1f ms p99 %5.1f ms; played %d, concealed %d, silent %d, dropped %d, late %d, underruns %d, target %s",
				p.name, float64(mean)/1e6, float64(p99)/1e6, len(delays), concealed, empty, st.Dropped, st.Late, st.Underruns, st.Target)
			if p.maxMean > 0 && (mean > p.maxMean || p99 > p.maxMean) {
				t.Errorf("added delay mean %s p99 %s, want both <= %s", mean, p99, p.maxMean)
			}
			if played := len(delays) + concealed; played < frames*9/10 {
				t.Errorf("only %d of %d frames played", played, frames)
			}
		})
	}
}

func TestJitterTargetAdapts(t *testing.T) {
	jb := newTestJB()
	start := time.Unix(1000, 0)
	buf := make([]byte, 160)
	payload := make([]byte, 160)
	seq := uint16(0)
	// feed sends d worth of packets, each delayed by delay(k), and plays them out.
	feed := func(from, d time.Duration, delay func(k int) time.Duration) {
		type a struct {
			seq uint16
			at  time.Duration
		}
		var arr []a
		for k := 0; time.Duration(k)*20*time.Millisecond < d; k++ {
			arr = append(arr, a{seq, from + time.Duration(k)*20*time.Millisecond + delay(k)})
			seq++
		}
		slices.SortStableFunc(arr, func(x, y a) int { return cmp.Compare(x.at, y.at) })
		i := 0
		for tick := from; tick < from+d; tick += 20 * time.Millisecond {
			for ; i < len(arr) && arr[i].at <= tick; i++ {
				jb.Insert(arr[i].seq, uint32(arr[i].seq)*160, payload, start.Add(arr[i].at))
			}
			jb.Pop(buf, false, start.Add(tick+7*time.Millisecond))
		}
	}
	feed(0, 10*time.Second, func(int) time.Duration { return time.Millisecond })
	if got := jb.Stats().Target; got != 40*time.Millisecond {
		t.Fatalf("calm start: target %s, want 40ms", got)
	}
	feed(10*time.Second, 10*time.Second, func(k int) time.Duration {
		if k%100 < 4 {
			return time.Duration(4-k%100) * 20 * time.Millisecond // 80 ms stalls
		}
		return time.Millisecond
	})
	grown := jb.Stats().Target
	if grown < 100*time.Millisecond {
		t.Fatalf("after stalls: target %s, want >= 100ms", grown)
	}
	feed(20*time.Second, 3*time.Minute, func(int) time.Duration { return time.Millisecond })
	if got := jb.Stats().Target; got != 40*time.Millisecond {
		t.Errorf("after 3 calm minutes: target %s (was %s), want back at 40ms", got, grown)
	}
}
