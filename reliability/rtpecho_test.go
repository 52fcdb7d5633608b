//go:build linux

package reliability

import (
	"encoding/binary"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rtpEcho sends every datagram back to where it came from, as sipp's -rtp_echo does, and
// notes when it first echoed each RTP stream (by SSRC). A test can then call a call mute
// only when an echo was on its way before the door ended the call: sipp's echo thread was
// starved for over 100 ms on a loaded machine, which looked like a door that heard nothing.
type rtpEcho struct {
	conn *net.UDPConn
	mu   sync.Mutex
	// first is the time of each stream's first echo.
	first map[uint32]time.Time
}

func startRTPEcho(t testing.TB) *rtpEcho {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	e := &rtpEcho{conn: conn, first: map[uint32]time.Time{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			n, from, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			_, _ = conn.WriteToUDPAddrPort(buf[:n], from)
			if n >= 12 && buf[0]>>6 == 2 {
				ssrc := binary.BigEndian.Uint32(buf[8:12])
				e.mu.Lock()
				if _, ok := e.first[ssrc]; !ok {
					e.first[ssrc] = time.Now()
				}
				e.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { conn.Close(); <-done })
	return e
}

func (e *rtpEcho) port() int { return e.conn.LocalAddr().(*net.UDPAddr).Port }

// firstEchoes are the streams' first echo times, in order.
func (e *rtpEcho) firstEchoes() []time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	ts := make([]time.Time, 0, len(e.first))
	for _, at := range e.first {
		ts = append(ts, at)
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	return ts
}

// ownEchoes reports for each call whether a stream was first echoed while it, and no other
// call, was up (from its answer to its end as the door logged them, less 2 ms for the log's
// millisecond stamps): under load the door may log one call's end after the next call's
// media began, and an echo in two calls' spans belongs to neither for sure.
func ownEchoes(echoes []time.Time, calls []callLog) []bool {
	const margin = 2 * time.Millisecond
	within := func(at time.Time, c callLog) bool {
		return !c.answered.IsZero() && !c.ended.IsZero() &&
			!at.Before(c.answered.Add(-margin)) && at.Before(c.ended.Add(-margin))
	}
	owned := make([]bool, len(calls))
	for _, at := range echoes {
		who := -1
		for i, c := range calls {
			if within(at, c) {
				if who >= 0 {
					who = -1
					break
				}
				who = i
			}
		}
		if who >= 0 {
			owned[who] = true
		}
	}
	return owned
}

// callLog is one call as the door's log tells it.
type callLog struct {
	id              string
	answered, ended time.Time
	sent, received  int // -1 until the total is logged
}

// callLogs reads each call's answer, end and audio total from the door's log, in order.
func callLogs(t testing.TB, logs string) []callLog {
	t.Helper()
	var calls []callLog
	index := map[string]int{}
	for _, l := range strings.Split(logs, "\n") {
		id := logField(l, "call")
		if id == "" {
			continue
		}
		i, ok := index[id]
		if !ok {
			index[id] = len(calls)
			i = len(calls)
			calls = append(calls, callLog{id: id, sent: -1, received: -1})
		}
		at, _ := time.Parse(time.RFC3339Nano, logField(l, "time"))
		switch c := &calls[i]; {
		case strings.Contains(l, `msg="sip: call answered"`):
			c.answered = at
		case strings.Contains(l, `msg="sip: call ended"`):
			c.ended = at
		case strings.Contains(l, `msg="call audio total"`):
			c.sent, _ = strconv.Atoi(logField(l, "sent"))
			c.received, _ = strconv.Atoi(logField(l, "received"))
		}
	}
	return calls
}

// logField is the value of key=value in a text log line ("" when absent).
func logField(line, key string) string {
	for _, f := range strings.Fields(line) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return ""
}
