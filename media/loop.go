package media

import (
	"fmt"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// maxDrain bounds the datagrams one period takes from the socket: a flood waits there (and
// overflows there) rather than holding up the period's send and playout.
const maxDrain = 64

// oneLoop reports whether send and playout run in one goroutine: when both devices wait on
// the clock rather than on a card. Their waits then end at the same instants (each advances
// by one period per call), so after the first period the capture's wait has always ended by
// the time the playback's does, and the call costs one wake-up per period instead of two on
// different threads.
func (s *Session) oneLoop() bool {
	return ClockPaced(s.capture) && (s.playPaced || ClockPaced(s.playback))
}

// drainsRTP reports whether the one loop also reads the RTP socket, once per period, from a
// descriptor taken out of the netpoller (udpIO.detach), instead of a receive goroutine: on
// the real clock (the devices' waits are timerfds, pacer_linux.go) and where the kernel
// stamps each datagram's arrival, so the jitter buffer sees when a packet came, not when it
// was read. The fake clock keeps the receive goroutine: tests that send a packet expect it
// taken without moving the clock.
func (s *Session) drainsRTP() bool {
	_, real := s.clk.(clock.Real)
	return real && s.oneLoop() && s.rtpIO.canDetach()
}

// mediaLoop is sendLoop and playLoop in one: read a period, send it, play a period, write
// it; with drain, first take the datagrams that came during the last period.
func (s *Session) mediaLoop(drain bool) error {
	for {
		start := s.clk.Now()
		if drain {
			if err := s.drainRTP(start); err != nil {
				return err
			}
		}
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

// drainRTP handles the datagrams waiting on the detached RTP socket, each at its arrival.
func (s *Session) drainRTP(now time.Time) error {
	for range maxDrain {
		n, from, at, ok, err := s.rtpIO.recvNow(s.rx.buf)
		if err != nil {
			if s.stopping() {
				return nil
			}
			return fmt.Errorf("media: rtp read: %w", err)
		}
		if !ok {
			return nil
		}
		if n == len(s.rx.buf) {
			s.invalid.Add(1) // truncated by our buffer: oversize
			if s.rtpIO.drained() {
				return nil
			}
			continue
		}
		arrived := now
		if age := now.UnixNano() - at; at > 0 && age > 0 && age < int64(time.Second) {
			arrived = now.Add(-time.Duration(age))
		}
		s.handlePacket(s.rx.buf[:n], from, arrived)
		if s.rtpIO.drained() {
			return nil
		}
	}
	return nil
}
