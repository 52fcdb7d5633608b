package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/doorsip/intercom/gpio"
	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/action"
	"github.com/doorsip/intercom/internal/audio"
	"github.com/doorsip/intercom/internal/cfgerr"
	"github.com/doorsip/intercom/internal/door"
	"github.com/doorsip/intercom/internal/httpapi"
	"github.com/doorsip/intercom/internal/mqtt"
	"github.com/doorsip/intercom/media"
	"github.com/doorsip/intercom/sip"
)

// DefaultPath is where the intercom looks for its file when -config is not given.
const DefaultPath = "/etc/intercom/intercom.toml"

// Config is the whole file, already split into each package's typed Config.
type Config struct {
	File  string
	SIP   sip.Config
	Media media.Config
	Audio audio.Config
	GPIO  gpio.Config
	Door  door.Config
	Log   Log
	// Access is [access]; Users the users file it names (nil when it names none).
	Access  access.Config
	Users   []access.User
	MQTT    mqtt.Config
	Readers []Reader // [[reader]], in the order of GPIO.Readers
	HTTP    httpapi.Config
	Actions []action.Action // [[action]]
	// Feedback is [feedback]; Prompts its sounds, decoded when the file was loaded.
	Feedback media.FeedbackConfig
	Prompts  *media.Prompts
}

// Log is [log].
type Log struct {
	Level slog.Level
}

// Load reads and validates path. Problems come back as Errors (wrapping ErrInvalid), each
// naming FILE:LINE.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, data)
}

// syntaxLine is the line holding a syntax error's first byte. The library's own Line is
// 1-based but counts a newline the lexer already consumed for some errors (an unclosed table
// header) and not for others (an unterminated string), so one rule on it is a line off for
// one of them; the byte offset names the same line for both.
func syntaxLine(data []byte, pos toml.Position) int {
	if pos.Start < 0 || pos.Start > len(data) {
		return pos.Line
	}
	return 1 + bytes.Count(data[:pos.Start], []byte("\n"))
}

// Parse decodes and validates data; name is used in messages and to resolve password_file.
func Parse(name string, data []byte) (*Config, error) {
	tree, err := decodeTree(name, data)
	if err != nil {
		return nil, err
	}
	lines := keyLines(data)
	r := &reader{used: map[string]bool{}}
	c := defaults()
	c.File = name
	c.read(r, tree, filepath.Dir(name))

	if err := r.fileErrors(name, lines, c.validate()); err != nil {
		return nil, err
	}
	if err := c.loadUsers(); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeTree decodes a TOML file into a tree, a syntax error naming its line.
func decodeTree(name string, data []byte) (map[string]any, error) {
	var tree map[string]any
	if _, err := toml.Decode(string(data), &tree); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, Errors{{File: name, Line: syntaxLine(data, pe.Position), Msg: "syntax: " + pe.Message}}
		}
		return nil, Errors{{File: name, Msg: "syntax: " + err.Error()}}
	}
	return tree, nil
}

func defaults() *Config {
	c := &Config{
		SIP:   sip.Defaults(),
		Media: media.Defaults(),
		Audio: audio.Defaults(),
		GPIO:  gpio.Defaults(),
		Door:  door.Defaults(),
		Log:   Log{Level: slog.LevelInfo},

		Access: access.Defaults(),
		MQTT:   mqtt.Defaults(),
		HTTP:   httpapi.Defaults(),
	}
	// A board's minimal file still gets `intercom ctl`; socket = "" turns it off.
	c.Door.Control.Socket = "/run/intercom/ctl.sock"
	return c
}

func (c *Config) read(r *reader, t map[string]any, dir string) {
	c.readSIP(r, t, dir)
	c.readAccounts(r, t, dir)
	c.readMedia(r, t)
	c.readAudio(r, t)
	c.readGPIO(r, t)
	c.readButtons(r, t)
	c.readInputs(r, t)
	c.readLEDs(r, t)
	c.readDoor(r, t)
	c.readCall(r, t)
	c.readLog(r, t)
	c.readControl(r, t)
	c.readAccess(r, t, dir)
	c.readMQTT(r, t, dir)
	c.readReaders(r, t)
	c.readKeypads(r, t)
	c.readRelays(r, t)
	c.readHTTP(r, t, dir)
	c.readActions(r, t, dir)
	c.readFeedback(r, t, dir)
	r.unknown(t, "")
}

