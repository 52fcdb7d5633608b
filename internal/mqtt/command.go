package mqtt

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Op is what a command asks for.
type Op int

// Commands.
const (
	Open   Op = iota + 1 // pulse the door relay
	Lock                 // Home Assistant's lock command: the strike locks by itself, so only the state is re-sent
	Call                 // call Arg (a SIP URI), or the first call button's targets when empty
	Answer               // answer the ringing incoming call
	Hangup               // end the call in progress
	Press                // press the button named Arg, as a finger would
)

func (o Op) String() string {
	switch o {
	case Open:
		return "open"
	case Lock:
		return "lock"
	case Call:
		return "call"
	case Answer:
		return "answer"
	case Hangup:
		return "hangup"
	case Press:
		return "press"
	}
	return "unknown"
}

// Command is one message on a command topic.
type Command struct {
	Op  Op
	Arg string
	// User is the broker user the message came from when it was published under
	// <prefix>/user/<user>/cmd/..., which a broker ACL such as mosquitto's
	// `pattern write <prefix>/user/%u/cmd/#` ties to the sender's login; empty otherwise.
	User string
}

// MaxPayload bounds a command message: a URI or a button name is short, and a flood of large
// messages must not make the door buffer them.
const MaxPayload = 1024

// ParseCommand reads a message that arrived on topic under prefix. Topics are
// <prefix>/cmd/<op> and <prefix>/user/<user>/cmd/<op>; payloads are plain text:
//
//	open    anything (Home Assistant's button sends PRESS)
//	lock    OPEN or UNLOCK pulse the relay, LOCK re-sends the state
//	call    a SIP URI, or empty for the first call button's targets
//	answer, hangup  anything
//	press   a button name
func ParseCommand(prefix, topic string, payload []byte) (Command, error) {
	rest, ok := strings.CutPrefix(topic, prefix+"/")
	if !ok {
		return Command{}, fmt.Errorf("%w: topic %q is not under %q", ErrBadCommand, topic, prefix)
	}
	var cmd Command
	if u, ok := strings.CutPrefix(rest, "user/"); ok {
		user, tail, found := strings.Cut(u, "/")
		if !found || user == "" || !printable(user) || len(user) > 64 {
			return Command{}, fmt.Errorf("%w: topic %q has no usable user level", ErrBadCommand, topic)
		}
		cmd.User, rest = user, tail
	}
	name, ok := strings.CutPrefix(rest, "cmd/")
	if !ok {
		return Command{}, fmt.Errorf("%w: topic %q is not a command topic", ErrBadCommand, topic)
	}
	if len(payload) > MaxPayload {
		return Command{}, fmt.Errorf("%w: %d-byte payload (at most %d)", ErrBadCommand, len(payload), MaxPayload)
	}
	if !utf8.Valid(payload) {
		return Command{}, fmt.Errorf("%w: payload is not UTF-8", ErrBadCommand)
	}
	arg := strings.TrimSpace(string(payload))
	switch name {
	case "open":
		cmd.Op = Open
	case "lock":
		switch strings.ToUpper(arg) {
		case "OPEN", "UNLOCK":
			cmd.Op = Open
		case "LOCK":
			cmd.Op = Lock
		default:
			return Command{}, fmt.Errorf("%w: lock payload %q (expected LOCK, UNLOCK or OPEN)", ErrBadCommand, clip(arg))
		}
	case "answer":
		cmd.Op = Answer
	case "hangup":
		cmd.Op = Hangup
	case "call":
		if arg != "" && (!printable(arg) || strings.ContainsAny(arg, " \t")) {
			return Command{}, fmt.Errorf("%w: call payload %q is not a URI", ErrBadCommand, clip(arg))
		}
		cmd.Op, cmd.Arg = Call, arg
	case "press":
		if arg == "" || !printable(arg) || len(arg) > 64 {
			return Command{}, fmt.Errorf("%w: press payload %q (expected a button name)", ErrBadCommand, clip(arg))
		}
		cmd.Op, cmd.Arg = Press, arg
	default:
		return Command{}, fmt.Errorf("%w: unknown command %q", ErrBadCommand, clip(name))
	}
	return cmd, nil
}

// printable rejects control characters, which have no place in a name or URI and would let a
// sender forge lines in a text log.
func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// clip keeps error messages about hostile payloads short.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
