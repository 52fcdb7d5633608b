package demo

// The two units of the demo, as an installer would write them: userless SIP on loopback,
// simulated GPIO, tones instead of microphones. Ports are filled in by Run.
const doorConfig = `# The door station: a bell button that calls the indoor unit, a door relay.
[sip]
listen = "127.0.0.1:%d"
display_name = "Front door"

[media]
rtp_ports = "%d-%d"
rtp_timeout = "5s"
rt_priority = 0                  # a desktop demo: no SCHED_FIFO, no mlockall

[audio]
capture = "tone:440"             # the visitor's voice, played by a 440 Hz tone
playback = "null"

[gpio]
chip = "sim"

[[button]]
name = "bell"
line = 0
action = "call"
call = ["sip:indoor@127.0.0.1:%d"]
ring_timeout = "10s"

[[led]]
name = "in-call"
line = 1
show = "in-call"

[door]
relay_line = 2
open_for = "1s"
dtmf_code = "#1"
allowed = ["sip:indoor@127.0.0.1:%d"]

[call]
incoming = "reject"
max_duration = "1m"

[log]
level = "%s"

[control]
socket = ""                      # the demo drives its buttons in-process
`

const indoorConfig = `# The indoor unit: rings, answer/open/hang-up buttons, no relay of its own.
[sip]
listen = "127.0.0.1:%d"
display_name = "Hall"

[media]
rtp_ports = "%d-%d"
rtp_timeout = "5s"
rt_priority = 0                  # a desktop demo: no SCHED_FIFO, no mlockall

[audio]
capture = "tone:660"             # the resident's voice, a 660 Hz tone
playback = "null"

[gpio]
chip = "sim"

[[button]]
name = "answer"
line = 0
action = "answer"

[[button]]
name = "open"
line = 1
action = "open"                  # no relay here: sends the door code as DTMF

[[button]]
name = "hangup"
line = 2
action = "hangup"

[[led]]
name = "ringing"
line = 3
show = "ringing"

[door]
dtmf_code = "#1"

[call]
incoming = "button"              # ring until someone presses answer

[log]
level = "%s"

[control]
socket = ""                      # the demo drives its buttons in-process
`
