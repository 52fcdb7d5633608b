package sip

import "context"

// registration keeps one account registered.
type registration struct {
	ua   *UA
	acct Account
}

func newRegistration(u *UA, a Account) *registration { return &registration{ua: u, acct: a} }

func (r *registration) run(ctx context.Context) { <-ctx.Done() }

// Registrations reports every account's state.
func (u *UA) Registrations() []RegState { return nil }