// readSIP reads [sip] and its [sip.tls], [sip.scanner] and [sip.events].
func (c *Config) readSIP(r *reader, t map[string]any, dir string) {
	if s, ok := r.section(t, "", "sip"); ok {
		s.str("listen", &c.SIP.Listen)
		s.strs("transports", &c.SIP.Transports)
		s.str("display_name", &c.SIP.DisplayName)
		s.str("user_agent", &c.SIP.UserAgent)
		s.duration("keepalive", &c.SIP.Keepalive)
		s.str("nat", &c.SIP.NAT)
		s.str("public_address", &c.SIP.PublicAddress)
		s.duration("session_expires", &c.SIP.SessionExpires)
		s.duration("min_se", &c.SIP.MinSE)
		if tl, ok := s.sub("tls"); ok {
			tl.str("listen", &c.SIP.TLS.Listen)
			tl.str("cert", &c.SIP.TLS.Cert)
			tl.str("key", &c.SIP.TLS.Key)
			tl.str("ca", &c.SIP.TLS.CA)
			c.checkSIPTLSFiles(r, dir)
			tl.done()
		}
		if sc, ok := s.sub("scanner"); ok {
			sc.integer("rate", &c.SIP.Scanner.Rate)
			sc.integer("burst", &c.SIP.Scanner.Burst)
			sc.strs("user_agents", &c.SIP.Scanner.UserAgents)
			sc.boolean("trusted_only", &c.SIP.Scanner.TrustedOnly)
			sc.strs("trusted", &c.SIP.Scanner.Trusted)
			sc.done()
		}
		if ev, ok := s.sub("events"); ok {
			e := &c.SIP.Events
			ev.strs("allow_from", &e.AllowFrom)
			ev.strs("packages", &e.Packages)
			ev.boolean("expose_remote", &e.ExposeRemote)
			ev.integer("max_subscriptions", &e.MaxSubscriptions)
			ev.integer("max_per_source", &e.MaxPerSource)
			ev.duration("min_expires", &e.MinExpires)
			ev.duration("max_expires", &e.MaxExpires)
			ev.boolean("publish", &e.Publish)
			ev.duration("publish_expires", &e.PublishExpires)
			ev.strs("mwi", &e.MWI)
			ev.done()
		}
		s.done()
	}
}

// readAccounts reads every [[account]].
func (c *Config) readAccounts(r *reader, t map[string]any, dir string) {
	for i, a := range r.tables(t, "account") {
		p := fmt.Sprintf("account[%d]", i)
		acc := sip.AccountDefaults()
		r.str(a, p, "id", &acc.ID)
		r.str(a, p, "registrar", &acc.Registrar)
		r.str(a, p, "backup_registrar", &acc.BackupRegistrar)
		r.str(a, p, "user", &acc.User)
		r.str(a, p, "auth_user", &acc.AuthUser)
		r.password(a, p, "password", dir, &acc.Password)
		r.str(a, p, "domain", &acc.Domain)
		r.duration(a, p, "expires", &acc.Expires)
		c.readBackupCredentials(r, a, p, dir, &acc)
		if acc.ID == "" {
			acc.ID = "account" + strconv.Itoa(i+1)
		}
		r.unknown(a, p)
		c.SIP.Accounts = append(c.SIP.Accounts, acc)
	}
}

// readMedia reads [media].
func (c *Config) readMedia(r *reader, t map[string]any) {
	if m, ok := r.section(t, "", "media"); ok {
		m.strs("codecs", &c.Media.Codecs)
		m.str("rtp_ports", &c.Media.RTPPorts)
		m.duration("jitter", &c.Media.Jitter)
		m.duration("jitter_max", &c.Media.JitterMax)
		m.duration("rtp_timeout", &c.Media.RTPTimeout)
		m.integer("rt_priority", &c.Media.RTPriority)
		m.integer("dscp", &c.Media.DSCP)
		m.str("srtp", &c.Media.SRTP)
		m.duration("ptime", &c.Media.Ptime)
		m.integer("dtmf_payload_type", &c.Media.DTMFPayloadType)
		m.duration("dtmf_duration", &c.Media.DTMFDuration)
		m.duration("dtmf_gap", &c.Media.DTMFGap)
		m.str("stun_server", &c.Media.STUNServer)
		for i, name := range c.Media.Codecs {
			c.Media.Codecs[i] = strings.ToUpper(name)
		}
		m.done()
	}
}

// readAudio reads [audio].
func (c *Config) readAudio(r *reader, t map[string]any) {
	if a, ok := r.section(t, "", "audio"); ok {
		a.str("capture", &c.Audio.Capture)
		a.str("playback", &c.Audio.Playback)
		a.integer("volume", &c.Audio.Volume)
		a.integer("mic_gain", &c.Audio.MicGain)
		a.duration("period", &c.Audio.Period)
		a.integer("periods", &c.Audio.Periods)
		r.readVoice(a.t, &c.Audio.Voice)
		a.boolean("voice_on_test_devices", &c.Audio.VoiceOnTestDevices)
		a.done()
	}
}

