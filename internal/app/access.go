package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"reflect"
	"sync"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/clock"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/eventlog"
	"github.com/doorsip/intercom/wiegand"
)

// accessQueue bounds the attempts waiting for a PIN hash; a keypad cannot be typed faster,
// so a full queue means a flood (a faulty reader), and the newest attempt is dropped.
const accessQueue = 16

// doorAccess is the controller as the access path sees it.
type doorAccess interface {
	Access(ctx context.Context, a door.Attempt) (door.AccessOutcome, error)
}

// keypads joins keypads and card readers to the users and the door: codes and cards are
// checked on its own goroutine (argon2id takes tens of milliseconds) and only the verdict
// goes to the controller's loop, which counts wrong attempts and opens the relay.
type keypads struct {
	door      doorAccess
	dir       *access.Directory
	cfg       access.Config
	mu        sync.Mutex // guards usersFile and relays, which a reload changes
	usersFile string
	relays    []string
	clk       clock.Clock
	log       *slog.Logger
	work      chan attempt
	// events, when set, gets reader misreads (folded per reader and minute: a noisy or
	// tampered line must not flood the door's history).
	events *eventlog.Log
	// signals are the readers' LED and beeper outputs by source, pulsed with pulse.
	signals map[string]gpio.Reader
	pulse   func(name string, d time.Duration) error
	// edgeDone, when set (tests), is called after each edge has been decoded and the
	// silence timer re-armed, so a fake clock is advanced only after the edges it follows.
	edgeDone func()
}

type attempt struct {
	source string
	pin    string       // a typed code, or
	card   *access.Read // a card
}

func newKeypads(cfg *config.Config, d doorAccess, clk clock.Clock, log *slog.Logger) (*keypads, error) {
	loc, err := cfg.Access.Location()
	if err != nil {
		return nil, fmt.Errorf("app: access: %w", err)
	}
	k := &keypads{door: d, dir: access.NewDirectory(cfg.Users, loc), cfg: cfg.Access, usersFile: cfg.Access.UsersFile,
		relays: cfg.RelayNames(), clk: clk, log: log, work: make(chan attempt, accessQueue), signals: map[string]gpio.Reader{}}
	for _, r := range cfg.GPIO.Readers {
		k.signals["reader:"+r.Name] = r
	}
	k.checkFile()
	return k, nil
}

// reload takes the users of a reloaded config; spent guest PINs stay spent.
func (k *keypads) reload(cfg *config.Config) {
	k.mu.Lock()
	k.usersFile, k.relays = cfg.Access.UsersFile, cfg.RelayNames()
	k.mu.Unlock()
	k.dir.Replace(cfg.Users)
}

// checkFile warns about a users file that is missing (nobody opens by PIN or card) or that
// other users can read: the hashes of 4- to 6-digit PINs fall to an offline search.
func (k *keypads) checkFile() {
	if k.usersFile == "" {
		return
	}
	st, err := os.Stat(k.usersFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		k.log.Warn("access: the users file does not exist yet: no PIN or card opens (intercom users add creates it)", "file", k.usersFile)
	case err != nil:
		k.log.Warn("access: users file", "err", err)
	case st.Mode().Perm()&0o077 != 0:
		k.log.Warn("access: the users file is readable by other users; short PINs can be found from their hashes: chmod 600 it",
			"file", k.usersFile, "mode", st.Mode().Perm().String())
	}
}

// accessRestartNeeded names what of [access] and [[reader]] a reload cannot apply: the
// keypads' keys and timeout and the schedules' zone are taken when the readers start
// (the users themselves, and users_file, apply at once).
func accessRestartNeeded(old, cfg *config.Config) []string {
	o, n := old.Access, cfg.Access
	o.UsersFile, n.UsersFile = "", ""
	if o != n || !reflect.DeepEqual(old.Readers, cfg.Readers) {
		return []string{"access keys, time zone and reader formats"}
	}
	return nil
}

// reloadFile rereads the users file alone (`intercom users` asks after editing it). A file
// with errors is refused and the users in force are kept.
func (k *keypads) reloadFile() (int, error) {
	k.mu.Lock()
	path, relays := k.usersFile, k.relays
	k.mu.Unlock()
	if path == "" {
		return 0, fmt.Errorf("app: %w: [access] users_file is not set", errNoUsers)
	}
	users, err := config.LoadUsers(path, relays)
	if err != nil {
		return 0, err
	}
	k.dir.Replace(users)
	return len(users), nil
}

