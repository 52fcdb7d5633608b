package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
)

type route struct {
	priv Privilege
	h    func(s *Server, w http.ResponseWriter, r *http.Request, u User)
}

// routeFor is the 2N path table: the handler of each path served and the privilege it needs.
func routeFor(path string) (route, bool) {
	switch path {
	case "/api/system/info":
		return route{PrivStatus, (*Server).systemInfo}, true
	case "/api/system/status":
		return route{PrivStatus, (*Server).systemStatus}, true
	case "/api/switch/caps":
		return route{PrivStatus, (*Server).switchCaps}, true
	case "/api/switch/status":
		return route{PrivStatus, (*Server).switchStatus}, true
	case "/api/switch/ctrl":
		return route{PrivDoor, (*Server).switchCtrl}, true
	case "/api/io/caps":
		return route{PrivStatus, (*Server).ioCaps}, true
	case "/api/io/status":
		return route{PrivStatus, (*Server).ioStatus}, true
	case "/api/call/status":
		return route{PrivStatus, (*Server).callStatus}, true
	case "/api/call/dial":
		return route{PrivCall, (*Server).callDial}, true
	case "/api/call/answer":
		return route{PrivCall, (*Server).callAnswer}, true
	case "/api/call/hangup":
		return route{PrivCall, (*Server).callHangup}, true
	case "/api/log/caps":
		return route{PrivLog, (*Server).logCaps}, true
	case "/api/log/subscribe":
		return route{PrivLog, (*Server).logSubscribe}, true
	case "/api/log/pull":
		return route{PrivLog, (*Server).logPull}, true
	case "/api/log/unsubscribe":
		return route{PrivLog, (*Server).logUnsubscribe}, true
	}
	return route{}, false
}

func (s *Server) systemInfo(w http.ResponseWriter, _ *http.Request, _ User) {
	st := s.be.Status()
	ok(w, map[string]any{
		"variant":      "intercom",
		"serialNumber": st.DeviceName,
		"hwVersion":    "",
		"swVersion":    st.SWVersion,
		"buildType":    "release",
		"deviceName":   st.DeviceName,
	})
}

func (s *Server) systemStatus(w http.ResponseWriter, _ *http.Request, _ User) {
	st := s.be.Status()
	now := s.clk.Now()
	ok(w, map[string]any{"systemTime": now.Unix(), "upTime": int64(now.Sub(st.Started) / time.Second)})
}

func (s *Server) switchCaps(w http.ResponseWriter, _ *http.Request, _ User) {
	st := s.be.Status()
	ok(w, map[string]any{"switches": []map[string]any{{
		"switch": 1, "enabled": st.Relay, "mode": "monostable",
		"switchOnDuration": int(st.OpenFor.Round(time.Second) / time.Second), "type": "normal",
	}}})
}

func (s *Server) switchStatus(w http.ResponseWriter, _ *http.Request, _ User) {
	st := s.be.Status()
	ok(w, map[string]any{"switches": []map[string]any{{"switch": 1, "active": st.RelayOn, "locked": false, "held": false}}})
}

func (s *Server) switchCtrl(w http.ResponseWriter, r *http.Request, u User) {
	sw := r.Form.Get("switch")
	if sw == "" {
		fail(w, http.StatusOK, codeMissingParam, "switch")
		return
	}
	if sw != "1" || !s.be.Status().Relay {
		fail(w, http.StatusOK, codeInvalidParam, "switch")
		return
	}
	var op Op
	switch r.Form.Get("action") {
	case "on":
		op = SwitchOn
	case "off":
		op = SwitchOff
	case "trigger":
		op = SwitchTrigger
	case "":
		fail(w, http.StatusOK, codeMissingParam, "action")
		return
	default:
		fail(w, http.StatusOK, codeInvalidParam, "action")
		return
	}
	s.do(w, r, Command{Op: op, User: u.Name}, nil)
}

func (s *Server) ioCaps(w http.ResponseWriter, _ *http.Request, _ User) {
	ports := []map[string]any{}
	for _, p := range s.be.Status().Ports {
		t := "input"
		if p.Output {
			t = "output"
		}
		ports = append(ports, map[string]any{"port": p.Name, "type": t})
	}
	ok(w, map[string]any{"ports": ports})
}

func (s *Server) ioStatus(w http.ResponseWriter, _ *http.Request, _ User) {
	ports := []map[string]any{}
	for _, p := range s.be.Status().Ports {
		v := 0
		if p.Active {
			v = 1
		}
		ports = append(ports, map[string]any{"port": p.Name, "state": v})
	}
	ok(w, map[string]any{"ports": ports})
}

// callState is the 2N name of a call state.
func callState(state string) string {
	switch state {
	case "dialing":
		return "connecting"
	case "ringing-out", "ringing-in":
		return "ringing"
	case "in-call":
		return "connected"
	}
	return ""
}

