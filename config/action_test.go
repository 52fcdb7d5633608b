package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestActionSection(t *testing.T) {
	base := "[audio]\ncapture = \"tone:440\"\nplayback = \"null\"\n"
	c, err := Parse("a.toml", []byte(base+`[[action]]
on = "door-open"
url = "http://hooks.lan/open?by=$by"
method = "post"
body = '{"by": "$by"}'
[[action]]
on = ["ring", "call-ended"]
url = "https://hooks.lan/x"
user = "door"
password = "pw"
auth = "digest"
timeout = "2s"
retries = 0
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Actions) != 2 || c.Actions[0].Method != "POST" || c.Actions[0].On[0] != "door-open" || c.Actions[0].Retries != 3 ||
		c.Actions[1].Auth != "digest" || c.Actions[1].Timeout != 2*time.Second || c.Actions[1].Retries != 0 {
		t.Errorf("actions = %+v", c.Actions)
	}
	_, err = Parse("b.toml", []byte(base+`[[action]]
on = []
url = "ftp://x"
retries = 99
colour = "red"
`))
	var probs Errors
	if !errors.As(err, &probs) {
		t.Fatalf("err = %v", err)
	}
	for _, w := range []string{"b.toml:5: action[0].on", "b.toml:6: action[0].url", "b.toml:7: action[0].retries", "b.toml:8: action[0].colour"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("no %q in:\n%v", w, err)
		}
	}
}
