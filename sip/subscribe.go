package sip

import (
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	gosip "github.com/emiago/sipgo/sip"
)

// The notifier serves SUBSCRIBE for the door's state (RFC 6665) in the dialog (RFC 4235)
// and presence (RFC 3856) packages. Its table is bounded (max_subscriptions, and
// max_per_source for one address), so a flood is refused with 503 and costs no memory;
// every subscription sends one NOTIFY at a time (RFC 6665 section 4.2.2), the newest state
// winning, from a goroutine that exists only while a NOTIFY is in flight.

// subscription is one dialog a subscriber created with SUBSCRIBE; the notifier's mutex
// guards every field.
type subscription struct {
	key       string // Call-ID and our tag
	pkg       eventPackage
	eventID   string // the Event header's id parameter, echoed in NOTIFY
	callID    string
	localTag  string
	remoteTag string
	localURI  gosip.Uri // the SUBSCRIBE's To: the door's AOR, the entity of our documents
	remoteURI gosip.Uri
	target    gosip.Uri // the subscriber's Contact
	routeSet  []string
	transport string
	source    netip.Addr

	localCSeq, remoteCSeq uint32
	expires               time.Time
	version               uint32

	sending bool // a NOTIFY transaction is in flight
	dirty   bool // the state changed (or a refresh came) since the last NOTIFY was built
	// passed holds the dialog states the door went through while a NOTIFY was in flight,
	// oldest first, each to be notified in turn: a BLF key must see early before confirmed
	// even when the call was answered before the previous NOTIFY's 200 came back (RFC 6665
	// would allow the newest state alone; a key that never blinks misleads).
	passed []DoorState
	ending string // non-empty: the next NOTIFY says this Subscription-State and is the last
	gone   bool
}

type notifier struct {
	u *UA

	mu        sync.Mutex
	cfg       EventsConfig
	allow     allowList
	state     DoorState
	subs      map[string]*subscription
	perSource map[netip.Addr]int
	running   bool   // goroutines may start on the UA's wait group
	refused   uint64 // SUBSCRIBEs answered 403 or 503

	wake chan struct{} // the table changed: the expiry loop looks again
}

func newNotifier(u *UA, cfg EventsConfig) *notifier {
	return &notifier{
		u:         u,
		cfg:       cfg,
		allow:     newAllowList(cfg.AllowFrom),
		subs:      map[string]*subscription{},
		perSource: map[netip.Addr]int{},
		wake:      make(chan struct{}, 1),
	}
}

// SetEvents applies a reload's [sip.events] subscription settings: who may subscribe, which
// packages, the limits. Subscriptions that no longer fit end at their next refresh.
func (u *UA) SetEvents(cfg EventsConfig) {
	if cfg.Validate() != nil {
		return
	}
	n := u.notif
	n.mu.Lock()
	n.cfg = cfg
	n.allow = newAllowList(cfg.AllowFrom)
	n.mu.Unlock()
}

// EventStats are the SIP events' counters, for `intercom ctl stats`.
type EventStats struct {
	InUse         bool   // someone may subscribe, or the door publishes
	Subscriptions int    // held now
	Refused       uint64 // SUBSCRIBEs refused: not allowed (403) or no room (503)
	Published     bool   // the presence server holds the door's PUBLISH
	Publishes     int    // PUBLISHes answered 2xx
}

// EventStats reports the notifier's and the publisher's counters.
func (u *UA) EventStats() EventStats {
	n := u.notif
	n.mu.Lock()
	st := EventStats{InUse: !n.allow.empty() || u.pub != nil, Subscriptions: len(n.subs), Refused: n.refused}
	n.mu.Unlock()
	if ps, ok := u.Published(); ok {
		st.Published, st.Publishes = ps.ETag != "", ps.Count
	}
	return st
}

// Subscriptions is how many subscriptions the door holds.
func (u *UA) Subscriptions() int {
	u.notif.mu.Lock()
	defer u.notif.mu.Unlock()
	return len(u.notif.subs)
}

func (n *notifier) enabled(p eventPackage) bool {
	if n.allow.empty() {
		return false
	}
	for _, s := range n.cfg.Packages {
		if packageByName(s) == p {
			return true
		}
	}
	return false
}

// allowEvents is our Allow-Events value.
func (n *notifier) allowEvents() string {
	ev := []string{"refer"}
	for _, p := range []eventPackage{pkgDialog, pkgPresence} {
		if n.enabled(p) {
			ev = append(ev, p.String())
		}
	}
	return strings.Join(ev, ", ")
}

func (n *notifier) known(callID string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, s := range n.subs {
		if s.callID == callID {
			return true
		}
	}
	return false
}

// eventHeader reads the package name and id parameter of Event (compact form "o").
func eventHeader(req *gosip.Request) (name, id string, ok bool) {
	h := req.GetHeader("Event")
	if h == nil {
		h = req.GetHeader("o")
	}
	if h == nil {
		return "", "", false
	}
	parts := strings.Split(h.Value(), ";")
	name = strings.ToLower(strings.TrimSpace(parts[0]))
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(k, "id") {
			id = strings.TrimSpace(v)
		}
	}
	return name, id, name != ""
}

