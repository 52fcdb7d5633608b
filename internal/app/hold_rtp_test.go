package app

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
	"github.com/doorsip/intercom/media"
)

// rtpPhone is the media side of a test phone: it records every RTP packet the door sends
// (sequence number, timestamp, level) and, once the door's first packet shows where it
// sends from (symmetric RTP), plays a 1 kHz PCMA tone back every 20 ms.
type rtpPhone struct {
	conn *net.UDPConn
	pcma media.Codec
	sent atomic.Int64

	mu         sync.Mutex
	pkts       []phonePacket
	keepalives int // RFC 6263 keepalives (a STUN Binding indication, 20 bytes)
	other      int // anything else
	door       *net.UDPAddr
}

type phonePacket struct {
	seq   uint16
	ts    uint32
	level float64
	at    time.Time // when the phone read it
}

func startRTPPhone(t *testing.T) *rtpPhone {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := media.NewCodec("PCMA", 8000)
	if err != nil {
		t.Fatal(err)
	}
	p := &rtpPhone{conn: conn, pcma: c}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.read() }()
	go func() { defer wg.Done(); p.play(ctx) }()
	t.Cleanup(func() { cancel(); conn.Close(); wg.Wait() })
	return p
}

func (p *rtpPhone) port() int { return p.conn.LocalAddr().(*net.UDPAddr).Port }

func (p *rtpPhone) read() {
	buf := make([]byte, 1500)
	pcm := make([]int16, 160)
	for {
		n, from, err := p.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		p.mu.Lock()
		switch {
		case n == 12+160 && buf[1]&0x7f == 8:
			k := p.pcma.Decode(pcm, buf[12:n])
			p.pkts = append(p.pkts, phonePacket{seq: binary.BigEndian.Uint16(buf[2:]), ts: binary.BigEndian.Uint32(buf[4:]),
				level: media.Level(pcm[:k]), at: time.Now()})
			if p.door == nil {
				p.door = from
			}
		case n == 20 && buf[0] == 0x00 && buf[1] == 0x11:
			p.keepalives++
		default:
			p.other++
		}
		p.mu.Unlock()
	}
}

func (p *rtpPhone) play(ctx context.Context) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	pkt := make([]byte, 12+160)
	pcm := make([]int16, 160)
	var seq uint16
	var ts uint32
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		p.mu.Lock()
		to := p.door
		p.mu.Unlock()
		if to == nil {
			continue
		}
		for i := range pcm {
			pcm[i] = int16(8000 * math.Sin(2*math.Pi*1000*float64(ts+uint32(i))/8000))
		}
		pkt[0], pkt[1] = 0x80, 8
		binary.BigEndian.PutUint16(pkt[2:], seq)
		binary.BigEndian.PutUint32(pkt[4:], ts)
		binary.BigEndian.PutUint32(pkt[8:], 0x0f0e)
		p.pcma.Encode(pkt[12:], pcm)
		if _, err := p.conn.WriteToUDP(pkt, to); err == nil {
			p.sent.Add(1)
		}
		seq++
		ts += 160
	}
}

func (p *rtpPhone) received() []phonePacket {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]phonePacket(nil), p.pkts...)
}

func (p *rtpPhone) nonAudio() (keepalives, other int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.keepalives, p.other
}

