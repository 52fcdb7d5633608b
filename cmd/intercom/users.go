package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
	"time"

	"github.com/doorsip/intercom/config"
	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/control"
)

const usersUsage = `usage: intercom users [-config FILE] COMMAND

Edits the users file named by [access] users_file (atomically, under a lock), then asks the
running intercom to reread it.

commands:
  list                      the users, without PINs
  add NAME [flags]          a new user; flags:
        -kind resident|guest|public   (default resident; a guest's PINs open once)
        -pin                          read a PIN from the terminal (or stdin)
        -random-pin N                 make up an N-digit PIN and print it (once)
        -card C                       FACILITY:NUMBER, NUMBER or raw:0xHEX (repeatable)
        -schedule "mon-fri 07:00-19:00"  (repeatable; empty = any time)
        -from DATE -until DATE        2026-12-24 or 2026-12-24T18:00 (until a date: that day included)
        -relay NAME                   door (default) or a [[relay]]
  remove NAME               delete a user
  passwd NAME [-random-pin N]  replace the user's PINs with one new PIN
`

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// usersCmd implements `intercom users`: 0 ok, 1 failure, 2 usage or a bad file.
func usersCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("users", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usersUsage) }
	path := fs.String("config", config.DefaultPath, "config `file`")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if cfg.Access.UsersFile == "" {
		fmt.Fprintf(stderr, "intercom users: %s has no [access] users_file\n", *path)
		return 2
	}
	op, rest := fs.Arg(0), fs.Args()[1:]
	if op == "list" {
		loc, _ := cfg.Access.Location()
		printUsers(stdout, access.NewDirectory(cfg.Users, loc).Users())
		return 0
	}
	if len(rest) == 0 || strings.HasPrefix(rest[0], "-") {
		fmt.Fprintf(stderr, "intercom users %s: expected a user name first\n%s", op, usersUsage)
		return 2
	}
	name, rest := rest[0], rest[1:]
	sub := flag.NewFlagSet("users "+op, flag.ContinueOnError)
	sub.SetOutput(stderr)
	sub.Usage = func() { fmt.Fprint(stderr, usersUsage) }
	kind := sub.String("kind", "resident", "resident, guest or public")
	askPIN := sub.Bool("pin", false, "read a PIN")
	randomPIN := sub.Int("random-pin", 0, "make up a PIN of this many digits")
	var cards, sched multi
	sub.Var(&cards, "card", "card (repeatable)")
	sub.Var(&sched, "schedule", "schedule window (repeatable)")
	from := sub.String("from", "", "valid from")
	until := sub.String("until", "", "valid until")
	relay := sub.String("relay", "", "relay")
	if err := sub.Parse(rest); err != nil || sub.NArg() != 0 {
		return 2
	}
	var pinText string
	switch {
	case *randomPIN != 0:
		if pinText, err = makePIN(*randomPIN); err != nil {
			fmt.Fprintf(stderr, "intercom users: %v\n", err)
			return 2
		}
	case *askPIN || op == "passwd":
		if pinText, err = readPIN(stdin, stderr); err != nil {
			fmt.Fprintf(stderr, "intercom users: %v\n", err)
			return 2
		}
	}
	var edit func([]access.User) ([]access.User, error)
	switch op {
	case "add":
		u := access.User{Name: name}
		k, ok := access.ParseKind(*kind)
		if !ok {
			fmt.Fprintf(stderr, "intercom users: -kind %q (expected resident, guest or public)\n", *kind)
			return 2
		}
		u.Kind, u.Relay = k, *relay
		for _, c := range cards {
			cd, err := access.ParseCard(c)
			if err != nil {
				fmt.Fprintf(stderr, "intercom users: -card: %v\n", err)
				return 2
			}
			u.Cards = append(u.Cards, cd)
		}
		if u.Schedule, err = access.ParseSchedule(sched); err != nil {
			fmt.Fprintf(stderr, "intercom users: -schedule: %v\n", err)
			return 2
		}
		if u.ValidFrom, err = parseBound(*from, false); err == nil {
			u.ValidUntil, err = parseBound(*until, true)
		}
		if err != nil {
			fmt.Fprintf(stderr, "intercom users: %v\n", err)
			return 2
		}
		edit = func(users []access.User) ([]access.User, error) {
			for _, o := range users {
				if o.Name == name {
					return nil, fmt.Errorf("intercom users: %q already exists (remove it first, or passwd to change its PIN)", name)
				}
			}
			if pinText != "" {
				p, err := hashLike(users, pinText)
				if err != nil {
					return nil, err
				}
				u.PINs = []access.PIN{p}
			}
			return append(users, u), nil
		}
	case "remove":
		edit = func(users []access.User) ([]access.User, error) {
			out := users[:0]
			for _, u := range users {
				if u.Name != name {
					out = append(out, u)
				}
			}
			if len(out) == len(users) {
				return nil, fmt.Errorf("%w: %q", access.ErrUnknownUser, name)
			}
			return out, nil
		}
	case "passwd":
		edit = func(users []access.User) ([]access.User, error) {
			for i := range users {
				if users[i].Name == name {
					p, err := hashLike(users, pinText)
					if err != nil {
						return nil, err
					}
					users[i].PINs = []access.PIN{p}
					return users, nil
				}
			}
			return nil, fmt.Errorf("%w: %q", access.ErrUnknownUser, name)
		}
	default:
		fmt.Fprintf(stderr, "intercom users: unknown command %q\n%s", op, usersUsage)
		return 2
	}
	if err := config.EditUsers(cfg.Access.UsersFile, cfg.RelayNames(), edit); err != nil {
		fmt.Fprintln(stderr, err)
		if errors.Is(err, config.ErrInvalid) {
			return 2
		}
		return 1
	}
	if *randomPIN != 0 {
		// The only time this PIN is ever shown: the file holds its hash.
		fmt.Fprintf(stdout, "PIN for %s: %s\n", name, pinText)
	}
	fmt.Fprintf(stdout, "%s: %s %s\n", cfg.Access.UsersFile, op, name)
	return reloadRunning(cfg, stdout, stderr)
}

