package door_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
)

// lockStep is one call (after waiting `after`): from dials digits and hangs up.
type lockStep struct {
	after  time.Duration
	from   string
	digits string
	locked bool   // status.LockedOut once the call is answered, before any digit
	want   string // door code events of the wait and the call, see codeSummary
}

// codeSummary reduces door code entries to "wrong:N", "lockout:CALLER:LEVEL:FOR",
// "refused:CALLER", "unlocked:CALLER" and "open", comma-separated.
func codeSummary(entries []eventlog.Entry) string {
	var out []string
	get := func(e eventlog.Entry, k string) any { v, _ := e.Get(k); return v }
	for _, e := range entries {
		switch e.Kind {
		case "door-code-wrong":
			out = append(out, fmt.Sprintf("wrong:%v", get(e, "attempt")))
		case "door-code-lockout":
			out = append(out, fmt.Sprintf("lockout:%v:%v:%v", get(e, "caller"), get(e, "level"), get(e, "for")))
			if get(e, "caller") == "*" {
				out[len(out)-1] = fmt.Sprintf("lockout:*:%v", get(e, "for"))
			}
		case "door-code-refused":
			out = append(out, fmt.Sprintf("refused:%v", get(e, "caller")))
		case "door-code-unlocked":
			out = append(out, fmt.Sprintf("unlocked:%v", get(e, "caller")))
		case "door-open":
			out = append(out, "open")
		}
	}
	return strings.Join(out, ",")
}