// readGPIO reads [gpio].
func (c *Config) readGPIO(r *reader, t map[string]any) {
	if g, ok := r.section(t, "", "gpio"); ok {
		g.str("chip", &c.GPIO.Chip)
		g.duration("debounce", &c.GPIO.Debounce)
		g.duration("long_press", &c.GPIO.LongPress)
		g.done()
	}
}

// readButtons reads every [[button]].
func (c *Config) readButtons(r *reader, t map[string]any) {
	for i, b := range r.tables(t, "button") {
		p := fmt.Sprintf("button[%d]", i)
		in := r.input(b, p)
		act := door.ButtonDefaults()
		strAs(r, b, p, "action", &act.Action)
		r.strs(b, p, "call", &act.Call)
		r.str(b, p, "ring_mode", &act.RingMode)
		r.duration(b, p, "ring_timeout", &act.RingTimeout)
		act.Name = in.Name
		r.unknown(b, p)
		c.GPIO.Buttons = append(c.GPIO.Buttons, in)
		c.Door.Buttons = append(c.Door.Buttons, act)
	}
}

// readInputs reads every [[input]].
func (c *Config) readInputs(r *reader, t map[string]any) {
	for i, b := range r.tables(t, "input") {
		p := fmt.Sprintf("input[%d]", i)
		in := r.input(b, p)
		r.unknown(b, p)
		c.GPIO.Inputs = append(c.GPIO.Inputs, in)
	}
}

// readLEDs reads every [[led]].
func (c *Config) readLEDs(r *reader, t map[string]any) {
	for i, l := range r.tables(t, "led") {
		p := fmt.Sprintf("led[%d]", i)
		out := gpio.Output{Line: -1}
		show := door.LED{Show: door.ShowRegistered}
		r.str(l, p, "name", &out.Name)
		r.integer(l, p, "line", &out.Line)
		r.boolean(l, p, "active_low", &out.ActiveLow)
		strAs(r, l, p, "show", &show.Show)
		r.str(l, p, "pattern", &show.Pattern)
		if _, ok := l["line"]; !ok {
			r.fail(p, "line is missing (expected the GPIO line offset)")
		}
		show.Name = out.Name
		r.unknown(l, p)
		c.GPIO.LEDs = append(c.GPIO.LEDs, out)
		c.Door.LEDs = append(c.Door.LEDs, show)
	}
}

// readDoor reads [door].
func (c *Config) readDoor(r *reader, t map[string]any) {
	if d, ok := r.section(t, "", "door"); ok {
		relay := gpio.Output{Name: "door", Line: -1}
		d.integer("relay_line", &relay.Line)
		d.boolean("relay_active_low", &relay.ActiveLow)
		if d.has("relay_line") {
			c.GPIO.Relays = append(c.GPIO.Relays, relay)
			c.Door.Door.HasRelay = true
		}
		d.duration("open_for", &c.Door.Door.OpenFor)
		d.str("dtmf_code", &c.Door.Door.DTMFCode)
		d.strs("allowed", &c.Door.Door.Allowed)
		d.integer("max_attempts", &c.Door.Door.MaxAttempts)
		d.duration("lockout_for", &c.Door.Door.LockoutFor)
		d.duration("lockout_max", &c.Door.Door.LockoutMax)
		d.duration("lockout_reset", &c.Door.Door.LockoutReset)
		d.integer("lockout_global", &c.Door.Door.LockoutGlobal)
		d.str("exit_button", &c.Door.Door.ExitButton)
		d.str("sensor", &c.Door.Door.Sensor)
		d.duration("held_open", &c.Door.Door.HeldOpen)
		d.str("tamper", &c.Door.Door.Tamper)
		d.done()
	}
}

// readCall reads [call].
func (c *Config) readCall(r *reader, t map[string]any) {
	if k, ok := r.section(t, "", "call"); ok {
		k.str("incoming", &c.Door.Call.Incoming)
		k.strs("allow_from", &c.Door.Call.AllowFrom)
		k.duration("max_duration", &c.Door.Call.MaxDuration)
		k.duration("warn_before", &c.Door.Call.WarnBefore)
		k.duration("ring_timeout", &c.Door.Call.RingTimeout)
		k.boolean("auto_answer", &c.Door.Call.AutoAnswer)
		k.done()
	}
}

// readLog reads [log].
func (c *Config) readLog(r *reader, t map[string]any) {
	if l, ok := r.section(t, "", "log"); ok {
		var level string
		l.str("level", &level)
		if level != "" {
			if err := c.Log.Level.UnmarshalText([]byte(level)); err != nil {
				r.fail("log.level", "%q is not a level (expected debug, info, warn or error)", level)
			}
		}
		l.str("events", &c.Door.Events.Path)
		l.integer64("events_max_size", &c.Door.Events.MaxSize)
		l.done()
	}
}

