package sip

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// testSubscriber is a SIP subscriber written by hand over one UDP socket: it sends
// SUBSCRIBEs, collects their responses and answers every NOTIFY (200, or notifyCode).
type testSubscriber struct {
	t      testing.TB
	conn   *net.UDPConn
	door   *net.UDPAddr
	user   string
	callID string
	tag    string
	toTag  string
	cseq   int

	mu         sync.Mutex
	notifyCode int

	responses chan *gosip.Response
	notifies  chan notifyAt
	done      chan struct{}
}

type notifyAt struct {
	req *gosip.Request
	at  time.Time
}

func newTestSubscriber(t testing.TB, u *UA, user string) *testSubscriber {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &testSubscriber{
		t: t, conn: conn, door: net.UDPAddrFromAddrPort(u.Addr("udp")), user: user,
		callID: gosip.GenerateTagN(12), tag: gosip.GenerateTagN(8), cseq: 1, notifyCode: 200,
		responses: make(chan *gosip.Response, 16),
		notifies:  make(chan notifyAt, 64),
		done:      make(chan struct{}),
	}
	go s.read()
	t.Cleanup(func() { conn.Close(); <-s.done })
	return s
}

func (s *testSubscriber) read() {
	defer close(s.done)
	buf := make([]byte, 65535)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		msg, err := gosip.ParseMessage(append([]byte(nil), buf[:n]...))
		if err != nil {
			continue
		}
		switch m := msg.(type) {
		case *gosip.Response:
			select {
			case s.responses <- m:
			default:
			}
		case *gosip.Request:
			s.mu.Lock()
			code := s.notifyCode
			s.mu.Unlock()
			res := gosip.NewResponseFromRequest(m, code, "Reply", nil)
			_, _ = s.conn.WriteToUDP([]byte(res.String()), from)
			if m.Method == gosip.NOTIFY {
				select {
				case s.notifies <- notifyAt{m, time.Now()}:
				default:
				}
			}
		}
	}
}

// subscribe sends a SUBSCRIBE (in the dialog once one exists) and returns the final
// response; headers are extra header lines ("Expires: 60").
func (s *testSubscriber) subscribe(event string, headers ...string) *gosip.Response {
	s.t.Helper()
	to := fmt.Sprintf("<sip:door@%s>", s.door)
	if s.toTag != "" {
		to += ";tag=" + s.toTag
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SUBSCRIBE sip:door@%s SIP/2.0\r\n", s.door)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\n", s.conn.LocalAddr(), gosip.GenerateTagN(10))
	fmt.Fprintf(&b, "From: <sip:%s@127.0.0.1>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d SUBSCRIBE\r\n", s.user, s.tag, to, s.callID, s.cseq)
	fmt.Fprintf(&b, "Contact: <sip:%s@%s>\r\nMax-Forwards: 70\r\n", s.user, s.conn.LocalAddr())
	if event != "" {
		fmt.Fprintf(&b, "Event: %s\r\n", event)
	}
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	s.cseq++
	if _, err := s.conn.WriteToUDP([]byte(b.String()), s.door); err != nil {
		s.t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for {
		select {
		case res := <-s.responses:
			if res.IsProvisional() {
				continue
			}
			if tag, _ := res.To().Params.Get("tag"); res.IsSuccess() && s.toTag == "" {
				s.toTag = tag
			}
			return res
		case <-deadline:
			s.t.Fatal("no response to SUBSCRIBE")
			return nil
		}
	}
}

// notify returns the next NOTIFY and when it arrived.
func (s *testSubscriber) notify() (*gosip.Request, time.Time) {
	s.t.Helper()
	select {
	case n := <-s.notifies:
		return n.req, n.at
	case <-time.After(10 * time.Second):
		s.t.Fatal("no NOTIFY")
		return nil, time.Time{}
	}
}

func (s *testSubscriber) setNotifyCode(code int) {
	s.mu.Lock()
	s.notifyCode = code
	s.mu.Unlock()
}

func header(m interface{ GetHeader(string) gosip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}

// dialogStateOf reads the state of the first dialog in a dialog-info NOTIFY ("" for none).
func dialogStateOf(t testing.TB, n *gosip.Request) (dialogInfo, string) {
	t.Helper()
	d, err := parseDialogInfo(n.Body())
	if err != nil {
		t.Fatalf("dialog-info: %v\n%s", err, n.Body())
	}
	if len(d.Dialogs) == 0 {
		return d, ""
	}
	return d, d.Dialogs[0].State
}
