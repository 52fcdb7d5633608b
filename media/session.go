package media

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/doorsip/intercom/internal/clock"
)

// SessionConfig is one negotiated media stream.
type SessionConfig struct {
	// Conn is the RTP socket (from ListenRTP); the Session owns it and closes it.
	Conn *net.UDPConn
	// RTCPConn is the RTCP socket; nil binds Conn's port + 1 if free, else runs without RTCP.
	RTCPConn *net.UDPConn
	// Remote is where the peer's SDP says to send RTP.
	Remote netip.AddrPort
	// Codec is the SDP encoding name; PayloadType its negotiated number; ClockRate 0 takes
	// the codec's usual rate.
	Codec       string
	PayloadType uint8
	ClockRate   int
	// DTMFPayloadType is the negotiated telephone-event type; 0 sends DTMF as in-band tones.
	// In-band tones are detected either way: a PBX may transcode the peer's events to tones.
	DTMFPayloadType uint8
	// Ptime is the packet duration (10-60 ms); 0 means 20 ms.
	Ptime time.Duration
	// DTMFDuration and DTMFGap shape the digits SendDTMF sends (rounded up to whole
	// packets); 0 means 60 ms and 40 ms.
	DTMFDuration, DTMFGap time.Duration
	// Jitter is the jitter buffer's starting and minimum target; JitterMax its cap. Both 0
	// means 40 ms and 200 ms.
	Jitter, JitterMax time.Duration
	// RTPTimeout raises EventTimeout after this long without valid RTP while receiving; 0
	// disables it.
	RTPTimeout time.Duration
	// RTPriority is the SCHED_FIFO priority of the send and playout loops; 0 leaves them
	// under normal scheduling.
	RTPriority int
	// DSCP marks outgoing packets (46 = EF); 0 leaves the default.
	DSCP int
	// Direction is the initial SDP direction; "" means sendrecv.
	Direction string
	// SRTP, when non-nil, protects RTP and RTCP (SDES).
	SRTP *SRTPKeys
	// LatchPackets is how many consecutive valid packets from one new address move our
	// destination there (symmetric RTP); 0 means 5, negative disables latching.
	LatchPackets int
}

// SRTPKeys are the SDES master keys (key followed by salt, 30 bytes for
// AES_CM_128_HMAC_SHA1_80) of both directions.
type SRTPKeys struct {
	Profile   string // "AES_CM_128_HMAC_SHA1_80" (the only one supported)
	LocalKey  []byte // what we encrypt with (our a=crypto line)
	RemoteKey []byte // what the peer encrypts with (its a=crypto line)
}

// Options are a Session's collaborators.
type Options struct {
	Logger *slog.Logger
	Clock  clock.Clock
}

// Direction bits.
const (
	dirSend = 1 << iota
	dirRecv
)

func parseDirection(s string) (int32, error) {
	switch s {
	case "", "sendrecv":
		return dirSend | dirRecv, nil
	case "sendonly":
		return dirSend, nil
	case "recvonly":
		return dirRecv, nil
	case "inactive":
		return 0, nil
	}
	return 0, fmt.Errorf("%w: direction %q (expected sendrecv, sendonly, recvonly or inactive)", ErrConfig, s)
}

// Session is one call's media: a send loop paced by the capture device, a playout loop paced
// by the playback device, and a receive loop on the socket.
type Session struct {
	cfg      SessionConfig
	codec    Codec
	log      *slog.Logger
	clk      clock.Clock
	capture  Capture
	playback Playback

	frameDur   time.Duration
	codecFrame int    // PCM samples per packet at the codec's sample rate
	tsPerFrame uint32 // RTP clock ticks per packet
	capFrames  int    // device frames per packet, capture side
	playFrames int
	latchN     int
	events     chan Event
	dtmfQ      chan uint8
	dir        atomic.Int32
	remote     atomic.Pointer[netip.AddrPort]
	srtp       *srtpState
	rtcp       *rtcpState
	// Our own pacing for devices that do not block: always for a sink that says so
	// (Paced() false), and from the first sign of spinning for any other (spinGuard).
	capPacer, playPacer *pacer
	capPaced, playPaced bool // the pacer is in use
	capSpin, playSpin   spinGuard
	lastRecv            atomic.Int64 // unix ns of the last valid packet
	eventsLost          atomic.Int64
	rtWarned            atomic.Bool
	runMu               sync.Mutex
	running             bool
	closed              bool
	quit                chan struct{}
	quitOnce            sync.Once
	wg                  sync.WaitGroup
	sent                counters
	recvd               counters
	invalid             atomic.Int64
	wrongSSRC           atomic.Int64
	foreign             atomic.Int64
	dupRecv             atomic.Int64 // packets whose sequence number was already received
	stun                atomic.Int64 // STUN messages on the RTP and RTCP ports
	unprotected         atomic.Int64 // plain RTCP on an SRTP session (unprotectedRTCP)
	keepalivesSent      atomic.Int64 // STUN indications sent while not sending audio
	concealed           atomic.Int64
	dtmfSent            atomic.Int64
	dtmfRecvd           atomic.Int64
	sendLevel           atomicFloat
	recvLevel           atomicFloat
	tx                  txState
	rx                  rxState
	po                  playoutState
	mu                  sync.Mutex // guards jb and rx's source/SSRC state
	jb                  *JitterBuffer
	timedOut            bool
	rtpIO               udpIO // raw sendto/recvfrom on cfg.Conn
}

