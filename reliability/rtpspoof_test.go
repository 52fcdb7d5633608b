//go:build linux

package reliability

import (
	"context"
	"encoding/binary"
	"math"
	"net"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
	"github.com/doorsip/intercom/media"
)

// rtpSender paces 20 ms PCMA packets of a sine at amp from one socket to the door.
type rtpSender struct {
	conn *net.UDPConn
	to   *net.UDPAddr
	ssrc uint32
	seq  uint16
	ts   uint32
	pcm  []int16
	pkt  []byte
	enc  media.Codec
	sent int
}

func newRTPSender(t *testing.T, conn *net.UDPConn, ssrc uint32, hz int, amp float64) *rtpSender {
	enc, err := media.NewCodec("PCMA", 8000)
	if err != nil {
		t.Fatal(err)
	}
	s := &rtpSender{conn: conn, ssrc: ssrc, seq: uint16(ssrc), pcm: make([]int16, 160), pkt: make([]byte, 12+160), enc: enc}
	for i := range s.pcm {
		s.pcm[i] = int16(amp * math.Sin(2*math.Pi*float64(hz)*float64(i)/8000))
	}
	return s
}

func (s *rtpSender) send() {
	s.pkt[0], s.pkt[1] = 0x80, 8 // V=2, PT 8 (PCMA: the door prefers it)
	binary.BigEndian.PutUint16(s.pkt[2:], s.seq)
	binary.BigEndian.PutUint32(s.pkt[4:], s.ts)
	binary.BigEndian.PutUint32(s.pkt[8:], s.ssrc)
	n := s.enc.Encode(s.pkt[12:], s.pcm)
	if _, err := s.conn.WriteToUDP(s.pkt[:12+n], s.to); err == nil {
		s.sent++
	}
	s.seq++
	s.ts += 160
}

// TestRTPSpoofIgnoredAfterLatch: during a call, a third party on another local port sends a
// loud stream (same SSRC as the peer, and then its own) at the door's RTP port. After the
// door has confirmed the peer's address, the spoofed packets count as Foreign and the
// received level stays the peer's.
func TestRTPSpoofIgnoredAfterLatch(t *testing.T) {
	testpeer.Require(t, "sipp")
	r := startRig(t, rigOptions{})
	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	spoof, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer spoof.Close()

	sipp := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: writeUAC(t, uacCall{Caller: allowed, RTPPort: peer.LocalAddr().(*net.UDPAddr).Port, DoorHangs: true}),
		Remote:   r.sip,
	})
	// The door's RTP address is where its packets come from (symmetric RTP).
	buf := make([]byte, 1500)
	_ = peer.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, doorRTP, err := peer.ReadFromUDP(buf)
	if err != nil {
		t.Fatalf("no RTP from the door: %v", err)
	}
	go func() { // drain
		for {
			if _, _, err := peer.ReadFromUDP(buf); err != nil {
				return
			}
		}
	}()
	legit := newRTPSender(t, peer, 0x1111, 400, 3000) // about -21 dBFS
	legit.to = doorRTP
	bad := newRTPSender(t, spoof, 0x1111, 1000, 30000) // about -1 dBFS, same SSRC
	bad.to = doorRTP

	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for i := 0; i < 50; i++ { // 1 s of the peer alone: the door confirms its address
		<-tick.C
		legit.send()
	}
	before, ok := r.a.CallStats()
	if !ok {
		t.Fatal("no media session")
	}
	for i := 0; i < 75; i++ { // 1.5 s with the spoofer interleaved, 2 packets per tick
		<-tick.C
		legit.send()
		bad.send()
		if i == 37 {
			bad.ssrc, bad.seq = 0x6666, 9000 // and then its own stream
		}
		bad.send()
	}
	// Every packet of the peer's counted means the spoofer's, sent between them, were seen too.
	waitUntil(t, 10*time.Second, "the peer's 75 packets received", func() bool {
		s, ok := r.a.CallStats()
		return ok && s.PacketsReceived-before.PacketsReceived >= 75
	})
	after, _ := r.a.CallStats()
	t.Logf("before spoof: received %d, foreign %d, level %.1f dBFS, remote %v latched %v",
		before.PacketsReceived, before.Foreign, before.RecvLevel, before.Remote, before.Latched)
	t.Logf("after %d spoofed packets: received %d (+%d, peer sent +75), foreign %d (+%d), wrongSSRC %d, invalid %d, level %.1f dBFS, remote %v",
		bad.sent, after.PacketsReceived, after.PacketsReceived-before.PacketsReceived, after.Foreign,
		after.Foreign-before.Foreign, after.WrongSSRC, after.Invalid, after.RecvLevel, after.Remote)
	if got := after.Foreign - before.Foreign; got < int64(bad.sent)*9/10 {
		t.Errorf("only %d of %d spoofed packets counted as foreign", got, bad.sent)
	}
	if got := after.PacketsReceived - before.PacketsReceived; got > 75+2 {
		t.Errorf("received %d packets while the peer sent 75: spoofed ones were taken", got)
	}
	if after.Remote.String() != before.Remote.String() {
		t.Errorf("remote moved from %v to %v", before.Remote, after.Remote)
	}
	if math.Abs(after.RecvLevel-before.RecvLevel) > 3 {
		t.Errorf("received level went from %.1f to %.1f dBFS: the spoofed stream is playing", before.RecvLevel, after.RecvLevel)
	}
	if _, err := r.a.Controller().Do(context.Background(), door.Command{Op: door.OpHangup}); err != nil {
		t.Error(err)
	}
	if err := sipp.Wait(t, 30*time.Second); err != nil {
		t.Error(err)
	}
}
