package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/doorsip/intercom/internal/control"
	"github.com/doorsip/intercom/internal/door"
)

const ctlUsage = `usage: intercom ctl [-socket PATH] [-json] COMMAND

commands:
  status              state, call peer, registration, door
  call [URI]          call URI (default: the first call button's ring group)
  answer | hangup     answer the ringing call / end or cancel the call
  hold | unhold       put the call's far end on hold / resume it
  transfer URI        hand the call's far end to URI (blind transfer, REFER)
  open [RELAY]        open the door (or send the door code to the far end); RELAY: a [[relay]]
  press BUTTON [-long] | release BUTTON
                      act as if a button or input changed (drives a "sim" board)
  events [-f]         recent event log entries as JSON lines; -f then follows new ones
  lines               output line levels (gpio.chip = "sim" only)
  stats               uptime, memory, scanner drops, and the call's audio figures
  users               the keypad and card users (no PINs); reload-users rereads the file
  message URI TEXT    send TEXT to URI as a SIP MESSAGE
  -                   JSON request lines from stdin, one response line each
`

// ctlTimeout bounds every command except events -f: the controller answers in milliseconds,
// so anything longer means it is stuck and the caller should hear so.
const ctlTimeout = 10 * time.Second

// ctlRawOp is not an op: `intercom ctl -` sends request lines from stdin as they are.
const ctlRawOp door.Op = "-"

// runCtl implements `intercom ctl`: a client of the control socket. It returns the exit
// status: 0 ok, 1 the intercom refused or could not be reached, 2 usage.
func runCtl(args []string, socket string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, ctlUsage) }
	fs.StringVar(&socket, "socket", socket, "control socket `path`")
	asJSON := fs.Bool("json", false, "print responses as JSON")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	args = fs.Args()
	if len(args) == 0 {
		fs.Usage()
		return 2
	}
	if socket == "" {
		fmt.Fprintln(stderr, "intercom ctl: no control socket: set control.socket in the config or pass -socket")
		return 2
	}
	op, rest := door.Op(args[0]), args[1:]
	req := control.Request{Op: op}
	sub := flag.NewFlagSet("ctl "+string(op), flag.ContinueOnError)
	sub.SetOutput(stderr)
	sub.Usage = func() { fmt.Fprint(stderr, ctlUsage) }
	long := sub.Bool("long", false, "press: a long press")
	follow := sub.Bool("f", false, "events: keep following")
	// Flags may come before or after the argument: `press bell -long` and `press -long bell`.
	var pos []string
	for {
		if err := sub.Parse(rest); err != nil {
			return 2
		}
		if sub.NArg() == 0 {
			break
		}
		pos = append(pos, sub.Arg(0))
		rest = sub.Args()[1:]
	}
	req.Long, req.Follow = *long, *follow
	req.Backlog = req.Follow // a person following wants the context, as with tail -f
	var rule door.OpRule     // "-" (raw requests) takes no argument and no flag
	if op != ctlRawOp {
		var ok bool
		if rule, ok = op.Rule(); !ok {
			return ctlUsageError(stderr, "unknown command %q", op)
		}
	}
	switch rule.Arg {
	case door.ArgNone:
		if len(pos) != 0 {
			return ctlUsageError(stderr, "%s takes no argument", op)
		}
	case door.ArgOptional:
		if len(pos) > 1 {
			return ctlUsageError(stderr, "%s takes at most one %s", op, rule.ArgName)
		}
	case door.ArgRequired:
		if rule.Text {
			if len(pos) < 2 {
				return ctlUsageError(stderr, "%s takes a %s and a text", op, rule.ArgName)
			}
			req.Text, pos = strings.Join(pos[1:], " "), pos[:1]
		}
		if len(pos) != 1 {
			return ctlUsageError(stderr, "%s takes one %s", op, rule.ArgName)
		}
	}
	if len(pos) == 1 {
		req.Arg = pos[0]
	}
	if req.Long && !rule.Long || req.Follow && !rule.Follow {
		return ctlUsageError(stderr, "-long is for press, -f for events")
	}

	ctx := context.Background()
	if !req.Follow && op != ctlRawOp {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, ctlTimeout)
		defer cancel()
	}
	cl, err := control.Dial(ctx, socket)
	if err != nil {
		fmt.Fprintf(stderr, "intercom ctl: %v (is the intercom running?)\n", err)
		return 1
	}
	defer cl.Close()
	switch op {
	case ctlRawOp:
		return ctlRaw(cl, stdin, stdout, stderr)
	case door.OpEvents:
		return ctlEvents(cl, req, stdout, stderr)
	}
	resp, err := cl.Do(req)
	if *asJSON {
		b, _ := json.Marshal(resp)
		fmt.Fprintf(stdout, "%s\n", b)
	}
	if err != nil {
		if !*asJSON {
			fmt.Fprintf(stderr, "intercom ctl %s: %s\n", op, strings.TrimPrefix(err.Error(), control.ErrServer.Error()+": "))
		}
		return 1
	}
	if *asJSON {
		return 0
	}
	if op == door.OpStatus && resp.Status != nil {
		printStatus(stdout, *resp.Status)
		if resp.HTTPS != "" {
			fmt.Fprintf(stdout, "https:      certificate SHA-256 %s\n", resp.HTTPS)
		}
		return 0
	}
	if op == door.OpStats && resp.Stats != nil {
		printStats(stdout, *resp.Stats, time.Now())
		return 0
	}
	if op == door.OpUsers {
		printUsers(stdout, resp.Users)
		return 0
	}
	if op == door.OpLines {
		names := make([]string, 0, len(resp.Lines))
		for n := range resp.Lines {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			level := "off"
			if resp.Lines[n] {
				level = "on"
			}
			fmt.Fprintf(stdout, "%s: %s\n", n, level)
		}
		return 0
	}
	if resp.Message != "" {
		fmt.Fprintln(stdout, resp.Message)
	}
	return 0
}

