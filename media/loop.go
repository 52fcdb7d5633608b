package media

import "fmt"

// oneLoop reports whether send and playout run in one goroutine: when both devices wait on
// the clock rather than on a card. Their waits then end at the same instants (each advances
// by one period per call), so after the first period the capture's wait has always ended by
// the time the playback's does, and the call costs one wake-up per period instead of two on
// different threads.
func (s *Session) oneLoop() bool {
	return ClockPaced(s.capture) && (s.playPaced || ClockPaced(s.playback))
}

// mediaLoop is sendLoop and playLoop in one: read a period, send it, play a period, write it.
func (s *Session) mediaLoop() error {
	for {
		start := s.clk.Now()
		n, err := s.capture.Read(s.tx.devBuf)
		if s.stopping() {
			return nil
		}
		if err != nil {
			return fmt.Errorf("media: capture: %w", err)
		}
		if n < s.capFrames {
			clear(s.tx.devBuf[n*s.capture.Format().Channels:])
		}
		now := s.clk.Now()
		s.sendFrame(now)
		s.playFrame(now)
		_, err = s.playback.Write(s.po.devBuf)
		if s.stopping() {
			return nil
		}
		if err != nil {
			return fmt.Errorf("media: playback: %w", err)
		}
		// One of the two devices must have waited about a period; if neither does, the
		// session paces the loop itself (on the playback side, as an unpaced sink is).
		if !s.playPaced && s.playSpin.spinning(s.clk.Since(start), s.frameDur) {
			s.playPaced = true
			s.log.Warn("media: devices do not block; pacing them with the clock")
		}
		if s.playPaced && s.playPacer.wait(s.playFrames) != nil {
			return nil
		}
		s.checkTimeout(now)
	}
}
