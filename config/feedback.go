package config

import "github.com/doorsip/intercom/media"

// readFeedback maps [feedback] onto media.FeedbackConfig; the sounds are decoded by
// validate, so a bad WAV file is named at its key's line.
func (c *Config) readFeedback(r *reader, t map[string]any, dir string) {
	c.Feedback = media.FeedbackDefaults()
	c.Feedback.Dir = dir
	f, ok := r.section(t, "", "feedback")
	if !ok {
		return
	}
	f.str("ringback", &c.Feedback.Ringback)
	f.str("busy", &c.Feedback.Busy)
	f.str("no_answer", &c.Feedback.NoAnswer)
	f.str("failed", &c.Feedback.Failed)
	f.str("door_open", &c.Feedback.DoorOpen)
	f.str("call_end", &c.Feedback.CallEnd)
	f.integer("volume", &c.Feedback.Volume)
	f.done()
}

// loadFeedback decodes the sounds once, at load: a reload decodes the new file's.
func (c *Config) loadFeedback() error {
	p, err := media.LoadFeedback(c.Feedback)
	c.Prompts = p
	return err
}
