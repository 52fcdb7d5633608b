package app

import (
	"context"
	"fmt"
	"net"
	"sync"

	"github.com/doorsip/intercom/internal/audio"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/sip"
)

// call is one SIP dialog and the media session that carries its audio. A blind transfer
// (REFER from the PBX) replaces the dialog underneath while the controller keeps seeing the
// same call.
type call struct {
	p  *phone
	sc *sip.Call // guarded by mu once the call is known to the phone
	id string    // the first dialog's Call-ID: what the controller knows the call by
	in bool

	// next is the dialog a transfer is setting up; it replaces sc when answered.
	next     *sip.Call
	nextConn *net.UDPConn
	nextKey  []byte
	ended    bool // Ended was reported to the controller

	dtmf dtmfMerge // one key press, one digit, whichever paths it came by

	mu     sync.Mutex
	conn   *net.UDPConn // allocated with the offer (outgoing) or the answer (incoming)
	key    []byte       // our SRTP master key and salt, when we offered SRTP
	sess   *media.Session
	beep   *beepCapture
	early  bool         // sess was started by a 183's answer and the call is not answered yet
	codec  sip.Codec    // what sess sends and expects
	held   bool         // we put the far end on hold: the door neither sends nor plays
	voice  *audio.Voice // the hands-free processing of the session's devices, if any
	cancel context.CancelFunc
	done   chan struct{}

	info sendQueue[rune]     // SIP INFO digits (dtmfinfo.go)
	dlg  sendQueue[dialogOp] // hold, unhold and transfer requests (dialogops.go)
}

func newCall(p *phone, sc *sip.Call) *call {
	return &call{p: p, sc: sc, id: sc.ID(), in: sc.Incoming()}
}

// leg is the dialog currently carrying the call.
func (c *call) leg() *sip.Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sc
}

func (c *call) ID() string     { return c.id }
func (c *call) Remote() string { return c.leg().Remote() }
func (c *call) Incoming() bool { return c.in }

func (c *call) Ring() error { c.leg().Ring(); return nil }

func (c *call) Reject(code int) error { c.leg().Reject(code); return nil }

// Hangup ends the call, including a transfer leg still ringing.
func (c *call) Hangup() error {
	c.mu.Lock()
	sc, next := c.sc, c.next
	c.mu.Unlock()
	if next != nil {
		next.Hangup()
	}
	sc.Hangup()
	return nil
}

// Answer opens an RTP port, answers with our codecs and starts the audio at once: the far
// end may send RTP as soon as it has our 200 OK, before its ACK reaches us. A late-offer
// call's audio starts when the ACK brings the answer.
func (c *call) Answer() error {
	conn, offer, key, err := c.p.offer(true)
	if err != nil {
		c.leg().Reject(500)
		return err
	}
	c.mu.Lock()
	c.conn, c.key = conn, key
	c.mu.Unlock()
	sc := c.leg()
	if err := sc.Answer(offer); err != nil {
		c.closeConn()
		return err
	}
	if sc.AwaitingAnswer() {
		// Late offer: our offer went in the 200 and the peer answers in its ACK; the
		// Answered event that ACK raises starts the media with what it agreed.
		return nil
	}
	if err := c.startMedia(); err != nil {
		c.leg().Hangup()
		return err
	}
	return nil
}

// SendDTMF prefers RFC 4733 in the media stream; SIP INFO when the peer has no
// telephone-event or the media is not running.
func (c *call) SendDTMF(digit rune) error {
	c.mu.Lock()
	s := c.sess
	c.mu.Unlock()
	sc := c.leg()
	if s != nil && sc.Negotiated().DTMFPayloadType != 0 {
		return s.SendDTMF(digit)
	}
	return c.sendINFO(digit)
}

// PlayTone mixes a short tone into what we send: the far end hears it, the door does not.
func (c *call) PlayTone(kind string) error {
	c.mu.Lock()
	b := c.beep
	c.mu.Unlock()
	if b == nil {
		return errNoMedia
	}
	switch kind {
	case "warning":
		b.start(3, 1000) // three short 1 kHz beeps
	default:
		return fmt.Errorf("app: unknown tone %q", kind)
	}
	return nil
}

func (c *call) startMedia() error { return c.startSession(false) }

