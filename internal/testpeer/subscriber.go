package testpeer

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// Subscriber stands in for a phone's BLF key: a SIP subscriber written by hand over one
// UDP socket on 127.0.0.1. It sends SUBSCRIBEs (in the dialog once the first succeeded,
// with its route set), collects their responses, and answers every NOTIFY with 200 (or the
// code SetNotifyCode gives), recording when each arrived.
type Subscriber struct {
	t      testing.TB
	conn   *net.UDPConn
	next   *net.UDPAddr
	ruri   string
	from   string
	callID string
	tag    string
	toTag  string
	routes []string
	target string // the notifier's Contact: the Request-URI inside the dialog
	cseq   int

	mu         sync.Mutex
	notifyCode int

	responses chan *gosip.Response
	notifies  chan Notify
	done      chan struct{}
}

// Notify is a NOTIFY the subscriber received and answered.
type Notify struct {
	*gosip.Request
	At time.Time
}

// NewSubscriber subscribes as from ("sip:101@127.0.0.1") to ruri ("sip:door@host:port"),
// sending every request to next (the door itself, or a proxy). It closes on cleanup.
func NewSubscriber(t testing.TB, next netip.AddrPort, ruri, from string) *Subscriber {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &Subscriber{
		t: t, conn: conn, next: net.UDPAddrFromAddrPort(next), ruri: ruri, from: from,
		callID: gosip.GenerateTagN(12), tag: gosip.GenerateTagN(8), cseq: 1, notifyCode: 200,
		responses: make(chan *gosip.Response, 16),
		notifies:  make(chan Notify, 64),
		done:      make(chan struct{}),
	}
	go s.read()
	t.Cleanup(s.Close)
	return s
}

// Close stops the subscriber (idempotent); nothing answers NOTIFYs any more.
func (s *Subscriber) Close() {
	s.conn.Close()
	<-s.done
}

func (s *Subscriber) read() {
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
			if m.Method != gosip.NOTIFY {
				code = 405
			}
			if code != 0 {
				res := gosip.NewResponseFromRequest(m, code, "Reply", nil)
				_, _ = s.conn.WriteToUDP([]byte(res.String()), from)
			}
			if m.Method == gosip.NOTIFY {
				select {
				case s.notifies <- Notify{m, time.Now()}:
				default:
				}
			}
		}
	}
}

// Subscribe sends a SUBSCRIBE for event ("dialog", "presence;id=1", or "" for none) with
// extra header lines ("Expires: 60") and returns the final response.
func (s *Subscriber) Subscribe(event string, headers ...string) *gosip.Response {
	s.t.Helper()
	to := "<" + s.ruri + ">"
	if s.toTag != "" {
		to += ";tag=" + s.toTag
	}
	ruri := s.ruri
	if s.target != "" {
		ruri = s.target
	}
	var b strings.Builder
	fmt.Fprintf(&b, "SUBSCRIBE %s SIP/2.0\r\n", ruri)
	fmt.Fprintf(&b, "Via: SIP/2.0/UDP %s;branch=z9hG4bK%s;rport\r\n", s.conn.LocalAddr(), gosip.GenerateTagN(10))
	for _, r := range s.routes {
		fmt.Fprintf(&b, "Route: %s\r\n", r)
	}
	user := strings.TrimPrefix(s.from, "sip:")
	if i := strings.IndexByte(user, '@'); i >= 0 {
		user = user[:i]
	}
	fmt.Fprintf(&b, "From: <%s>;tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d SUBSCRIBE\r\n", s.from, s.tag, to, s.callID, s.cseq)
	fmt.Fprintf(&b, "Contact: <sip:%s@%s>\r\nMax-Forwards: 70\r\n", user, s.conn.LocalAddr())
	if event != "" {
		fmt.Fprintf(&b, "Event: %s\r\n", event)
	}
	for _, h := range headers {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("Content-Length: 0\r\n\r\n")
	s.cseq++
	if _, err := s.conn.WriteToUDP([]byte(b.String()), s.next); err != nil {
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
				if c := res.Contact(); c != nil {
					s.target = c.Address.String()
				}
				// The route set, for requests in the dialog (RFC 3261 section 12.1.2).
				rr := res.GetHeaders("Record-Route")
				for i := len(rr) - 1; i >= 0; i-- {
					s.routes = append(s.routes, rr[i].Value())
				}
			}
			return res
		case <-deadline:
			s.t.Fatal("no response to SUBSCRIBE")
			return nil
		}
	}
}

// Notify returns the next NOTIFY, failing the test after 10 s.
func (s *Subscriber) Notify() Notify {
	s.t.Helper()
	select {
	case n := <-s.notifies:
		return n
	case <-time.After(10 * time.Second):
		s.t.Fatal("no NOTIFY within 10s")
		return Notify{}
	}
}

// SetNotifyCode makes the subscriber answer NOTIFYs with code from now on; 0 leaves them
// unanswered (a phone that went away).
func (s *Subscriber) SetNotifyCode(code int) {
	s.mu.Lock()
	s.notifyCode = code
	s.mu.Unlock()
}

// Header is the value of a message's first header called name, or "".
func Header(m interface{ GetHeader(string) gosip.Header }, name string) string {
	if h := m.GetHeader(name); h != nil {
		return h.Value()
	}
	return ""
}