type counters struct{ packets, bytes atomic.Int64 }

// NewSession checks cfg and prepares every buffer the loops will use.
func NewSession(cfg SessionConfig, capture Capture, playback Playback, opts Options) (*Session, error) {
	if cfg.Conn == nil {
		return nil, fmt.Errorf("%w: no Conn", ErrConfig)
	}
	if capture == nil || playback == nil {
		return nil, fmt.Errorf("%w: capture and playback are required", ErrConfig)
	}
	codec, err := NewCodec(cfg.Codec, cfg.ClockRate)
	if err != nil {
		return nil, err
	}
	if cfg.PayloadType > 127 || (cfg.DTMFPayloadType != 0 && (cfg.DTMFPayloadType > 127 || cfg.DTMFPayloadType == cfg.PayloadType)) {
		return nil, fmt.Errorf("%w: payload types %d/%d", ErrConfig, cfg.PayloadType, cfg.DTMFPayloadType)
	}
	if cfg.Ptime == 0 {
		cfg.Ptime = 20 * time.Millisecond
	}
	if cfg.Ptime < 10*time.Millisecond || cfg.Ptime > 60*time.Millisecond || cfg.Ptime%(5*time.Millisecond) != 0 {
		return nil, fmt.Errorf("%w: ptime %s (expected 10ms to 60ms in 5ms steps)", ErrConfig, cfg.Ptime)
	}
	if cfg.Jitter == 0 && cfg.JitterMax == 0 {
		cfg.Jitter, cfg.JitterMax = 40*time.Millisecond, 200*time.Millisecond
	}
	if cfg.Jitter < 0 || cfg.JitterMax > 2*time.Second {
		return nil, fmt.Errorf("%w: jitter %s / jitter_max %s", ErrConfig, cfg.Jitter, cfg.JitterMax)
	}
	if cfg.JitterMax < cfg.Jitter {
		cfg.JitterMax = cfg.Jitter
	}
	if cfg.RTPriority < 0 || cfg.RTPriority > 99 || cfg.DSCP < 0 || cfg.DSCP > 63 || cfg.RTPTimeout < 0 {
		return nil, fmt.Errorf("%w: rt_priority %d, dscp %d, rtp_timeout %s", ErrConfig, cfg.RTPriority, cfg.DSCP, cfg.RTPTimeout)
	}
	dir, err := parseDirection(cfg.Direction)
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	s := &Session{
		cfg: cfg, codec: codec, log: opts.Logger.With("codec", codec.Name()), clk: opts.Clock,
		capture: capture, playback: playback,
		frameDur: cfg.Ptime,
		events:   make(chan Event, 64),
		dtmfQ:    make(chan uint8, 32),
		quit:     make(chan struct{}),
		latchN:   cfg.LatchPackets,
	}
	if s.latchN == 0 {
		s.latchN = 5
	}
	s.dir.Store(dir)
	s.sendLevel.Store(LevelFloor)
	s.recvLevel.Store(LevelFloor)
	remote := unmap(cfg.Remote)
	s.remote.Store(&remote)
	s.codecFrame = codec.SampleRate() * int(cfg.Ptime/time.Millisecond) / 1000
	s.tsPerFrame = uint32(codec.ClockRate() * int(cfg.Ptime/time.Millisecond) / 1000)

	cf, pf := capture.Format(), playback.Format()
	if err := cf.check(); err != nil {
		return nil, fmt.Errorf("media: capture: %w", err)
	}
	if err := pf.check(); err != nil {
		return nil, fmt.Errorf("media: playback: %w", err)
	}
	s.capFrames = cf.Rate * int(cfg.Ptime/time.Millisecond) / 1000
	s.playFrames = pf.Rate * int(cfg.Ptime/time.Millisecond) / 1000
	capConv, _, err := newConverters(cf, codec.SampleRate(), s.capFrames)
	if err != nil {
		return nil, fmt.Errorf("media: capture: %w", err)
	}
	_, playConv, err := newConverters(pf, codec.SampleRate(), s.playFrames)
	if err != nil {
		return nil, fmt.Errorf("media: playback: %w", err)
	}
	// Payloads up to four of our frames long are kept (a peer on a longer ptime); more is
	// dropped as oversize.
	maxPayload := codec.PayloadLen(4 * s.codecFrame)
	s.jb = NewJitterBuffer(JitterConfig{
		Target: cfg.Jitter, Max: cfg.JitterMax, Ptime: cfg.Ptime,
		ClockRate: codec.ClockRate(), MaxPayload: maxPayload,
	})
	s.tx.init(s, capConv, cf)
	if err := s.rx.init(maxPayload, codec, cfg); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	s.po.init(s, playConv, pf, maxPayload)
	s.capPacer, s.playPacer = newPacer(s.clk, cf.Rate), newPacer(s.clk, pf.Rate)
	if p, ok := playback.(interface{ Paced() bool }); ok && !p.Paced() {
		s.playPaced = true
	}
	if cfg.SRTP != nil {
		st, err := newSRTPState(*cfg.SRTP)
		if err != nil {
			return nil, err
		}
		s.srtp = st
	}
	if cfg.DSCP > 0 {
		if err := setDSCP(cfg.Conn, cfg.DSCP); err != nil {
			s.log.Warn("media: cannot mark rtp packets", "dscp", cfg.DSCP, "err", err)
		}
	}
	s.rtpIO.init(cfg.Conn)
	s.rtcp = newRTCPState(s)
	return s, nil
}