// accepts reports whether the request's Accept headers (if any) admit ct.
func accepts(req *gosip.Request, ct string) bool {
	hs := req.GetHeaders("Accept")
	if len(hs) == 0 {
		return true
	}
	major, _, _ := strings.Cut(ct, "/")
	for _, h := range hs {
		for _, v := range strings.Split(h.Value(), ",") {
			v, _, _ = strings.Cut(v, ";")
			v = strings.ToLower(strings.TrimSpace(v))
			if v == "" || v == ct || v == "*/*" || v == major+"/*" {
				return true
			}
		}
	}
	return false
}

// requestedExpires reads Expires: absent gives the packages' default of an hour (RFC 4235
// section 3.3, RFC 3856 section 6.4); ok is false when it is not a number.
func requestedExpires(req *gosip.Request) (time.Duration, bool) {
	h := req.GetHeader("Expires")
	if h == nil {
		return time.Hour, true
	}
	v, err := strconv.ParseUint(strings.TrimSpace(h.Value()), 10, 32)
	if err != nil {
		return 0, false
	}
	return time.Duration(v) * time.Second, true
}

func (u *UA) onSubscribe(req *gosip.Request, tx gosip.ServerTransaction) {
	u.notif.onSubscribe(req, tx)
}

func (n *notifier) onSubscribe(req *gosip.Request, tx gosip.ServerTransaction) {
	u := n.u
	if tag, ok := req.To().Params.Get("tag"); ok && tag != "" {
		n.onRefresh(req, tx, tag)
		return
	}
	name, id, ok := eventHeader(req)
	n.mu.Lock()
	pkg := packageByName(name)
	on := ok && n.enabled(pkg)
	allowEv := n.allowEvents()
	var allowed bool
	if on {
		src, _ := netip.ParseAddrPort(req.Source())
		allowed = n.allow.allows(req.From().Address.String(), src.Addr())
	}
	minExp, maxExp := n.cfg.MinExpires, n.cfg.MaxExpires
	n.mu.Unlock()
	switch {
	case !on:
		u.respond(tx, req, 489, "Bad Event", nil, gosip.NewHeader("Allow-Events", allowEv))
		return
	case !allowed:
		n.mu.Lock()
		n.refused++
		n.mu.Unlock()
		u.log.Debug("sip: SUBSCRIBE refused", "from", req.From().Address.String(), "source", req.Source())
		u.respond(tx, req, 403, "Forbidden", nil)
		return
	case !accepts(req, pkg.contentType()):
		u.respond(tx, req, 406, "Not Acceptable", nil, gosip.NewHeader("Accept", pkg.contentType()))
		return
	case req.Contact() == nil:
		u.respond(tx, req, 400, "Missing Contact", nil)
		return
	case u.isClosing():
		u.respond(tx, req, 503, "Service Unavailable", nil)
		return
	}
	exp, ok := requestedExpires(req)
	if !ok {
		u.respond(tx, req, 400, "Bad Expires", nil)
		return
	}
	if exp > 0 && exp < minExp {
		u.respond(tx, req, 423, "Interval Too Brief", nil, gosip.NewHeader("Min-Expires", seconds(minExp)))
		return
	}
	exp = min(exp, maxExp)
	fromTag, _ := req.From().Params.Get("tag")
	src, _ := netip.ParseAddrPort(req.Source())
	s := &subscription{
		pkg:        pkg,
		eventID:    id,
		callID:     req.CallID().Value(),
		localTag:   gosip.GenerateTagN(16),
		remoteTag:  fromTag,
		localURI:   gosip.Uri{Scheme: req.To().Address.Scheme, User: req.To().Address.User, Host: req.To().Address.Host, Port: req.To().Address.Port},
		remoteURI:  req.From().Address,
		target:     req.Contact().Address,
		transport:  req.Transport(),
		source:     src.Addr().Unmap(),
		localCSeq:  randCSeq(),
		remoteCSeq: req.CSeq().SeqNo,
		expires:    u.clk.Now().Add(exp),
		dirty:      true,
	}
	if s.localURI.Scheme == "" {
		s.localURI.Scheme = "sip"
	}
	s.key = s.callID + "\x00" + s.localTag
	for _, h := range req.GetHeaders("Record-Route") {
		s.routeSet = append(s.routeSet, h.Value())
	}
	if exp == 0 {
		// A fetch (RFC 6665 section 4.4.3): one NOTIFY with the state, and done.
		s.ending = "terminated;reason=timeout"
	}
	n.mu.Lock()
	full := !n.running || len(n.subs) >= n.cfg.MaxSubscriptions || n.perSource[s.source] >= n.cfg.MaxPerSource
	if full {
		n.refused++
		n.mu.Unlock()
		u.respond(tx, req, 503, "Too Many Subscriptions", nil, gosip.NewHeader("Retry-After", "300"))
		return
	}
	n.subs[s.key] = s
	n.perSource[s.source]++
	n.mu.Unlock()
	u.log.Info("sip: subscription", "event", pkg.String(), "from", s.remoteURI.String(), "expires", seconds(exp))
	n.respondOK(tx, req, s, exp)
	n.mu.Lock()
	n.kickLocked(s)
	n.mu.Unlock()
	n.poke()
}

