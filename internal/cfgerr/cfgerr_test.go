package cfgerr

import (
	"errors"
	"testing"
)

func TestNewWraps(t *testing.T) {
	cause := errors.New("bad port")
	err := Prefix("media.", New("rtp_ports", "%w", cause))
	if !errors.Is(err, cause) {
		t.Fatalf("%v does not wrap its cause", err)
	}
	if got, want := err.Error(), "media.rtp_ports: bad port"; got != want {
		t.Fatalf("message %q, want %q", got, want)
	}
	if err := New("x", "is %d", 3); errors.Unwrap(err) != nil || err.Error() != "x: is 3" {
		t.Fatalf("plain field: %v (unwraps to %v)", err, errors.Unwrap(err))
	}
}
