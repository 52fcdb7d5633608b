//go:build linux

package reliability

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// sample is the door process's resources at one point of the soak.
type sample struct {
	calls, threads, fds, rssKB int
}

func sampleProc(pid, calls int) sample {
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return sample{calls: calls, threads: procThreads(pid), fds: len(fds), rssKB: procStatus(pid, "VmRSS:")}
}

// TestSoakCalls: the binary, registered to Kamailio with expires 10s (a refresh every 5 s),
// takes sequential calls from sipp in batches of 50, each with RTP that sipp echoes back.
// Threads, open fds and RSS are sampled after every batch; every call must complete and
// carry audio, and the relay must never move. 100 calls (a smoke run); 1000 calls and at
// least 100 re-registrations under INTERCOM_SOAK=1.
func TestSoakCalls(t *testing.T) {
	testpeer.Require(t, "sipp")
	calls, minRereg := 100, 0
	if soak() {
		calls, minRereg = 1000, 100
	}
	const batch = 50
	k := testpeer.StartKamailio(t, testpeer.KamailioOptions{})
	dir := t.TempDir()
	events := filepath.Join(dir, "events.jsonl")
	socket := filepath.Join(dir, "ctl.sock")
	cfg := filepath.Join(dir, "door.toml")
	port := testpeer.FreePort(t)
	toml := doorTOML(t, port, events, socket, 0, fmt.Sprintf(`
[[account]]
registrar = %q
user = "door"
password = "secret"
expires = "10s"
`, k.URI()))
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startBinary(t, cfg, socket)
	p.waitControl(t, 10*time.Second)
	waitUntil(t, 10*time.Second, "registered", func() bool {
		r, err := p.ctl(door.Command{Op: "status"})
		return err == nil && r.Status != nil && r.Status.Registered
	})
	echo := startRTPEcho(t)
	scen := writeUAC(t, uacCall{Caller: allowed, RTPPort: echo.port(), Hold: 100})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	registers := func() int { return strings.Count(k.Output(), "request REGISTER") }
	reg0 := registers()

	samples := []sample{sampleProc(p.pid(), 0)}
	relayMoved := 0
	start := time.Now()
	deadline := start.Add(40 * time.Minute)
	done := 0
	for (done < calls || (registers()-reg0)/2 < minRereg) && time.Now().Before(deadline) {
		s := testpeer.StartSipp(t, testpeer.SippOptions{Scenario: scen, Remote: addr, Calls: batch,
			Args: []string{"-l", "1"}})
		if err := s.Wait(t, 5*time.Minute); err != nil {
			t.Fatalf("calls %d-%d: %v", done+1, done+batch, err)
		}
		done += batch
		samples = append(samples, sampleProc(p.pid(), done))
		if r, err := p.request(control.Request{Op: "lines"}); err == nil && r.Lines["door"] {
			relayMoved++
		}
	}
	wall := time.Since(start)
	rereg := (registers() - reg0) / 2

	// Audio: a call whose RTP was echoed before the door ended it must have received some.
	// The echo's time is the fact that counts, not how many packets the door sent: a
	// call held 100 ms on a loaded machine may end before anything comes back. The door
	// logs "sip: call ended" before it stops the media and drains the socket a last time,
	// so an echo that left before that line is in the socket when the door reads it.
	// Only calls that sent and own an echo (ownEchoes) are judged; most calls must be (a
	// door that never sends would leave none), and every call must log its total.
	var totals int
	for i := 0; i < 100; i++ {
		if totals = strings.Count(p.logs.String(), "call audio total"); totals >= done {
			break
		}
		time.Sleep(30 * time.Millisecond)
	}
	silent, judged, sentMin, sentMax := 0, 0, -1, 0
	logged := callLogs(t, p.logs.String())
	owned := ownEchoes(echo.firstEchoes(), logged)
	for i, c := range logged {
		if c.sent >= 0 && (sentMin < 0 || c.sent < sentMin) {
			sentMin = c.sent
		}
		sentMax = max(sentMax, c.sent)
		if c.sent <= 0 || c.received < 0 || !owned[i] {
			continue
		}
		judged++
		if c.received == 0 {
			silent++
			for _, l := range strings.Split(p.logs.String(), "\n") {
				if strings.Contains(l, "call="+c.id+" ") {
					t.Logf("silent call: %s", l)
				}
			}
		}
	}
	kinds := countKinds(readEvents(t, events))
	first, last, peak := samples[0], samples[len(samples)-1], samples[0]
	for _, s := range samples {
		peak.threads, peak.fds, peak.rssKB = max(peak.threads, s.threads), max(peak.fds, s.fds), max(peak.rssKB, s.rssKB)
	}
	t.Logf("soak: %d calls in %.0f s, %d re-registrations (%d REGISTER requests), %d calls with audio totals (%d-%d packets sent), %d echoed before their end, %d of them without received RTP",
		done, wall.Seconds(), rereg, registers()-reg0, totals, sentMin, sentMax, judged, silent)
	t.Logf("soak: threads first/last/max %d/%d/%d; fds %d/%d/%d; RSS kB %d/%d/%d",
		first.threads, last.threads, peak.threads, first.fds, last.fds, peak.fds, first.rssKB, last.rssKB, peak.rssKB)
	var b strings.Builder
	for _, s := range samples {
		fmt.Fprintf(&b, " %d:%d/%d/%d", s.calls, s.threads, s.fds, s.rssKB)
	}
	t.Logf("soak samples calls:threads/fds/rssKB%s", b.String())
	if done < calls {
		t.Errorf("only %d of %d calls within the time limit", done, calls)
	}
	if rereg < minRereg {
		t.Errorf("%d re-registrations, want at least %d", rereg, minRereg)
	}
	if silent > 0 || totals < done {
		t.Errorf("%d calls carried no audio (%d totals for %d calls)", silent, totals, done)
	}
	if judged < done/2 {
		t.Errorf("only %d of %d calls had their RTP echoed before they ended", judged, done)
	}
	if kinds["door-open"] > 0 || relayMoved > 0 {
		t.Errorf("relay moved: %d door-open events, %d samples with the relay on", kinds["door-open"], relayMoved)
	}
	if kinds["call-ended"] < done {
		t.Logf("events: %v", kinds)
	}
	// Flat: the last sample may not exceed the first by more than a margin that a leak of one
	// goroutine, fd or buffer per call would break in the 1000-call run.
	if last.fds > first.fds+10 {
		t.Errorf("open fds grew from %d to %d", first.fds, last.fds)
	}
	if last.threads > first.threads+8 {
		t.Errorf("threads grew from %d to %d", first.threads, last.threads)
	}
}