// onRefresh handles a SUBSCRIBE inside one of our subscriptions: a refresh, or with
// Expires: 0 the end of it (RFC 6665 section 4.2.1.2); either way a NOTIFY follows.
func (n *notifier) onRefresh(req *gosip.Request, tx gosip.ServerTransaction, tag string) {
	u := n.u
	name, _, _ := eventHeader(req)
	exp, ok := requestedExpires(req)
	fromTag, _ := req.From().Params.Get("tag")
	n.mu.Lock()
	s := n.subs[req.CallID().Value()+"\x00"+tag]
	if s == nil || s.gone || s.remoteTag != fromTag || packageByName(name) != s.pkg {
		n.mu.Unlock()
		u.respond(tx, req, 481, "Subscription Does Not Exist", nil)
		return
	}
	if seq := req.CSeq().SeqNo; seq <= s.remoteCSeq {
		n.mu.Unlock()
		u.respond(tx, req, 500, "CSeq Out of Order", nil)
		return
	} else {
		s.remoteCSeq = seq
	}
	if !ok {
		n.mu.Unlock()
		u.respond(tx, req, 400, "Bad Expires", nil)
		return
	}
	if exp > 0 && exp < n.cfg.MinExpires {
		minExp := n.cfg.MinExpires
		n.mu.Unlock()
		u.respond(tx, req, 423, "Interval Too Brief", nil, gosip.NewHeader("Min-Expires", seconds(minExp)))
		return
	}
	src, _ := netip.ParseAddrPort(req.Source())
	if !n.enabled(s.pkg) || !n.allow.allows(req.From().Address.String(), src.Addr()) {
		// A reload took the subscriber off the list: end the subscription.
		s.ending = "terminated;reason=rejected"
		n.kickLocked(s)
		n.mu.Unlock()
		u.respond(tx, req, 403, "Forbidden", nil)
		return
	}
	exp = min(exp, n.cfg.MaxExpires)
	if c := req.Contact(); c != nil {
		s.target = c.Address
	}
	if exp == 0 {
		s.ending = "terminated;reason=timeout"
	}
	s.expires = u.clk.Now().Add(exp)
	n.mu.Unlock()
	n.respondOK(tx, req, s, exp)
	n.mu.Lock()
	n.kickLocked(s)
	n.mu.Unlock()
	n.poke()
}

// respondOK answers a SUBSCRIBE with 200 (RFC 6665 section 4.2.1.1: 202 is no longer
// sent), our tag, Contact and the Expires granted.
func (n *notifier) respondOK(tx gosip.ServerTransaction, req *gosip.Request, s *subscription, exp time.Duration) {
	u := n.u
	res := gosip.NewResponseFromRequest(req, 200, "OK", nil)
	if to := res.To(); to != nil {
		// sipgo invents a To tag for a request without one; the dialog's is ours.
		to.Params.Remove("tag")
		to.Params.Add("tag", s.localTag)
	}
	res.AppendHeader(u.contactFor(s.localURI.User, s.transport, req.Source()))
	eh := gosip.ExpiresHeader(uint32(exp / time.Second))
	res.AppendHeader(&eh)
	if u.cfg.UserAgent != "" {
		res.AppendHeader(gosip.NewHeader("Server", u.cfg.UserAgent))
	}
	if err := tx.Respond(res); err != nil {
		u.log.Debug("sip: respond to SUBSCRIBE", "err", err)
	}
}

// poke wakes the expiry loop without blocking.
func (n *notifier) poke() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// setState records the door's state and queues a NOTIFY on every subscription.
func (n *notifier) setState(st DoorState) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if st == n.state {
		return
	}
	n.state = st
	for _, s := range n.subs {
		s.pass(st)
		n.kickLocked(s)
	}
}

// maxPassed bounds the states queued for one subscription: beyond it the newest replaces
// the last queued, so a subscriber that answers slowly gets the first changes and the
// current state, never an unbounded backlog.
const maxPassed = 4

// pass queues st for the next NOTIFY of s (n.mu is held). Presence documents carry the
// newest state only; for dialog a change within the same dialog state (the door opening in
// a call) replaces the queued one.
func (s *subscription) pass(st DoorState) {
	if s.pkg != pkgDialog {
		return
	}
	if k := len(s.passed); k > 0 && (k == maxPassed || s.passed[k-1].dialogState() == st.dialogState()) {
		s.passed[k-1] = st
		return
	}
	s.passed = append(s.passed, st)
}

// remove drops s from the table; n.mu is held.
func (n *notifier) removeLocked(s *subscription) {
	if s.gone {
		return
	}
	s.gone = true
	delete(n.subs, s.key)
	if n.perSource[s.source]--; n.perSource[s.source] <= 0 {
		delete(n.perSource, s.source)
	}
}
