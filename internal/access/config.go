package access

import (
	"errors"
	"strings"
	"time"

	"github.com/doorsip/intercom/internal/cfgerr"
)

// Config is [access].
type Config struct {
	// UsersFile is the users file; "" turns access control off (no keypad or reader opens).
	UsersFile string
	// TimeZone names the zone schedules are read in ("Europe/Berlin"); "" is the system's.
	TimeZone string
	// Submit and Clear are the keypad keys that end and discard a typed code.
	Submit, Clear rune
	// CodeTimeout clears a half-typed code after this long without a key.
	CodeTimeout time.Duration
}

// Defaults returns the Config used for keys the file leaves out.
func Defaults() Config {
	return Config{Submit: '#', Clear: '*', CodeTimeout: 10 * time.Second}
}

// keypadKeys are the keys a matrix keypad or a Wiegand keypad reader can send.
const keypadKeys = "0123456789*#ABCD"

// Validate reports every problem in c, joined.
func (c Config) Validate() error {
	var errs []error
	if _, err := c.Location(); err != nil {
		errs = append(errs, cfgerr.New("time_zone", "%q is not a time zone (expected e.g. \"Europe/Berlin\" or empty for the system's)", c.TimeZone))
	}
	for _, k := range []struct {
		key string
		r   rune
	}{{"submit_key", c.Submit}, {"clear_key", c.Clear}} {
		if !strings.ContainsRune(keypadKeys, k.r) || k.r >= '0' && k.r <= '9' {
			errs = append(errs, cfgerr.New(k.key, "%q is not a keypad key (expected one of * # A B C D)", string(k.r)))
		}
	}
	if c.Submit == c.Clear {
		errs = append(errs, cfgerr.New("clear_key", "is the same as submit_key"))
	}
	if c.CodeTimeout < time.Second || c.CodeTimeout > 5*time.Minute {
		errs = append(errs, cfgerr.New("code_timeout", "%s is out of range (expected 1s to 5m)", c.CodeTimeout))
	}
	return errors.Join(errs...)
}

// Location is the zone schedules are read in.
func (c Config) Location() (*time.Location, error) {
	if c.TimeZone == "" {
		return time.Local, nil
	}
	return time.LoadLocation(c.TimeZone)
}