func (k *keypads) submit(a attempt) {
	select {
	case k.work <- a:
	default:
		k.log.Warn("access: attempts queue full, dropped one", "source", a.source)
	}
}

// run checks attempts until ctx ends.
func (k *keypads) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case a := <-k.work:
			k.check(ctx, a)
		}
	}
}

func (k *keypads) check(ctx context.Context, a attempt) {
	now := k.clk.Now()
	var dec access.Decision
	att := door.Attempt{Source: a.source}
	if a.card != nil {
		dec = k.dir.CheckCard(*a.card, now)
		att.Via = door.CardCredential
		att.Card = a.card.String()
	} else {
		dec = k.dir.CheckPIN(a.pin, now)
		att.Via = door.PINCredential
	}
	att.Granted = dec.Result == access.Granted
	att.Known = dec.Result != access.Unknown
	att.User, att.Relay = dec.User, dec.Relay
	if !att.Granted {
		att.Reason = dec.Result.String()
	}
	out, err := k.door.Access(ctx, att)
	if err != nil && !errors.Is(err, door.ErrDenied) && !errors.Is(err, door.ErrLockedOut) {
		k.log.Warn("access: door", "source", a.source, "err", err)
	}
	k.signal(a.source, out == door.AccessGranted && err == nil)
	if dec.Spent.String() != "" {
		k.spend(dec.User, dec.Spent)
	}
}

// Feedback on the reader: its LED lit and a short beep on a grant, a long beep on a refusal.
const (
	grantLED  = 3 * time.Second
	grantBeep = 150 * time.Millisecond
	denyBeep  = time.Second
)

// signal shows a verdict on the reader it came from, if that reader has the wires.
func (k *keypads) signal(source string, granted bool) {
	r, ok := k.signals[source]
	if !ok || k.pulse == nil {
		return
	}
	var err error
	if granted && r.LED >= 0 {
		err = k.pulse(r.LEDName(), grantLED)
	}
	if r.Buzzer >= 0 {
		beep := denyBeep
		if granted {
			beep = grantBeep
		}
		err = errors.Join(err, k.pulse(r.BuzzerName(), beep))
	}
	if err != nil {
		k.log.Warn("access: reader signal", "source", source, "err", err)
	}
}

// spend removes a used guest PIN from the users file, so it stays spent after a restart.
func (k *keypads) spend(user string, p access.PIN) {
	k.mu.Lock()
	path, relays := k.usersFile, k.relays
	k.mu.Unlock()
	if path == "" {
		return
	}
	err := config.EditUsers(path, relays, func(users []access.User) ([]access.User, error) {
		for i := range users {
			if users[i].Name != user {
				continue
			}
			kept := users[i].PINs[:0]
			for _, q := range users[i].PINs {
				if q.String() != p.String() {
					kept = append(kept, q)
				}
			}
			users[i].PINs = kept
		}
		// A guest with nothing left goes: an entry without PINs or cards does not load.
		out := users[:0]
		for _, u := range users {
			if len(u.PINs) > 0 || len(u.Cards) > 0 {
				out = append(out, u)
			}
		}
		return out, nil
	})
	if err != nil {
		k.log.Warn("access: could not remove a spent guest PIN from the users file (it stays spent until a restart)", "user", user, "err", err)
	}
}

