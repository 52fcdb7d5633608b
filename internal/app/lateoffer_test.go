package app

import (
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestSippLateOffer: an allowed caller's INVITE without SDP is answered with our offer in the
// 200; the answer in sipp's ACK starts the door's media, and sipp's RTP echo carries the
// door's tone back, so audio crosses both ways through the whole app.
func TestSippLateOffer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts sipp")
	}
	testpeer.Require(t, "sipp")
	port := testpeer.FreePort(t)
	a := startUnit(t, "door", port, `[call]
incoming = "auto"
allow_from = ["sip:sipp@127.0.0.1"]
`)
	echoPort := testpeer.SippMediaPort(t)
	s := testpeer.StartSipp(t, testpeer.SippOptions{
		Scenario: filepath.Join("testdata", "sipp", "uac_late_offer_echo.xml"),
		Remote:   "127.0.0.1:" + strconv.Itoa(port),
		Args:     []string{"-rtp_echo", "-mp", strconv.Itoa(echoPort)},
	})
	waitUntil(t, 5*time.Second, "in call", func() bool { return a.Controller().Status().State == door.InCall })
	waitUntil(t, 4*time.Second, "50 packets back from sipp's echo", func() bool {
		st, ok := a.CallStats()
		return ok && st.PacketsReceived >= 50
	})
	st, _ := a.CallStats()
	t.Logf("late offer: sent %d, received %d packets, recv level %.1f dBFS, lost %d, invalid %d",
		st.PacketsSent, st.PacketsReceived, st.RecvLevel, st.Lost, st.Invalid)
	if st.RecvLevel < -30 {
		t.Errorf("received level %.1f dBFS: the echoed tone did not come back", st.RecvLevel)
	}
	if err := s.Wait(t, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "idle after sipp's BYE", func() bool { return a.Controller().Status().State == door.Idle })
}
