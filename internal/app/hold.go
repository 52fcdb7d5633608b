package app

import "fmt"

// Hold puts the far end on hold (re-INVITE a=sendonly) and silences the door both ways:
// the held party must not hear the street, and nothing it sends is played.
func (c *call) Hold() error {
	if err := c.leg().Hold(); err != nil {
		return fmt.Errorf("app: hold: %w", err)
	}
	c.mu.Lock()
	c.held = true
	s := c.sess
	c.mu.Unlock()
	if s != nil {
		s.SetDirection("inactive")
	}
	return nil
}

// Unhold resumes the call (re-INVITE a=sendrecv); the answer's direction applies again.
func (c *call) Unhold() error {
	c.mu.Lock()
	c.held = false
	c.mu.Unlock()
	if err := c.leg().Unhold(); err != nil {
		return fmt.Errorf("app: unhold: %w", err)
	}
	c.updateMedia()
	return nil
}

// Transfer hands the far end to target (blind transfer, REFER); the far end ends this call
// once it has called target.
func (c *call) Transfer(target string) error {
	if err := c.leg().Transfer(target); err != nil {
		return fmt.Errorf("app: transfer: %w", err)
	}
	return nil
}
