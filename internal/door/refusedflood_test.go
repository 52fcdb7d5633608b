package door_test

import (
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
)

// TestRefusedCallsAggregated: a stranger's INVITEs at the scanner rate limit (10/s) leave one
// incoming-rejected entry, then one per minute with the count, while every one is refused
// with 403 and a resident's door opening in between is logged as always.
func TestRefusedCallsAggregated(t *testing.T) {
	cfg := baseConfig()
	cfg.Call.AllowFrom = []string{"sip:101@pbx"}
	cfg.Call.Incoming = "auto"
	r := newRig(t, cfg)
	r.newKinds()
	refused := 0
	for range 600 {
		if c := r.incoming("sip:666@evil"); c.Rejected() == 403 {
			refused++
		}
		r.advance(100 * time.Millisecond)
	}
	// The first as it came, then (the minute being over when the log is read) its count.
	es := r.log.Recent()
	r.wantKinds("incoming-rejected,incoming-rejected")
	if refused != 600 {
		t.Errorf("%d of 600 refused with 403", refused)
	}
	last := es[len(es)-1]
	if last.String("repeated") != "599" || last.String("source") != "sip:666@evil" {
		t.Errorf("summary entry %+v", last)
	}
	// The flood goes on: another minute, one more line.
	for range 600 {
		r.incoming("sip:666@evil")
		r.advance(100 * time.Millisecond)
	}
	r.wantKinds("incoming-rejected")
	r.newKinds()
	r.wantState(door.Idle)
}