// startSession starts the call's audio; early (a 183 with SDP) plays what the far end sends
// and sends nothing, since nobody has answered the visitor yet.
func (c *call) startSession(early bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != nil {
		return nil
	}
	if c.conn == nil {
		return errNoMedia
	}
	n := c.sc.Negotiated()
	dir := n.Direction
	if early {
		dir = earlyDirection(dir)
	}
	c.early, c.codec = early, n.Codec
	p := c.p
	mc, ac := p.settings()
	keys, err := srtpKeys(mc.SRTP, c.key, n.Crypto)
	if err != nil {
		return err
	}
	p.fb.callStarts()
	capDev, playDev, vo, err := openDevices(ac, p)
	if err != nil {
		p.fb.callEnds(nil)
		return err
	}
	var mixer *promptMixer
	if ac.Capture != "echo" {
		mixer = p.fb.attach(playDev)
		playDev = mixer
	}
	beep := newBeepCapture(capDev)
	c.beep = beep
	sess, err := media.NewSession(media.SessionConfig{
		Conn:            c.conn,
		Remote:          n.Remote,
		Codec:           n.Codec.Name,
		PayloadType:     n.Codec.PayloadType,
		ClockRate:       n.Codec.ClockRate,
		DTMFPayloadType: n.DTMFPayloadType,
		Ptime:           n.Ptime,
		DTMFDuration:    mc.DTMFDuration,
		DTMFGap:         mc.DTMFGap,
		Direction:       dir,
		Jitter:          mc.Jitter,
		JitterMax:       mc.JitterMax,
		RTPTimeout:      mc.RTPTimeout,
		RTPriority:      mc.RTPriority,
		DSCP:            mc.DSCP,
		SRTP:            keys,
	}, beep, playDev, media.Options{Logger: p.log.With("call", c.ID()), Clock: p.clk})
	if err != nil {
		capDev.Close()
		playDev.Close()
		p.fb.callEnds(mixer)
		return fmt.Errorf("app: media: %w", err)
	}
	p.mu.Lock()
	parent := p.ctx
	p.mu.Unlock()
	ctx, cancel := context.WithCancel(parent)
	c.sess, c.voice, c.cancel, c.done = sess, vo, cancel, make(chan struct{})
	p.wg.Add(2)
	go func() {
		defer p.wg.Done()
		defer close(c.done)
		if err := sess.Run(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("media session ended", "call", c.ID(), "err", err)
		}
		// The session owns the devices it was given only while it runs.
		beep.Close()
		playDev.Close()
		p.fb.callEnds(mixer)
	}()
	go func() {
		defer p.wg.Done()
		c.forward(ctx, sess)
	}()
	return nil
}

// forward turns media events into controller events for this call.
func (c *call) forward(ctx context.Context, s *media.Session) {
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-s.Events():
			switch ev.Kind {
			case media.EventDTMF:
				path := dtmfEvent
				if ev.InBand {
					path = dtmfInBand
				}
				if c.dtmf.accept(ev.Digit, path, arrivedAt(ev.At, c.p.clk)) {
					c.p.emit(doorDTMF(c, ev.Digit))
				}
			case media.EventTimeout:
				c.p.emit(doorTimeout(c))
			case media.EventStats:
				st := ev.Stats
				c.p.log.Info("call audio", "call", c.ID(), "sent", st.PacketsSent, "received", st.PacketsReceived,
					"lost", st.Lost, "send_dbfs", trunc1(st.SendLevel), "recv_dbfs", trunc1(st.RecvLevel),
					"jitter_ms", st.Jitter.Milliseconds(), "buffer_ms", st.JitterDelay.Milliseconds())
			}
		}
	}
}

func (c *call) updateMedia() {
	c.mu.Lock()
	s := c.sess
	sc := c.sc
	held := c.held
	c.mu.Unlock()
	if s == nil {
		return
	}
	n := sc.Negotiated()
	s.SetRemote(n.Remote)
	if held {
		s.SetDirection("inactive")
		return
	}
	s.SetDirection(n.Direction)
}

// stopMedia ends the session, logs its final figures and releases the RTP port.
func (c *call) stopMedia() {
	c.stopSession()
	c.closeConn()
}

// stopSession ends the session and waits for its devices to close; the RTP port stays.
func (c *call) stopSession() {
	c.mu.Lock()
	s, cancel, done := c.sess, c.cancel, c.done
	c.sess, c.voice, c.cancel, c.early = nil, nil, nil, false
	c.mu.Unlock()
	if s != nil {
		cancel()
		<-done
		s.Close()
		// After Run: its last drain of the socket counts in the totals.
		st := s.Stats()
		c.p.log.Info("call audio total", "call", c.ID(), "sent", st.PacketsSent, "received", st.PacketsReceived,
			"lost", st.Lost, "concealed", st.Concealed, "send_dbfs", trunc1(st.SendLevel), "recv_dbfs", trunc1(st.RecvLevel),
			// What was refused, so a call that heard nothing says whether nothing came.
			"late", st.Late, "foreign", st.Foreign, "wrong_ssrc", st.WrongSSRC, "invalid", st.Invalid)
	}
}

func (c *call) closeConn() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// trunc1 cuts f to one decimal toward zero (log figures, not arithmetic).
func trunc1(f float64) float64 { return float64(int(f*10)) / 10 }

// srtpKeys pairs our key with the peer's a=crypto; with mode "mandatory" a call whose peer
// did not accept SRTP does not get media (the caller hangs up), plain RTP would leak the
// conversation at the door.
func srtpKeys(mode string, local []byte, remote string) (*media.SRTPKeys, error) {
	if local == nil || remote == "" {
		if mode == "mandatory" {
			return nil, fmt.Errorf("app: %w", errSRTPRequired)
		}
		return nil, nil
	}
	rc, err := media.ParseSDESCrypto("1 " + remote)
	if err != nil {
		return nil, fmt.Errorf("app: peer's crypto: %w", err)
	}
	return &media.SRTPKeys{Profile: rc.Suite, LocalKey: local, RemoteKey: rc.Key}, nil
}

// openDevices opens the call's audio: the [audio] devices (with the hands-free processing
// between them when both are sound cards), or for "echo" one loop that plays the far end
// back to itself (`intercom echo`, for measuring a call's round trip).
func openDevices(ac audio.Config, p *phone) (media.Capture, media.Playback, *audio.Voice, error) {
	if ac.Capture == "echo" {
		c, pl := media.NewEcho(media.Format{Rate: 8000, Channels: 1}, p.clk)
		return c, pl, nil, nil
	}
	d, err := audio.OpenDevices(ac, audio.Options{Logger: p.log, Clock: p.clk, OpenPCM: p.openPCM})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("app: %w", err)
	}
	return d.Capture, d.Playback, d.Voice, nil
}
