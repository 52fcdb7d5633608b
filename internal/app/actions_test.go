package app

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/testpeer"
)

// TestActionURLs: a bell press and a door opening each send their action URL with the event's
// values; a receiver that never answers does not hold up the door.
func TestActionURLs(t *testing.T) {
	var mu sync.Mutex
	var got []string
	stuck := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stuck" {
			<-stuck
			return
		}
		mu.Lock()
		got = append(got, r.URL.RequestURI())
		mu.Unlock()
	}))
	defer srv.Close()
	defer close(stuck) // before srv.Close, which waits for the stuck request
	a := startUnit(t, "door", testpeer.FreePort(t), fmt.Sprintf(`[[button]]
name = "bell"
line = 0
action = "answer"
[door]
relay_line = 1
open_for = "500ms"
[[action]]
on = ["ring"]
url = "%[1]s/ring?button=$button"
[[action]]
on = ["door-open"]
url = "%[1]s/open?by=$by&via=$via"
[[action]]
on = ["*"]
url = "%[1]s/stuck"
timeout = "1m"
`, srv.URL))
	if err := a.Board().Sim().Tap("bell"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := a.Controller().Do(ctx, door.Command{Op: "open"}); err != nil {
		t.Fatalf("open with a stuck receiver: %v", err)
	}
	waitUntil(t, 10*time.Second, "both requests", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 2
	})
	mu.Lock()
	all := strings.Join(got, " ")
	mu.Unlock()
	for _, want := range []string{"/ring?button=bell", "/open?by=control&via=control"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in %s", want, all)
		}
	}
	if st := (ctlHandler{a}).Stats().Actions; st == nil || st.Sent != 2 {
		t.Errorf("ctl stats actions %+v", st)
	}
}