// unmap turns an IPv4-mapped IPv6 address into plain IPv4, so a dual-stack socket's view of
// the sender compares equal to the SDP's.
func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}

// Events delivers DTMF digits, timeouts and periodic stats. It is never closed; a slow
// reader loses events (counted), the media loops never wait for it.
func (s *Session) Events() <-chan Event { return s.events }

func (s *Session) emit(ev Event) {
	if ev.At.IsZero() {
		ev.At = s.clk.Now()
	}
	select {
	case s.events <- ev:
	default:
		s.eventsLost.Add(1)
	}
}

// Run starts the loops and returns when ctx ends, Close is called, or a device fails (that
// error is returned). A Session runs once.
func (s *Session) Run(ctx context.Context) error {
	s.runMu.Lock()
	if s.closed {
		s.runMu.Unlock()
		return ErrClosed
	}
	if s.running {
		s.runMu.Unlock()
		return fmt.Errorf("%w: Run called twice", ErrConfig)
	}
	s.running = true
	s.lastRecv.Store(s.clk.Now().UnixNano())
	// One keepalive before the first frame (a period away): a NAT in front of us maps the
	// port for the peer's packets now, before they can reach it unmapped (OpenPinhole).
	s.sendKeepalive()
	if s.rtcp != nil {
		s.rtcp.keepalive()
	}
	errc := make(chan error, 4)
	loops := []func() error{s.sendLoop, s.receiveLoop, s.playLoop}
	drained := false
	switch {
	case s.drainsRTP() && s.rtpIO.detach(s.cfg.Conn) == nil:
		drained = true
		loops = []func() error{func() error { return s.mediaLoop(true) }}
	case s.oneLoop():
		loops = []func() error{func() error { return s.mediaLoop(false) }, s.receiveLoop}
	}
	if s.rtcp != nil {
		loops = append(loops, s.rtcp.receiveLoop)
	}
	for _, loop := range loops {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := loop(); err != nil {
				errc <- err
			}
		}()
	}
	s.runMu.Unlock()

	var err error
	select {
	case <-ctx.Done():
	case <-s.quit:
	case err = <-errc:
	}
	s.shutdown()
	s.wg.Wait()
	if drained {
		// What came since the loop's last drain (up to a period) counts as received, as a
		// receive goroutine would have counted it on arrival: a short call's echoes may all
		// be there. The loop has ended, so its receive state is ours now.
		_ = s.drainRTP(s.clk.Now())
	}
	s.rtpIO.close()
	return err
}

// shutdown tells the loops to stop and unblocks the receive loops.
func (s *Session) shutdown() {
	s.quitOnce.Do(func() {
		close(s.quit)
		s.cfg.Conn.Close()
		if s.rtcp != nil {
			s.rtcp.conn.Close()
		}
		s.capPacer.close()
		s.playPacer.close()
	})
}

