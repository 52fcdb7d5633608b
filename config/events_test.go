package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestEventsSection(t *testing.T) {
	c, err := Parse("f.toml", []byte("[sip.events]\nallow_from = [\"sip:101@pbx\", \"192.168.1.0/24\"]\npackages = [\"dialog\"]\nexpose_remote = true\nmax_subscriptions = 4\nmax_per_source = 2\nmin_expires = \"30s\"\nmax_expires = \"10m\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := c.SIP.Events
	if !slices.Equal(e.AllowFrom, []string{"sip:101@pbx", "192.168.1.0/24"}) || !slices.Equal(e.Packages, []string{"dialog"}) ||
		!e.ExposeRemote || e.MaxSubscriptions != 4 || e.MaxPerSource != 2 || e.MinExpires != 30*time.Second || e.MaxExpires != 10*time.Minute || e.Publish {
		t.Errorf("events = %+v", e)
	}
	c, err = Parse("f.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if e := c.SIP.Events; len(e.AllowFrom) != 0 || len(e.Packages) != 2 || e.MaxSubscriptions != 32 {
		t.Errorf("defaults = %+v", e)
	}
}

func TestEventsErrors(t *testing.T) {
	for _, tt := range []struct{ name, src, want string }{
		{"bad subscriber", "[sip.events]\nallow_from = [\"sip:101@pbx\", \"pbx:x\"]\n", "f.toml:2: sip.events.allow_from: \"pbx:x\" is neither a SIP URI nor a network"},
		{"unknown package", "[sip.events]\npackages = [\"dialog\", \"reg\"]\n", "f.toml:2: sip.events.packages: unknown event package \"reg\""},
		{"zero subscriptions", "[sip]\n[sip.events]\nmax_subscriptions = 0\n", "f.toml:3: sip.events.max_subscriptions: 0 out of range"},
		{"per source over total", "[sip.events]\nmax_subscriptions = 4\nmax_per_source = 5\n", "f.toml:3: sip.events.max_per_source: 5 out of range"},
		{"min over max", "[sip.events]\nmin_expires = \"2h\"\n", "f.toml:1: sip.events.max_expires: 1h0m0s out of range"},
		{"publish without account", "[sip.events]\npublish = true\n", "f.toml:2: sip.events.publish: needs an [[account]]"},
		{"bad mwi", "[[account]]\nregistrar = \"sip:pbx\"\nuser = \"d\"\n[sip.events]\nmwi = [\"101\"]\n", "f.toml:5: sip.events.mwi: \"101\" is not a SIP URI"},
		{"unknown key", "[sip.events]\nallow = []\n", "f.toml:2: sip.events.allow: unknown key in [sip.events]"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f.toml", []byte(tt.src))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
		})
	}
}
