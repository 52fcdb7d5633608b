package app

import (
	"context"
	"fmt"

	"github.com/doorsip/intercom/sip"
)

// messageReceived writes a SIP MESSAGE to the event log, folded per source like other
// unsolicited traffic, so a flood of texts cannot push the door's records out.
func (a *App) messageReceived(m sip.TextMessage) {
	a.events.AddFrom(EventMessageReceived, m.Source.Addr().String(), "from", m.From, "source", m.Source.String(), "text", m.Text)
}

// SendMessage sends a text (SIP MESSAGE) to target and records it in the event log.
func (h ctlHandler) SendMessage(ctx context.Context, target, text string) error {
	if err := h.a.ua.SendMessage(ctx, target, text); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	h.a.events.Add(EventMessageSent, "to", target, "text", text)
	return nil
}
