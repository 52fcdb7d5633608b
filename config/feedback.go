package config

import "github.com/doorsip/intercom/media"

// readFeedback maps [feedback] onto media.FeedbackConfig; the sounds are decoded by
// validate, so a bad WAV file is named at its key's line.
func (c *Config) readFeedback(r *reader, t map[string]any, dir string) {
	c.Feedback = media.FeedbackDefaults()
	c.Feedback.Dir = dir
	f := r.table(t, "", "feedback")
	if f == nil {
		return
	}
	r.str(f, "feedback", "ringback", &c.Feedback.Ringback)
	r.str(f, "feedback", "busy", &c.Feedback.Busy)
	r.str(f, "feedback", "no_answer", &c.Feedback.NoAnswer)
	r.str(f, "feedback", "failed", &c.Feedback.Failed)
	r.str(f, "feedback", "door_open", &c.Feedback.DoorOpen)
	r.str(f, "feedback", "call_end", &c.Feedback.CallEnd)
	r.integer(f, "feedback", "volume", &c.Feedback.Volume)
	r.unknown(f, "feedback")
}

// loadFeedback decodes the sounds once, at load: a reload decodes the new file's.
func (c *Config) loadFeedback() error {
	p, err := media.LoadFeedback(c.Feedback)
	c.Prompts = p
	return err
}