// TestLockoutAcrossCalls drives door-code brute force across calls with a fake clock:
// max_attempts 2 ("000" is two wrong codes), lockout_for 1m, lockout_max 4m,
// lockout_reset 1h, lockout_global 3.
func TestLockoutAcrossCalls(t *testing.T) {
	const a, b = "sip:101@pbx", "sip:102@pbx"
	tests := []struct {
		name  string
		cfg   func(*door.Config)
		steps []lockStep
	}{
		{name: "per-caller isolation", steps: []lockStep{
			{from: a, digits: "000", want: "wrong:1,wrong:2,lockout:101@pbx:1:1m0s"},
			{from: b, digits: "#1", want: "open"},
			{from: a, digits: "#1", locked: true, want: "refused:101@pbx"},
			// The same caller behind another port, transport or display name is the same key.
			{from: `"Flat 1" <sip:101@PBX:5062;transport=tcp>`, digits: "#1", locked: true, want: "refused:101@pbx"},
			{from: b, digits: "#1", want: "open"},
			{after: time.Minute, from: a, digits: "#1", want: "unlocked:101@pbx,open"},
		}},
		{name: "wrong codes add up across calls", steps: []lockStep{
			{from: a, digits: "00", want: "wrong:1"},
			{from: a, digits: "00", want: "wrong:2,lockout:101@pbx:1:1m0s"},
		}},
		{name: "the right code clears the count", steps: []lockStep{
			{from: a, digits: "00", want: "wrong:1"},
			{from: a, digits: "#1", want: "open"},
			{from: a, digits: "00", want: "wrong:1"},
		}},
		{name: "escalation doubles up to lockout_max", steps: []lockStep{
			{from: a, digits: "000", want: "wrong:1,wrong:2,lockout:101@pbx:1:1m0s"},
			{after: time.Minute, from: a, digits: "000", want: "unlocked:101@pbx,wrong:1,wrong:2,lockout:101@pbx:2:2m0s"},
			{after: time.Minute, from: a, digits: "#1", locked: true, want: "refused:101@pbx"},
			{after: time.Minute, from: a, digits: "000", want: "unlocked:101@pbx,wrong:1,wrong:2,lockout:101@pbx:3:4m0s"},
			{after: 4 * time.Minute, from: a, digits: "000", want: "unlocked:101@pbx,wrong:1,wrong:2,lockout:101@pbx:4:4m0s"},
			{after: 3 * time.Minute, from: a, digits: "#1", locked: true, want: "refused:101@pbx"},
			{after: time.Minute, from: a, digits: "#1", want: "unlocked:101@pbx,open"},
		}},
		{name: "escalation is per caller", steps: []lockStep{
			{from: a, digits: "000", want: "wrong:1,wrong:2,lockout:101@pbx:1:1m0s"},
			{after: time.Minute, from: a, digits: "000", want: "unlocked:101@pbx,wrong:1,wrong:2,lockout:101@pbx:2:2m0s"},
			{from: b, digits: "000", want: "wrong:1,wrong:2,lockout:102@pbx:1:1m0s"},
		}},
		{name: "reset after lockout_reset without a wrong code", steps: []lockStep{
			{from: a, digits: "000", want: "wrong:1,wrong:2,lockout:101@pbx:1:1m0s"},
			{after: time.Minute, from: a, digits: "000", want: "unlocked:101@pbx,wrong:1,wrong:2,lockout:101@pbx:2:2m0s"},
			{after: 2 * time.Minute, from: a, digits: "00", want: "unlocked:101@pbx,wrong:1"},
			// An hour after that last wrong code the streak and the count start again.
			{after: time.Hour, from: a, digits: "000", want: "wrong:1,wrong:2,lockout:101@pbx:1:1m0s"},
		}},
		{name: "just short of lockout_reset keeps the streak", steps: []lockStep{
			{from: a, digits: "000", want: "wrong:1,wrong:2,lockout:101@pbx:1:1m0s"},
			{after: time.Hour - time.Second, from: a, digits: "000", want: "unlocked:101@pbx,wrong:1,wrong:2,lockout:101@pbx:2:2m0s"},
		}},
		{name: "global backstop", steps: []lockStep{
			{from: "sip:1@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:1@pbx:1:1m0s"},
			{from: "sip:2@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:2@pbx:1:1m0s"},
			{from: "sip:3@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:3@pbx:1:1m0s"},
			{from: b, digits: "#1", want: "open"},
			{from: "sip:4@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:4@pbx:1:1m0s,lockout:*:1m0s"},
			{from: b, digits: "#1", locked: true, want: "refused:102@pbx"},
			{after: time.Minute, from: b, digits: "#1",
				want: "unlocked:1@pbx,unlocked:2@pbx,unlocked:3@pbx,unlocked:4@pbx,unlocked:*,open"},
		}},
		{name: "global backstop counts lockouts within lockout_for", steps: []lockStep{
			{from: "sip:1@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:1@pbx:1:1m0s"},
			{from: "sip:2@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:2@pbx:1:1m0s"},
			{from: "sip:3@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:3@pbx:1:1m0s"},
			{after: time.Minute, from: "sip:4@pbx", digits: "000",
				want: "unlocked:1@pbx,unlocked:2@pbx,unlocked:3@pbx,wrong:1,wrong:2,lockout:4@pbx:1:1m0s"},
			{from: b, digits: "#1", want: "open"},
		}},
		{name: "global backstop off", cfg: func(c *door.Config) { c.Door.LockoutGlobal = 0 }, steps: []lockStep{
			{from: "sip:1@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:1@pbx:1:1m0s"},
			{from: "sip:2@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:2@pbx:1:1m0s"},
			{from: "sip:3@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:3@pbx:1:1m0s"},
			{from: "sip:4@pbx", digits: "000", want: "wrong:1,wrong:2,lockout:4@pbx:1:1m0s"},
			{from: b, digits: "#1", want: "open"},
		}},
		{name: "lockout_for 0 locks the call only", cfg: func(c *door.Config) { c.Door.LockoutFor = 0 }, steps: []lockStep{
			{from: a, digits: "000#1", want: "wrong:1,wrong:2,lockout:101@pbx:1:0s"},
			{from: a, digits: "#1", want: "open"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Door.MaxAttempts = 2
			cfg.Door.LockoutFor = time.Minute
			cfg.Door.LockoutMax = 4 * time.Minute
			cfg.Door.LockoutReset = time.Hour
			cfg.Door.LockoutGlobal = 3
			if tt.cfg != nil {
				tt.cfg(&cfg)
			}
			r := newRig(t, cfg)
			sub, stop := r.c.Subscribe()
			defer stop()
			for i, s := range tt.steps {
				if s.after > 0 {
					r.advance(s.after)
				}
				c := r.answerCall(s.from)
				if got := r.sync().LockedOut; got != s.locked {
					t.Errorf("step %d: status locked out %v, want %v", i, got, s.locked)
				}
				for _, d := range s.digits {
					r.push(door.PhoneEvent{Kind: door.DTMF, Call: c, Digit: d})
				}
				r.press("end")
				var got []eventlog.Entry
			drain:
				for {
					select {
					case e := <-sub:
						got = append(got, e)
					default:
						break drain
					}
				}
				if sum := codeSummary(got); sum != s.want {
					t.Errorf("step %d (%s %q):\n got  %s\n want %s", i, s.from, s.digits, sum, s.want)
				}
			}
		})
	}
}
