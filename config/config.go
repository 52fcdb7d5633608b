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

	var probs Errors
	for _, p := range r.problems {
		probs = append(probs, Problem{File: name, Line: lineOf(lines, p.key), Key: p.key, Msg: p.msg})
	}
	// Validation runs even after decode problems so the installer sees everything at once;
	// it only reports keys that decoded, so a wrong type is not reported twice.
	bad := map[string]bool{}
	for _, p := range r.problems {
		bad[p.key] = true
	}
	for _, e := range c.validate() {
		var fe *cfgerr.Field
		key, msg := "", e.Error()
		if errors.As(e, &fe) {
			key, msg = fe.Key, fe.Msg
		}
		if bad[key] {
			continue
		}
		probs = append(probs, Problem{File: name, Line: lineOf(lines, key), Key: key, Msg: msg})
	}
	if len(probs) > 0 {
		return nil, probs.sorted()
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
	c.readSIP(r, t)
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
func (c *Config) readSIP(r *reader, t map[string]any) {
	if s := r.table(t, "", "sip"); s != nil {
		r.str(s, "sip", "listen", &c.SIP.Listen)
		r.strs(s, "sip", "transports", &c.SIP.Transports)
		r.str(s, "sip", "display_name", &c.SIP.DisplayName)
		r.str(s, "sip", "user_agent", &c.SIP.UserAgent)
		r.duration(s, "sip", "keepalive", &c.SIP.Keepalive)
		r.str(s, "sip", "nat", &c.SIP.NAT)
		r.str(s, "sip", "public_address", &c.SIP.PublicAddress)
		r.duration(s, "sip", "session_expires", &c.SIP.SessionExpires)
		r.duration(s, "sip", "min_se", &c.SIP.MinSE)
		if tl := r.table(s, "sip", "tls"); tl != nil {
			r.str(tl, "sip.tls", "listen", &c.SIP.TLS.Listen)
			r.str(tl, "sip.tls", "cert", &c.SIP.TLS.Cert)
			r.str(tl, "sip.tls", "key", &c.SIP.TLS.Key)
			r.str(tl, "sip.tls", "ca", &c.SIP.TLS.CA)
			r.unknown(tl, "sip.tls")
		}
		if sc := r.table(s, "sip", "scanner"); sc != nil {
			r.integer(sc, "sip.scanner", "rate", &c.SIP.Scanner.Rate)
			r.integer(sc, "sip.scanner", "burst", &c.SIP.Scanner.Burst)
			r.strs(sc, "sip.scanner", "user_agents", &c.SIP.Scanner.UserAgents)
			r.boolean(sc, "sip.scanner", "trusted_only", &c.SIP.Scanner.TrustedOnly)
			r.strs(sc, "sip.scanner", "trusted", &c.SIP.Scanner.Trusted)
			r.unknown(sc, "sip.scanner")
		}
		if ev := r.table(s, "sip", "events"); ev != nil {
			e := &c.SIP.Events
			r.strs(ev, "sip.events", "allow_from", &e.AllowFrom)
			r.strs(ev, "sip.events", "packages", &e.Packages)
			r.boolean(ev, "sip.events", "expose_remote", &e.ExposeRemote)
			r.integer(ev, "sip.events", "max_subscriptions", &e.MaxSubscriptions)
			r.integer(ev, "sip.events", "max_per_source", &e.MaxPerSource)
			r.duration(ev, "sip.events", "min_expires", &e.MinExpires)
			r.duration(ev, "sip.events", "max_expires", &e.MaxExpires)
			r.boolean(ev, "sip.events", "publish", &e.Publish)
			r.duration(ev, "sip.events", "publish_expires", &e.PublishExpires)
			r.strs(ev, "sip.events", "mwi", &e.MWI)
			r.unknown(ev, "sip.events")
		}
		r.unknown(s, "sip")
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
		r.str(a, p, "password", &acc.Password)
		var pwFile string
		r.str(a, p, "password_file", &pwFile)
		if pwFile != "" {
			if acc.Password != "" {
				r.fail(p+".password_file", "both password and password_file are set (expected one of them)")
			} else if pw, err := readSecret(dir, pwFile); err != nil {
				r.fail(p+".password_file", "%v", err)
			} else {
				acc.Password = pw
			}
		}
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
	if m := r.table(t, "", "media"); m != nil {
		r.strs(m, "media", "codecs", &c.Media.Codecs)
		r.str(m, "media", "rtp_ports", &c.Media.RTPPorts)
		r.duration(m, "media", "jitter", &c.Media.Jitter)
		r.duration(m, "media", "jitter_max", &c.Media.JitterMax)
		r.duration(m, "media", "rtp_timeout", &c.Media.RTPTimeout)
		r.integer(m, "media", "rt_priority", &c.Media.RTPriority)
		r.integer(m, "media", "dscp", &c.Media.DSCP)
		r.str(m, "media", "srtp", &c.Media.SRTP)
		r.duration(m, "media", "ptime", &c.Media.Ptime)
		r.integer(m, "media", "dtmf_payload_type", &c.Media.DTMFPayloadType)
		r.duration(m, "media", "dtmf_duration", &c.Media.DTMFDuration)
		r.duration(m, "media", "dtmf_gap", &c.Media.DTMFGap)
		r.str(m, "media", "stun_server", &c.Media.STUNServer)
		for i, name := range c.Media.Codecs {
			c.Media.Codecs[i] = strings.ToUpper(name)
		}
		r.unknown(m, "media")
	}
}

// readAudio reads [audio].
func (c *Config) readAudio(r *reader, t map[string]any) {
	if a := r.table(t, "", "audio"); a != nil {
		r.str(a, "audio", "capture", &c.Audio.Capture)
		r.str(a, "audio", "playback", &c.Audio.Playback)
		r.integer(a, "audio", "volume", &c.Audio.Volume)
		r.integer(a, "audio", "mic_gain", &c.Audio.MicGain)
		r.duration(a, "audio", "period", &c.Audio.Period)
		r.integer(a, "audio", "periods", &c.Audio.Periods)
		r.readVoice(a, &c.Audio.Voice)
		r.boolean(a, "audio", "voice_on_test_devices", &c.Audio.VoiceOnTestDevices)
		r.unknown(a, "audio")
	}
}

// readGPIO reads [gpio].
func (c *Config) readGPIO(r *reader, t map[string]any) {
	if g := r.table(t, "", "gpio"); g != nil {
		r.str(g, "gpio", "chip", &c.GPIO.Chip)
		r.duration(g, "gpio", "debounce", &c.GPIO.Debounce)
		r.duration(g, "gpio", "long_press", &c.GPIO.LongPress)
		r.unknown(g, "gpio")
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
	if d := r.table(t, "", "door"); d != nil {
		relay := gpio.Output{Name: "door", Line: -1}
		r.integer(d, "door", "relay_line", &relay.Line)
		r.boolean(d, "door", "relay_active_low", &relay.ActiveLow)
		if _, ok := d["relay_line"]; ok {
			c.GPIO.Relays = append(c.GPIO.Relays, relay)
			c.Door.Door.HasRelay = true
		}
		r.duration(d, "door", "open_for", &c.Door.Door.OpenFor)
		r.str(d, "door", "dtmf_code", &c.Door.Door.DTMFCode)
		r.strs(d, "door", "allowed", &c.Door.Door.Allowed)
		r.integer(d, "door", "max_attempts", &c.Door.Door.MaxAttempts)
		r.duration(d, "door", "lockout_for", &c.Door.Door.LockoutFor)
		r.duration(d, "door", "lockout_max", &c.Door.Door.LockoutMax)
		r.duration(d, "door", "lockout_reset", &c.Door.Door.LockoutReset)
		r.integer(d, "door", "lockout_global", &c.Door.Door.LockoutGlobal)
		r.str(d, "door", "exit_button", &c.Door.Door.ExitButton)
		r.str(d, "door", "sensor", &c.Door.Door.Sensor)
		r.duration(d, "door", "held_open", &c.Door.Door.HeldOpen)
		r.str(d, "door", "tamper", &c.Door.Door.Tamper)
		r.unknown(d, "door")
	}
}

// readCall reads [call].
func (c *Config) readCall(r *reader, t map[string]any) {
	if k := r.table(t, "", "call"); k != nil {
		r.str(k, "call", "incoming", &c.Door.Call.Incoming)
		r.strs(k, "call", "allow_from", &c.Door.Call.AllowFrom)
		r.duration(k, "call", "max_duration", &c.Door.Call.MaxDuration)
		r.duration(k, "call", "warn_before", &c.Door.Call.WarnBefore)
		r.duration(k, "call", "ring_timeout", &c.Door.Call.RingTimeout)
		r.boolean(k, "call", "auto_answer", &c.Door.Call.AutoAnswer)
		r.unknown(k, "call")
	}
}

// readLog reads [log].
func (c *Config) readLog(r *reader, t map[string]any) {
	if l := r.table(t, "", "log"); l != nil {
		var level string
		r.str(l, "log", "level", &level)
		if level != "" {
			if err := c.Log.Level.UnmarshalText([]byte(level)); err != nil {
				r.fail("log.level", "%q is not a level (expected debug, info, warn or error)", level)
			}
		}
		r.str(l, "log", "events", &c.Door.Events.Path)
		r.integer64(l, "log", "events_max_size", &c.Door.Events.MaxSize)
		r.unknown(l, "log")
	}
}

// readControl reads [control].
func (c *Config) readControl(r *reader, t map[string]any) {
	if k := r.table(t, "", "control"); k != nil {
		r.str(k, "control", "socket", &c.Door.Control.Socket)
		r.unknown(k, "control")
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

func readSecret(dir, path string) (string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w (expected a readable file holding the password)", path, err)
	}
	s := strings.TrimRight(string(b), "\r\n")
	if s == "" {
		return "", fmt.Errorf("%s is empty (expected the password on its first line)", path)
	}
	return s, nil
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
