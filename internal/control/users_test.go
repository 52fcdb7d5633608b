package control

import (
	"errors"
	"testing"

	"github.com/doorsip/intercom/internal/access"
)

// usersHandler is a handler that runs keypads and readers.
type usersHandler struct {
	*fakeHandler
	fail bool
}

func (usersHandler) Users() []access.Summary {
	return []access.Summary{{Name: "Meyer", Kind: "resident", PINs: 1, Cards: []string{"12:34567"}, Schedule: []string{"mon-fri 07:00-19:00"}}}
}

func (h usersHandler) ReloadUsers() (int, error) {
	if h.fail {
		return 0, errors.New("users.toml:3: user[0].pins[0]: bad")
	}
	return 1, nil
}

func TestUsersOps(t *testing.T) {
	tests := []struct {
		name, op string
		h        Handler
		want     string
	}{
		{"users", "users", usersHandler{fakeHandler: newFakeHandler()},
			`{"ok":true,"users":[{"name":"Meyer","kind":"resident","pins":1,"cards":["12:34567"],"schedule":["mon-fri 07:00-19:00"]}]}`},
		{"reload", "reload-users", usersHandler{fakeHandler: newFakeHandler()}, `{"ok":true,"message":"1 users loaded"}`},
		{"reload, bad file", "reload-users", usersHandler{fakeHandler: newFakeHandler(), fail: true}, `{"ok":false,"error":"users.toml:3: user[0].pins[0]: bad"}`},
		{"users, no access", "users", newFakeHandler(), `{"ok":false,"error":"control: not supported here: users"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := start(t, tt.h)
			c, r := dial(t, s)
			if _, err := c.Write([]byte(`{"op":"` + tt.op + `"}` + "\n")); err != nil {
				t.Fatal(err)
			}
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if line != tt.want+"\n" {
				t.Fatalf("got  %s\nwant %s", line, tt.want)
			}
		})
	}
}