func ctlUsageError(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "intercom ctl: "+format+"\n%s", append(args, ctlUsage)...)
	return 2
}

// ctlEvents prints entries as the JSON lines the event log holds, until done or, with -f,
// until the intercom goes away.
func ctlEvents(cl *control.Client, req control.Request, stdout, stderr io.Writer) int {
	resp, err := cl.Do(req)
	for {
		if err != nil {
			if req.Follow && errors.Is(err, io.EOF) {
				fmt.Fprintln(stderr, "intercom ctl: the intercom closed the stream")
			} else {
				fmt.Fprintf(stderr, "intercom ctl events: %v\n", err)
			}
			return 1
		}
		if resp.Done {
			return 0
		}
		if resp.Event != nil {
			b, _ := json.Marshal(resp.Event)
			fmt.Fprintf(stdout, "%s\n", b)
		}
		resp, err = cl.Read()
	}
}

// ctlRaw passes request lines from stdin through and prints each response line, for scripts
// that would rather not open the socket themselves. events is not supported here (one
// response per request).
func ctlRaw(cl *control.Client, stdin io.Reader, stdout, stderr io.Writer) int {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 4096), control.MaxRequest)
	status := 0
	for sc.Scan() {
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		if r, err := control.DecodeRequest(line); err == nil && r.Op == door.OpEvents {
			fmt.Fprintln(stderr, "intercom ctl -: use `intercom ctl events [-f]` for events")
			status = 1
			continue
		}
		resp, err := cl.Raw(append([]byte(nil), line...))
		if err != nil {
			fmt.Fprintf(stderr, "intercom ctl -: %v\n", err)
			return 1
		}
		stdout.Write(resp)
		var r control.Response
		if json.Unmarshal(resp, &r) != nil || !r.OK {
			status = 1
		}
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintf(stderr, "intercom ctl -: %v\n", err)
		return 1
	}
	return status
}

