package media

import (
	"fmt"
	"time"
)

// plcGain fades a repeated frame out over successive losses: repetition hides one lost
// packet well, but a held tone becomes a buzz, so after 100 ms there is silence.
func plcGain(run int) (float32, bool) {
	g := [...]float32{1, 0.8, 0.55, 0.3, 0.1}
	if run >= len(g) {
		return 0, false
	}
	return g[run], true
}

// quietLevel is the output level under which the jitter buffer may drop or insert a frame.
const quietLevel = -45.0

// playoutState belongs to the playout loop.
type playoutState struct {
	conv     *playbackConv
	devBuf   []int16 // one playback period, interleaved
	payload  []byte
	fifo     []int16 // decoded samples at the codec's rate not yet played
	fifoLen  int
	last     []int16 // the last good frame, for concealment
	haveLast bool
	plcRun   int
	quiet    bool
}

func (p *playoutState) init(s *Session, conv *playbackConv, f Format, maxPayload int) {
	p.conv = conv
	p.devBuf = make([]int16, s.playFrames*f.Channels)
	p.payload = make([]byte, maxPayload)
	p.fifo = make([]int16, s.codecFrame+s.codec.Samples(maxPayload))
	p.last = make([]int16, s.codecFrame)
	p.quiet = true
}

// playLoop is paced by playback.Write (or, for an unpaced sink such as a WAV file, by the
// session's clock).
func (s *Session) playLoop() error {
	// An unpaced sink is paced by the session's clock from the start.
	s.realtime("playout", s.playPaced || ClockPaced(s.playback))
	for {
		now := s.clk.Now()
		s.playFrame(now)
		_, err := s.playback.Write(s.po.devBuf)
		if s.stopping() {
			return nil
		}
		if err != nil {
			return fmt.Errorf("media: playback: %w", err)
		}
		if !s.playPaced && s.playSpin.spinning(s.clk.Since(now), s.frameDur) {
			s.playPaced = true
			s.log.Warn("media: playback device does not block; pacing it with the clock")
		}
		if s.playPaced && s.playPacer.wait(s.playFrames) != nil {
			return nil
		}
		s.checkTimeout(now)
	}
}

// playFrame fills po.devBuf with the next period: decoded audio, concealment or silence.
func (s *Session) playFrame(now time.Time) {
	p := &s.po
	need := s.codecFrame
	recv := s.dir.Load()&dirRecv != 0
	for p.fifoLen < need {
		room := p.fifo[p.fifoLen:]
		st := PopEmpty
		n := 0
		if recv {
			s.mu.Lock()
			n, st = s.jb.Pop(p.payload, p.quiet, now)
			s.mu.Unlock()
		}
		if st == PopFrame && n == 0 {
			clear(room[:need]) // a telephone-event's slot: silence, not loss
			p.plcRun = 0
			p.fifoLen += need
			continue
		}
		k := 0
		if st == PopFrame && s.codec.Samples(n) <= len(room) {
			k = s.codec.Decode(room, p.payload[:n])
		}
		if k > 0 {
			if k >= need {
				copy(p.last, room[k-need:k])
				p.haveLast = true
			}
			p.plcRun = 0
			s.recvLevel.Store(Level(room[:k]))
			p.fifoLen += k
			continue
		}
		// Missing: repeat the last frame, fading, then silence.
		out := room[:need]
		if g, ok := plcGain(p.plcRun); ok && p.haveLast && (st == PopLost || st == PopEmpty && p.plcRun > 0) {
			for i, v := range p.last {
				out[i] = int16(float32(v) * g)
			}
			p.plcRun++
			s.concealed.Add(1)
		} else {
			clear(out)
			if st == PopLost {
				s.concealed.Add(1)
			}
		}
		p.fifoLen += need
	}
	frame := p.fifo[:need]
	p.quiet = Level(frame) < quietLevel
	p.conv.convert(p.devBuf, frame)
	copy(p.fifo, p.fifo[need:p.fifoLen])
	p.fifoLen -= need
}

// checkTimeout raises EventTimeout once per silence of RTPTimeout while receiving.
func (s *Session) checkTimeout(now time.Time) {
	if s.cfg.RTPTimeout <= 0 || s.dir.Load()&dirRecv == 0 {
		return
	}
	idle := now.Sub(time.Unix(0, s.lastRecv.Load()))
	if idle <= s.cfg.RTPTimeout {
		s.timedOut = false
		return
	}
	if !s.timedOut {
		s.timedOut = true
		s.log.Warn("media: rtp timeout", "idle", idle.Round(time.Millisecond))
		s.emit(Event{Kind: EventTimeout, Stats: s.Stats()})
	}
}
