package door

// Op is a control operation: what `intercom ctl`, the control socket, MQTT and the HTTP API
// ask for. On the wire (JSON, the ctl command line) it is its string.
type Op string

// Operations. The controller runs the first seven (Controller.Do); the control socket serves
// the others itself.
const (
	OpStatus      Op = "status"
	OpCall        Op = "call"
	OpAnswer      Op = "answer"
	OpHangup      Op = "hangup"
	OpOpen        Op = "open"
	OpPress       Op = "press"
	OpRelease     Op = "release"
	OpEvents      Op = "events"
	OpLines       Op = "lines"
	OpStats       Op = "stats"
	OpUsers       Op = "users"
	OpReloadUsers Op = "reload-users"
	OpMessage     Op = "message"
	OpHold        Op = "hold"
	OpUnhold      Op = "unhold"
	OpTransfer    Op = "transfer"
)

// ArgUse says whether an op takes an argument.
type ArgUse uint8

// Argument uses.
const (
	ArgNone     ArgUse = iota // no argument
	ArgOptional               // at most one
	ArgRequired               // exactly one
)

// OpRule is what an op accepts.
type OpRule struct {
	Arg     ArgUse
	ArgName string // what the argument is, for messages ("URI", "relay name", "button name")
	// Controller: the door controller carries it out (Controller.Do); else the control
	// socket answers it from elsewhere (event log, board lines, stats, users).
	Controller bool
	// Call: it acts on a call (answer: a ringing one; hangup: any), so it is refused when
	// there is none.
	Call   bool
	Text   bool // takes a text after the argument (message: what to send)
	Long   bool // takes a long-press flag
	Follow bool // takes follow and backlog
}

// Ops lists every op in the order `intercom ctl` documents them.
func Ops() []Op {
	return []Op{OpStatus, OpCall, OpAnswer, OpHangup, OpHold, OpUnhold, OpTransfer, OpOpen, OpPress, OpRelease,
		OpEvents, OpLines, OpStats, OpUsers, OpReloadUsers, OpMessage}
}

// Rule returns what op accepts; ok is false for an unknown op.
func (op Op) Rule() (r OpRule, ok bool) {
	switch op {
	case OpStatus:
		return OpRule{Controller: true}, true
	case OpCall:
		return OpRule{Arg: ArgOptional, ArgName: "URI", Controller: true}, true
	case OpAnswer, OpHangup, OpHold, OpUnhold:
		return OpRule{Controller: true, Call: true}, true
	case OpTransfer:
		return OpRule{Arg: ArgRequired, ArgName: "URI", Controller: true, Call: true}, true
	case OpOpen:
		return OpRule{Arg: ArgOptional, ArgName: "relay name", Controller: true}, true
	case OpPress:
		return OpRule{Arg: ArgRequired, ArgName: "button name", Controller: true, Long: true}, true
	case OpRelease:
		return OpRule{Arg: ArgRequired, ArgName: "button name", Controller: true}, true
	case OpEvents:
		return OpRule{Follow: true}, true
	case OpLines, OpStats, OpUsers, OpReloadUsers:
		return OpRule{}, true
	case OpMessage:
		return OpRule{Arg: ArgRequired, ArgName: "URI", Text: true}, true
	}
	return OpRule{}, false
}

// Valid reports whether op is known.
func (op Op) Valid() bool {
	_, ok := op.Rule()
	return ok
}