// readControl reads [control].
func (c *Config) readControl(r *reader, t map[string]any) {
	if k, ok := r.section(t, "", "control"); ok {
		k.str("socket", &c.Door.Control.Socket)
		k.done()
	}
}

// input reads what [[button]] and [[input]] share: the line and its polarity.
func (r *reader) input(t map[string]any, p string) gpio.Input {
	in := gpio.Input{Line: -1, ActiveLow: true}
	r.str(t, p, "name", &in.Name)
	r.integer(t, p, "line", &in.Line)
	r.boolean(t, p, "active_low", &in.ActiveLow)
	in.Bias = defaultBias(in.ActiveLow)
	r.str(t, p, "bias", &in.Bias)
	if _, ok := t["line"]; !ok {
		r.fail(p, "line is missing (expected the GPIO line offset, e.g. line = 17)")
	}
	return in
}

// defaultBias pulls an input towards its inactive level, so a button wired to ground (active
// low) reads released with nothing attached, whatever the SoC's reset default is.
func defaultBias(activeLow bool) string {
	if activeLow {
		return "pull-up"
	}
	return "pull-down"
}

// validate runs every package's Validate, maps its keys onto the file's key paths, and adds
// the checks that span packages.
func (c *Config) validate() []error {
	var errs []error
	add := func(prefix string, err error) {
		for _, e := range cfgerr.Split(err) {
			var fe *cfgerr.Field
			if errors.As(e, &fe) {
				errs = append(errs, &cfgerr.Field{Key: fileKey(prefix, fe.Key), Msg: fe.Msg, Err: fe.Err})
			} else {
				errs = append(errs, e)
			}
		}
	}
	add("sip", c.SIP.Validate())
	add("media", c.Media.Validate())
	add("audio", c.Audio.Validate())
	add("feedback", c.loadFeedback())
	gpioErrs, relayErrs := c.relayErrors(c.GPIO.Validate())
	add("gpio", gpioErrs)
	add("", relayErrs)
	add("", c.Door.Validate())
	add("access", c.Access.Validate())
	add("mqtt", c.MQTT.Validate())
	add("http", c.HTTP.Validate())
	add("", c.validateActions())

	for i, b := range c.Door.Buttons {
		for _, u := range b.Call {
			if _, err := sip.ParseURI(u); err != nil {
				add("", cfgerr.New(fmt.Sprintf("button[%d].call", i), "%w", err))
			}
		}
	}
	for _, u := range c.Door.Door.Allowed {
		if _, err := sip.ParseURI(u); err != nil {
			add("", cfgerr.New("door.allowed", "%w", err))
		}
	}
	for _, u := range c.Door.Call.AllowFrom {
		if _, err := sip.ParseURI(u); err != nil {
			add("", cfgerr.New("call.allow_from", "%w", err))
		}
	}
	for key, x := range map[string]string{"door.exit_button": c.Door.Door.ExitButton, "door.sensor": c.Door.Door.Sensor, "door.tamper": c.Door.Door.Tamper} {
		if x != "" && !hasInput(c.GPIO.Inputs, x) {
			add("", cfgerr.New(key, "%q names no [[input]] (expected the name of an input line)", x))
		}
	}
	if c.Door.Call.MaxDuration > 0 && c.Door.Call.WarnBefore >= c.Door.Call.MaxDuration {
		add("", cfgerr.New("call.warn_before", "%s is not shorter than max_duration %s", c.Door.Call.WarnBefore, c.Door.Call.MaxDuration))
	}
	if ap, err := netip.ParseAddrPort(c.SIP.Listen); err == nil {
		if lo, hi, err := media.ParsePortRange(c.Media.RTPPorts); err == nil {
			if p := int(ap.Port()); p >= lo && p <= hi+1 {
				add("", cfgerr.New("media.rtp_ports", "%s overlaps the SIP port %d of sip.listen (expected a range that leaves it out)", c.Media.RTPPorts, p))
			}
		}
	}
	return errs
}

func hasInput(ins []gpio.Input, name string) bool {
	for _, in := range ins {
		if in.Name == name {
			return true
		}
	}
	return false
}

// fileKey turns a package-relative key into the file's dotted path.
func fileKey(section, key string) string {
	switch {
	case section == "" || strings.HasPrefix(key, "account["):
		return key
	case section == "gpio" && (strings.HasPrefix(key, "button[") || strings.HasPrefix(key, "input[") || strings.HasPrefix(key, "led[") || strings.HasPrefix(key, "reader[") || strings.HasPrefix(key, "keypad[")):
		return key
	case section == "gpio" && strings.HasPrefix(key, "relay["):
		// The only relay in the file is [door] relay_line.
		rest := key[strings.IndexByte(key, ']')+1:]
		if rest == ".line" {
			return "door.relay_line"
		}
		return "door"
	}
	return section + "." + key
}