// hashLike hashes pin with the salt and costs the file's PINs already use, so the intercom
// derives one hash per keypad attempt however many users there are.
func hashLike(users []access.User, pin string) (access.PIN, error) {
	for _, u := range users {
		for _, p := range u.PINs {
			return access.HashPIN(pin, p.Salt(), p.Params())
		}
	}
	return access.HashPIN(pin, access.NewSalt(), access.DefaultParams())
}

func makePIN(n int) (string, error) {
	if n < 4 || n > 12 {
		return "", fmt.Errorf("-random-pin %d (expected 4 to 12 digits)", n)
	}
	var b strings.Builder
	for range n {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}

// readPIN reads a PIN twice from the terminal without echo, or once from a pipe.
func readPIN(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(stderr, "PIN: ")
		a, err := readNoEcho(f)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "again: ")
		b, err := readNoEcho(f)
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if a != b {
			return "", errors.New("the PINs differ")
		}
		return a, access.CheckPINText(a)
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("reading the PIN from stdin: %w", err)
	}
	pin := strings.TrimRight(line, "\r\n")
	return pin, access.CheckPINText(pin)
}

func parseBound(s string, end bool) (access.Bound, error) {
	if s == "" {
		return access.Bound{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return access.Bound{T: t, Floating: true}, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return access.Bound{T: t, Floating: true}, nil
		}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return access.Bound{T: t}, nil
	}
	return access.Bound{}, fmt.Errorf("%q is not a date (expected 2026-12-24 or 2026-12-24T18:00)", s)
}

// reloadRunning asks a running intercom to reread the users file; none running is fine.
func reloadRunning(cfg *config.Config, stdout, stderr io.Writer) int {
	if cfg.Door.Control.Socket == "" {
		fmt.Fprintln(stdout, "no control socket configured: send the intercom SIGHUP to reload")
		return 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), ctlTimeout)
	defer cancel()
	cl, err := control.Dial(ctx, cfg.Door.Control.Socket)
	if err != nil {
		fmt.Fprintln(stdout, "the intercom is not running; it reads the file when it starts")
		return 0
	}
	defer cl.Close()
	resp, err := cl.Do(control.Request{Op: "reload-users"})
	if err != nil {
		fmt.Fprintf(stderr, "intercom users: the running intercom did not reload: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "running intercom: %s\n", resp.Message)
	return 0
}

// printUsers prints users one per line with what they may do; never a PIN.
func printUsers(w io.Writer, users []access.Summary) {
	if len(users) == 0 {
		fmt.Fprintln(w, "no users")
		return
	}
	for _, u := range users {
		var parts []string
		parts = append(parts, u.Kind)
		if u.PINs > 0 {
			parts = append(parts, fmt.Sprintf("%d PIN(s)", u.PINs))
		}
		if len(u.Cards) > 0 {
			parts = append(parts, "cards "+strings.Join(u.Cards, " "))
		}
		if len(u.Schedule) > 0 {
			parts = append(parts, "schedule "+strings.Join(u.Schedule, "; "))
		}
		if u.ValidFrom != "" {
			parts = append(parts, "from "+u.ValidFrom)
		}
		if u.ValidUntil != "" {
			parts = append(parts, "until "+u.ValidUntil)
		}
		if u.Relay != "" {
			parts = append(parts, "relay "+u.Relay)
		}
		if u.Disabled {
			parts = append(parts, "disabled")
		}
		fmt.Fprintf(w, "%s: %s\n", u.Name, strings.Join(parts, ", "))
	}
}