// TestSippHoldMeasured measures both holds at the phone's RTP socket. The door holds the
// phone (control op): while held the door sends no audio and takes nothing of what the
// phone keeps sending (inactive); the phone holds the door for 2 s (a=sendonly, as music
// on hold): the door sends no audio and plays what the phone sends (recvonly, as answered).
// The door's audio shows each hold as one jump in RTP time between consecutive sequence
// numbers: no audio packet, silent or not, went out during it. What it does send is one
// RFC 6263 keepalive (a STUN Binding indication) as the session and each hold start, to open
// and keep open a NAT; nothing else.
func TestSippHoldMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	ph := startRTPPhone(t)
	s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: filepath.Join("testdata", "sipp", "uas_hold_measure.xml"),
		Args: []string{"-mp", strconv.Itoa(testpeer.SippMediaPort(t)), "-key", "phone_rtp", strconv.Itoa(ph.port())}})
	a := startUnit(t, "door", testpeer.FreePort(t), "")
	ctx := context.Background()
	do := func(op door.Op) {
		t.Helper()
		if _, err := a.Controller().Do(ctx, door.Command{Op: op}); err != nil {
			t.Fatalf("%s: %v", op, err)
		}
	}
	stats := func() media.Stats {
		st, _ := a.CallStats()
		return st
	}
	direction := func() string {
		if cs := a.phone.snapshot(); len(cs) == 1 {
			return cs[0].leg().Negotiated().Direction
		}
		return ""
	}
	playedFor := func(n int64) {
		t.Helper()
		from := ph.sent.Load()
		waitUntil(t, 10*time.Second, "the phone's tone", func() bool { return ph.sent.Load() >= from+n })
	}

	if _, err := a.Controller().Do(ctx, door.Command{Op: door.OpCall, Arg: s.URI("resident")}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "the door's audio at the phone", func() bool { return len(ph.received()) >= 25 })

	do(door.OpHold)
	before := stats()
	playedFor(50) // 1 s of the phone's tone while it is held
	held := stats()
	if d := held.PacketsReceived - before.PacketsReceived; d != 0 {
		t.Errorf("the door took %d of the phone's packets while holding it, want 0", d)
	}
	do(door.OpUnhold)

	waitUntil(t, 10*time.Second, "the phone's hold (recvonly)", func() bool { return direction() == "recvonly" })
	// Wait for the door to take ten of the phone's packets, not for a count within a window
	// of the phone's sending: a starved door reads them late, but within the 2 s hold.
	mohFrom := stats()
	var moh media.Stats
	dir := ""
	waitUntil(t, 10*time.Second, "the phone's tone at the door, or the hold's end", func() bool {
		moh, dir = stats(), direction()
		return moh.PacketsReceived-mohFrom.PacketsReceived >= 10 || dir != "recvonly"
	})
	if d := moh.PacketsReceived - mohFrom.PacketsReceived; d < 10 || moh.RecvLevel < -30 {
		t.Errorf("while held by the phone the door played %d packets at %.1f dBFS (direction now %q), want its tone", d, moh.RecvLevel, dir)
	}
	waitUntil(t, 15*time.Second, "the phone's hang-up", func() bool { return a.Controller().Status().State == door.Idle })
	if err := s.Wait(t, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	pkts := ph.received()
	// A pause shows in RTP time as the frames the door captured while it sent nothing, and at
	// the phone as time between arrivals. Either can fall short of the hold on a loaded
	// machine: the door's pacer drops what it falls 200 ms behind on (380 ms of RTP time for
	// the 2 s phone hold at load 19), a starved phone reads late; the longer is the measure.
	type gap struct {
		after int
		dur   time.Duration // in RTP time
		wall  time.Duration // between the arrivals
	}
	var gaps []gap
	minLevel, maxLevel := math.Inf(1), math.Inf(-1)
	for i, p := range pkts {
		minLevel, maxLevel = min(minLevel, p.level), max(maxLevel, p.level)
		if i == 0 {
			continue
		}
		q := pkts[i-1]
		if p.seq != q.seq+1 {
			t.Errorf("sequence %d after %d: the phone missed or reordered a packet", p.seq, q.seq)
		}
		if d := p.ts - q.ts; d != 160 {
			gaps = append(gaps, gap{i, time.Duration(d) * time.Second / 8000, p.at.Sub(q.at).Round(time.Millisecond)})
		}
	}
	keepalives, other := ph.nonAudio()
	var shown []string
	for _, g := range gaps {
		shown = append(shown, fmt.Sprintf("after %d: %v of RTP time, %v between arrivals", g.after, g.dur, g.wall))
	}
	t.Logf("door stream at the phone: %d audio packets, level %.1f to %.1f dBFS; gaps %v; "+
		"%d keepalives, %d other packets; door hold: phone sent 50, door took %d; phone hold: door played %d packets, last at %.1f dBFS",
		len(pkts), minLevel, maxLevel, shown, keepalives, other, held.PacketsReceived-before.PacketsReceived,
		moh.PacketsReceived-mohFrom.PacketsReceived, moh.RecvLevel)
	if keepalives > 3 || other != 0 {
		t.Errorf("%d keepalives and %d other packets, want at most one keepalive at the start and per hold, nothing else", keepalives, other)
	}
	if len(gaps) != 2 {
		t.Fatalf("%d gaps in the door's stream, want 2 (its hold, the phone's hold): %v", len(gaps), shown)
	}
	// The door held while the phone sent 50 packets: 49 ticks of 20 ms at least, 980 ms
	// (998 ms between arrivals was seen); 900 ms leaves a frame's jitter either side.
	if p := max(gaps[0].dur, gaps[0].wall); p < 900*time.Millisecond {
		t.Errorf("door hold: the stream paused %v, want about the 1 s held", p)
	}
	if p := max(gaps[1].dur, gaps[1].wall); p < time.Second {
		t.Errorf("phone hold: the stream paused %v, want about the 2 s held", p)
	}
	if minLevel < -40 {
		t.Errorf("the door sent a packet at %.1f dBFS: silence instead of nothing?", minLevel)
	}
}