func printStatus(w io.Writer, s door.Status) {
	fmt.Fprintf(w, "state:      %s\n", s.State)
	if s.Peer != "" {
		dir := "outgoing"
		if s.Incoming {
			dir = "incoming"
		}
		line := fmt.Sprintf("peer:       %s (%s", s.Peer, dir)
		if !s.Since.IsZero() {
			line += ", since " + s.Since.Local().Format(time.TimeOnly)
		}
		fmt.Fprintln(w, line+")")
	}
	if len(s.Ringing) > 0 {
		fmt.Fprintf(w, "ringing:    %s\n", strings.Join(s.Ringing, ", "))
	}
	reg := "no"
	if s.Registered {
		reg = "yes"
	}
	fmt.Fprintf(w, "registered: %s\n", reg)
	for _, a := range s.Accounts {
		st := "registered"
		if !a.Registered {
			st = "not registered"
			if a.Reason != "" {
				st += ": " + a.Reason
			}
		}
		fmt.Fprintf(w, "  %s: %s\n", a.Account, st)
	}
	doorState := "locked"
	if s.DoorOpen {
		doorState = "released"
	}
	if s.DoorAjar {
		doorState += ", standing open"
	}
	fmt.Fprintf(w, "door:       %s\n", doorState)
	if s.Alarm != "" {
		fmt.Fprintf(w, "alarm:      %s\n", s.Alarm)
	}
	if s.LockedOut {
		fmt.Fprintln(w, "door code:  locked out for this call")
	}
}

func printStats(w io.Writer, s control.Stats, now time.Time) {
	fmt.Fprintf(w, "up:         %s (since %s)\n", now.Sub(s.Started).Round(time.Second), s.Started.Local().Format(time.DateTime))
	fmt.Fprintf(w, "memory:     heap %d kB, from the OS %d kB, %d goroutines\n", s.HeapKB, s.SysKB, s.Goroutines)
	fmt.Fprintf(w, "sip drops:  %d from scanners, %d over the rate limit, %d untrusted\n", s.ScannerDropped, s.RateDropped, s.UntrustedDropped)
	if m := s.MQTT; m != nil {
		fmt.Fprintf(w, "mqtt:       connected %t, %d published, %d dropped, %d commands (%d dropped, %d refused), %d connects, %d failures\n",
			m.Connected, m.Published, m.Dropped, m.Commands, m.CommandsDropped, m.Refused, m.Connects, m.Failures)
	}
	if ac := s.Actions; ac != nil {
		fmt.Fprintf(w, "actions:    %d sent, %d failed, %d dropped\n", ac.Sent, ac.Failed, ac.Dropped)
	}
	if ev := s.Events; ev != nil {
		fmt.Fprintf(w, "sip events: %d subscriptions, %d refused, published %t (%d PUBLISHes)\n", ev.Subscriptions, ev.Refused, ev.Published, ev.Publishes)
	}
	c := s.Call
	if c == nil {
		fmt.Fprintln(w, "call:       none")
		return
	}
	fmt.Fprintf(w, "call rtp:   to %s, sent %d, received %d, lost %d, late %d, concealed %d, invalid %d, foreign %d, duplicates %d, stun %d\n",
		c.Remote, c.PacketsSent, c.PacketsReceived, c.Lost, c.Late, c.Concealed, c.Invalid, c.Foreign, c.Duplicates, c.STUN)
	rtt := "no report yet"
	if c.RTTMS > 0 {
		rtt = fmt.Sprintf("%.1f ms", c.RTTMS)
	}
	fmt.Fprintf(w, "call net:   jitter %.1f ms, buffer %.1f ms, round trip %s, peer sees %.1f %% loss\n", c.JitterMS, c.BufferMS, rtt, c.PeerLossPct)
	fmt.Fprintf(w, "call level: sending %.1f dBFS, receiving %.1f dBFS\n", c.SendDBFS, c.RecvDBFS)
	printVoiceStats(w, c.Voice)
}