// runReader decodes one Wiegand reader's edges until ctx ends. Edges come from lines.Run's
// goroutine through a channel; the end-of-frame silence is timed with the injected clock
// from the arrival of the last edge, and the frame is closed at the kernel time it was due.
func (k *keypads) runReader(ctx context.Context, name string, lines gpio.EdgeLines, wcfg wiegand.Config) error {
	source := "reader:" + name
	edges := make(chan gpio.EdgeEvent, gpio.EdgeBufferSize)
	var wg sync.WaitGroup
	var runErr error
	wg.Add(1)
	rctx, cancel := context.WithCancel(ctx)
	defer func() { cancel(); wg.Wait() }()
	go func() {
		defer wg.Done()
		runErr = lines.Run(rctx, func(e gpio.EdgeEvent) {
			select {
			case edges <- e:
			case <-rctx.Done():
			}
		})
		cancel()
	}()
	dec := wiegand.NewDecoder(wcfg)
	entry := access.NewEntry(k.cfg)
	timer := k.clk.NewTimer(time.Hour)
	timer.Stop()
	misreads := 0
	var lastArrival time.Time
	frame := func(f wiegand.Frame) {
		r, err := wcfg.Decode(f)
		if err != nil {
			misreads++
			k.log.Info("access: misread", "reader", name, "frame", f.String(), "err", err, "misreads", misreads)
			if k.events != nil {
				k.events.AddFrom(EventReaderMisread, source, "source", source, "bits", f.Bits, "err", err.Error())
			}
			return
		}
		if r.Kind == wiegand.Key {
			if code, ok := entry.Key(r.Key, k.clk.Now()); ok {
				k.submit(attempt{source: source, pin: code})
			}
			return
		}
		k.submit(attempt{source: source, card: &access.Read{Bits: r.Bits, Raw: r.Raw, Decoded: r.Decoded, Facility: r.Facility, Number: r.Number}})
	}
	add := func(e gpio.EdgeEvent) {
		if e.Lost > 0 {
			dec.MarkLost()
		}
		if f, done := dec.Add(wiegand.Edge{Line: wiegand.Line(e.Line), At: e.At}); done {
			frame(f)
		}
		lastArrival = k.clk.Now()
		timer.Reset(wcfg.Gap)
		if k.edgeDone != nil {
			k.edgeDone()
		}
	}
	for {
		select {
		case <-rctx.Done():
			if ctx.Err() != nil {
				return nil
			}
			return runErr
		case e := <-edges:
			add(e)
		case <-timer.C():
			// Edges already queued belong before the silence: then it has not happened yet.
			// A timer value left from before the last edge is stale: wait out the rest.
			if len(edges) > 0 {
				continue
			}
			if left := wcfg.Gap - k.clk.Since(lastArrival); left > 0 {
				timer.Reset(left)
				continue
			}
			if due, ok := dec.Due(); ok {
				if f, done := dec.Flush(due); done {
					frame(f)
				}
			}
		}
	}
}

// startReaders claims every [[reader]]'s lines and runs its decoder with start.
func (a *App) startReaders(start func(string, func(context.Context) error, context.Context), ctx context.Context) {
	for i, r := range a.cfg.GPIO.Readers {
		if a.cfg.GPIO.Chip == "sim" {
			a.log.Warn("access: a sim board has no reader lines; reader not started", "reader", r.Name)
			continue
		}
		lines, err := gpio.OpenEdges(a.cfg.GPIO.Chip, []int{r.D0, r.D1}, gpio.EdgeBufferSize)
		if err != nil {
			a.log.Error("access: reader not started", "reader", r.Name, "err", err)
			continue
		}
		wcfg := a.cfg.Readers[i].Wiegand
		start("reader "+r.Name, func(ctx context.Context) error {
			defer lines.Close()
			return a.keys.runReader(ctx, r.Name, lines, wcfg)
		}, ctx)
	}
	for _, kp := range a.cfg.GPIO.Keypads {
		if a.cfg.GPIO.Chip == "sim" {
			a.log.Warn("access: a sim board has no keypad lines; keypad not started", "keypad", kp.Name)
			continue
		}
		s, err := gpio.OpenKeypad(kp, gpio.KeypadOptions{Clock: a.opts.Clock, Chip: a.cfg.GPIO.Chip, Debounce: a.cfg.GPIO.Debounce})
		if err != nil {
			a.log.Error("access: keypad not started", "keypad", kp.Name, "err", err)
			continue
		}
		start("keypad "+kp.Name, func(ctx context.Context) error {
			defer s.Close()
			return a.keys.runKeypad(ctx, kp.Name, s)
		}, ctx)
	}
}

// keySource is a keypad as runKeypad needs it.
type keySource interface {
	Run(ctx context.Context) error
	Keys() <-chan rune
}

// runKeypad turns one keypad's keys into codes until ctx ends.
func (k *keypads) runKeypad(ctx context.Context, name string, s keySource) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	entry := access.NewEntry(k.cfg)
	for {
		select {
		case err := <-errc:
			return err
		case key := <-s.Keys():
			if code, ok := entry.Key(key, k.clk.Now()); ok {
				k.submit(attempt{source: "keypad:" + name, pin: code})
			}
		}
	}
}

// Users serves `intercom ctl users`.
func (h ctlHandler) Users() []access.Summary { return h.a.keys.dir.Users() }

// ReloadUsers serves reload-users, which `intercom users` sends after editing the file.
func (h ctlHandler) ReloadUsers() (int, error) {
	n, err := h.a.keys.reloadFile()
	if err != nil {
		h.a.events.Add(EventUsersReloadFailed, "err", err)
		return 0, err
	}
	h.a.events.Add(EventUsersReloaded, "users", n)
	return n, nil
}
