package door

import "time"

// AutoAnswerer is implemented by a PhoneCall whose caller may ask to be answered with nobody
// at the door (a PBX's paging or intercom key): ok says it asked, after how long.
type AutoAnswerer interface {
	AutoAnswer() (after time.Duration, ok bool)
}

// autoAnswer is the delay after which call is answered unasked, when [call] auto_answer is
// on, the caller asked, and it is named in allow_from: with an empty list anyone may call,
// and anyone must not switch the door's microphone on.
func (c *Controller) autoAnswer(call PhoneCall) (time.Duration, bool) {
	if !c.cfg.Call.AutoAnswer || len(c.cfg.Call.AllowFrom) == 0 {
		return 0, false
	}
	aa, ok := call.(AutoAnswerer)
	if !ok {
		return 0, false
	}
	return aa.AutoAnswer()
}
