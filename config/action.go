package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/doorsip/intercom/internal/action"
	"github.com/doorsip/intercom/internal/cfgerr"
)

// readActions reads the [[action]] tables.
func (c *Config) readActions(r *reader, t map[string]any, dir string) {
	for i, tb := range r.tables(t, "action") {
		p := fmt.Sprintf("action[%d]", i)
		a := action.Defaults()
		r.strs(tb, p, "on", &a.On)
		r.str(tb, p, "url", &a.URL)
		r.str(tb, p, "method", &a.Method)
		a.Method = strings.ToUpper(a.Method)
		r.str(tb, p, "body", &a.Body)
		r.str(tb, p, "user", &a.User)
		r.password(tb, p, "password", dir, &a.Password)
		r.str(tb, p, "auth", &a.Auth)
		r.duration(tb, p, "timeout", &a.Timeout)
		r.integer(tb, p, "retries", &a.Retries)
		r.unknown(tb, p)
		c.Actions = append(c.Actions, a)
	}
}

// validateActions checks each [[action]]; keys come back as action[i].key.
func (c *Config) validateActions() error {
	var errs []error
	for i, a := range c.Actions {
		errs = append(errs, cfgerr.Prefix(fmt.Sprintf("action[%d].", i), a.Validate()))
	}
	return errors.Join(errs...)
}