func (s *Server) callStatus(w http.ResponseWriter, _ *http.Request, _ User) {
	st := s.be.Status()
	sessions := []map[string]any{}
	if cs := callState(st.Call); cs != "" {
		dir := "outgoing"
		if st.Incoming {
			dir = "incoming"
		}
		sessions = append(sessions, map[string]any{
			"session": 1, "direction": dir, "state": cs,
			"calls": []map[string]any{{"id": 1, "state": cs, "peer": st.Peer}},
		})
	}
	ok(w, map[string]any{"sessions": sessions})
}

func (s *Server) callDial(w http.ResponseWriter, r *http.Request, u User) {
	n := r.Form.Get("number")
	if n == "" {
		fail(w, http.StatusOK, codeMissingParam, "number")
		return
	}
	if len(n) > 256 || !(strings.HasPrefix(n, "sip:") || strings.HasPrefix(n, "sips:")) || strings.IndexFunc(n, func(r rune) bool { return !unicode.IsPrint(r) || r == ' ' }) >= 0 {
		fail(w, http.StatusOK, codeInvalidParam, "number")
		return
	}
	s.do(w, r, Command{Op: Dial, Arg: n, User: u.Name}, map[string]any{"session": 1})
}

// session checks the optional session parameter: this unit has at most one, number 1.
func session(w http.ResponseWriter, r *http.Request) bool {
	if v := r.Form.Get("session"); v != "" && v != "1" {
		fail(w, http.StatusOK, codeInvalidParam, "session")
		return false
	}
	return true
}

func (s *Server) callAnswer(w http.ResponseWriter, r *http.Request, u User) {
	if session(w, r) {
		s.do(w, r, Command{Op: Answer, User: u.Name}, nil)
	}
}

func (s *Server) callHangup(w http.ResponseWriter, r *http.Request, u User) {
	if session(w, r) {
		s.do(w, r, Command{Op: Hangup, User: u.Name}, nil)
	}
}

// do runs cmd with a bounded wait and answers; every command is logged with its user.
func (s *Server) do(w http.ResponseWriter, r *http.Request, cmd Command, result any) {
	ctx, cancel := context.WithTimeout(r.Context(), cmdTimeout)
	defer cancel()
	err := s.be.Do(ctx, cmd)
	s.log.Info("httpapi: command", "op", cmd.Op.String(), "arg", cmd.Arg, "user", cmd.User, "source", remoteAddr(r).String(), "err", err)
	if err != nil {
		fail(w, http.StatusOK, codeProcessing, "")
		return
	}
	if result == nil {
		writeJSON(w, http.StatusOK, envelope{Success: true})
		return
	}
	ok(w, result)
}

func (s *Server) logCaps(w http.ResponseWriter, _ *http.Request, _ User) {
	ok(w, map[string]any{"events": EventNames()})
}

func (s *Server) logSubscribe(w http.ResponseWriter, r *http.Request, _ User) {
	all := false
	switch r.Form.Get("include") {
	case "", "new":
	case "all":
		all = true
	default:
		fail(w, http.StatusOK, codeInvalidParam, "include")
		return
	}
	var filter []string
	if f := r.Form.Get("filter"); f != "" {
		for _, name := range strings.Split(f, ",") {
			name = strings.TrimSpace(name)
			known := false
			for _, e := range EventNames() {
				known = known || e == name
			}
			if !known {
				fail(w, http.StatusOK, codeInvalidParam, "filter")
				return
			}
			filter = append(filter, name)
		}
	}
	d := defaultExpiry
	if v := r.Form.Get("duration"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || time.Duration(n)*time.Second > maxExpiry {
			fail(w, http.StatusOK, codeInvalidParam, "duration")
			return
		}
		d = time.Duration(n) * time.Second
	}
	id, made := s.hub.subscribe(filter, all, d)
	if !made {
		fail(w, http.StatusOK, codeProcessing, "")
		return
	}
	ok(w, map[string]any{"id": id})
}

func subID(w http.ResponseWriter, r *http.Request) (uint32, bool) {
	v := r.Form.Get("id")
	if v == "" {
		fail(w, http.StatusOK, codeMissingParam, "id")
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		fail(w, http.StatusOK, codeInvalidParam, "id")
		return 0, false
	}
	return uint32(n), true
}

func (s *Server) logPull(w http.ResponseWriter, r *http.Request, _ User) {
	id, good := subID(w, r)
	if !good {
		return
	}
	wait := time.Duration(0)
	if v := r.Form.Get("timeout"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fail(w, http.StatusOK, codeInvalidParam, "timeout")
			return
		}
		wait = min(time.Duration(n)*time.Second, maxPullWait)
	}
	events, found := s.hub.pull(r.Context(), id, wait)
	if !found {
		fail(w, http.StatusOK, codeInvalidParam, "id")
		return
	}
	if events == nil {
		events = []logEvent{}
	}
	ok(w, map[string]any{"events": events})
}

func (s *Server) logUnsubscribe(w http.ResponseWriter, r *http.Request, _ User) {
	id, good := subID(w, r)
	if !good {
		return
	}
	if !s.hub.unsubscribe(id) {
		fail(w, http.StatusOK, codeInvalidParam, "id")
		return
	}
	writeJSON(w, http.StatusOK, envelope{Success: true})
}