func (s *Session) stopping() bool {
	select {
	case <-s.quit:
		return true
	default:
		return false
	}
}

// Close stops the loops, closes the sockets and waits for the loops to end: at most one
// device period, since the devices themselves are the caller's to close. Idempotent.
func (s *Session) Close() error {
	s.runMu.Lock()
	s.closed = true
	s.runMu.Unlock()
	s.shutdown()
	s.wg.Wait()
	return nil
}

// SetRemote points the stream at a new address (a re-INVITE) and rearms latching.
func (s *Session) SetRemote(addr netip.AddrPort) {
	a := unmap(addr)
	s.mu.Lock()
	s.remote.Store(&a)
	s.rx.latched = false
	s.rx.candN = 0
	s.rx.fromRemote = 0
	s.mu.Unlock()
	if s.rtcp != nil {
		s.rtcp.setRemote(a)
	}
}

// SetDirection changes the SDP direction (hold is sendonly or inactive).
func (s *Session) SetDirection(dir string) error {
	d, err := parseDirection(dir)
	if err != nil {
		return err
	}
	if d&dirRecv != 0 && s.dir.Load()&dirRecv == 0 {
		// Resuming reception: the timeout counts from now, not from before the hold.
		s.lastRecv.Store(s.clk.Now().UnixNano())
	}
	s.dir.Store(d)
	return nil
}

// SendDTMF queues a digit (0-9, *, #, A-D): RFC 4733 events when a telephone-event payload
// type was negotiated, else in-band tones.
func (s *Session) SendDTMF(digit rune) error {
	ev, err := DigitEvent(digit)
	if err != nil {
		return err
	}
	if s.stopping() {
		return ErrClosed
	}
	select {
	case s.dtmfQ <- ev:
		return nil
	default:
		return ErrDTMFBusy
	}
}

// Stats returns the current figures.
func (s *Session) Stats() Stats {
	st := Stats{
		PacketsSent: s.sent.packets.Load(), BytesSent: s.sent.bytes.Load(),
		PacketsReceived: s.recvd.packets.Load(), BytesReceived: s.recvd.bytes.Load(),
		Invalid: s.invalid.Load(), WrongSSRC: s.wrongSSRC.Load(), Foreign: s.foreign.Load(),
		Concealed: s.concealed.Load(), SendLevel: s.sendLevel.Load(), RecvLevel: s.recvLevel.Load(),
		DTMFSent: s.dtmfSent.Load(), DTMFReceived: s.dtmfRecvd.Load(), EventsLost: s.eventsLost.Load(),
		Remote: *s.remote.Load(),
	}
	s.mu.Lock()
	js := s.jb.Stats()
	st.Lost = s.rx.seq.lost()
	st.Latched = s.rx.latched
	s.mu.Unlock()
	st.Late, st.Duplicates, st.Underruns, st.Dropped = js.Late, js.Duplicates+s.dupRecv.Load(), js.Underruns, js.Dropped
	st.STUN = s.stun.Load()
	st.Unprotected = s.unprotected.Load()
	st.KeepalivesSent = s.keepalivesSent.Load()
	st.Jitter, st.JitterDelay = js.Jitter, js.Target
	if s.rtcp != nil {
		s.rtcp.fill(&st)
	}
	return st
}

// realtime moves the calling loop's thread to SCHED_FIFO when configured and the loop waits
// on a card (not onClock). The goroutine stays locked to its thread on success, so the thread
// dies with it instead of returning to Go's pool with a real-time policy.
func (s *Session) realtime(loop string, onClock bool) {
	if s.cfg.RTPriority <= 0 {
		return
	}
	if onClock {
		s.log.Debug("media: loop paced by the clock, not a card: running without SCHED_FIFO", "loop", loop)
		return
	}
	runtime.LockOSThread()
	if err := setRealtime(s.cfg.RTPriority); err != nil {
		runtime.UnlockOSThread()
		if !s.rtWarned.Swap(true) {
			s.log.Warn("media: running without real-time priority (needs CAP_SYS_NICE or LimitRTPRIO)", "loop", loop, "err", err)
		}
	}
}

// newSSRC picks a random SSRC and initial sequence number (RFC 3550 section 5.1).
func newSSRC() (uint32, uint16) { return rand.Uint32(), uint16(rand.UintN(1 << 16)) }

// newCNAME is a random RTCP CNAME of 16 characters (RFC 7022 section 4.2: 96 random bits).
func newCNAME() string {
	const digits = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/"
	b := make([]byte, 16)
	for i := range b {
		b[i] = digits[rand.UintN(uint(len(digits)))]
	}
	return string(b)
}
