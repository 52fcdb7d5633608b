package control

import (
	"strings"
	"testing"
)

// tlsHandler is a handler whose unit serves the HTTPS API.
type tlsHandler struct{ *fakeHandler }

func (tlsHandler) HTTPSFingerprint() string { return "AB:CD" }

// TestStatusFingerprint: status carries the API certificate's fingerprint when there is an
// API; other ops and units without one do not.
func TestStatusFingerprint(t *testing.T) {
	tests := []struct {
		name, op string
		h        Handler
		want     string
	}{
		{"status with api", "status", tlsHandler{newFakeHandler()}, `{"ok":true,"status":{"state":"idle","registered":true,"door_open":false},"https_fingerprint":"AB:CD"}`},
		{"status without api", "status", newFakeHandler(), `{"ok":true,"status":{"state":"idle","registered":true,"door_open":false}}`},
		{"other op", "hangup", tlsHandler{newFakeHandler()}, `{"ok":true,"message":"hangup ","status":{"state":"dialing","registered":false,"door_open":false}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, tt.h)
			c, r := dial(t, s)
			c.Write([]byte(`{"op":"` + tt.op + `"}` + "\n"))
			line, err := r.ReadString('\n')
			if err != nil || strings.TrimSpace(line) != tt.want {
				t.Errorf("got %q %v\nwant %s", line, err, tt.want)
			}
		})
	}
}
