package access

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Window is one weekly time range: on each of Days, from Start to End minutes after local
// midnight. End before Start runs across midnight into the next day, so "fri 22:00-02:00"
// admits Friday 23:00 and Saturday 01:00 but not Saturday 23:00.
type Window struct {
	Days  uint8 // bit 1<<time.Weekday
	Start int   // minutes after midnight, 0 to 1439
	End   int   // minutes after midnight, 1 to 1440; End < Start crosses midnight
}

// Schedule is a user's weekly windows; empty admits at any time.
type Schedule []Window

var dayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWindow reads "DAYS HH:MM-HH:MM": DAYS is "daily", a day ("mon"), a range ("mon-fri",
// "fri-mon") or a comma list of those ("mon,wed,fri-sun"). "24:00" or "00:00" may end a range
// at midnight.
func ParseWindow(s string) (Window, error) {
	days, span, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return Window{}, fmt.Errorf("%w: %q (expected e.g. \"mon-fri 07:00-19:00\")", ErrSchedule, s)
	}
	var w Window
	if strings.EqualFold(days, "daily") {
		w.Days = 0x7f
	} else {
		for part := range strings.SplitSeq(days, ",") {
			a, b, isRange := strings.Cut(part, "-")
			from, ok1 := dayIndex(a)
			to, ok2 := from, true
			if isRange {
				to, ok2 = dayIndex(b)
			}
			if !ok1 || !ok2 {
				return Window{}, fmt.Errorf("%w: %q: day %q (expected daily, mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri)", ErrSchedule, s, part)
			}
			for d := from; ; d = (d + 1) % 7 {
				w.Days |= 1 << d
				if d == to {
					break
				}
			}
		}
	}
	a, b, ok := strings.Cut(strings.TrimSpace(span), "-")
	start, ok1 := clockMinutes(a, false)
	end, ok2 := clockMinutes(b, true)
	if !ok || !ok1 || !ok2 {
		return Window{}, fmt.Errorf("%w: %q: times %q (expected HH:MM-HH:MM, e.g. 07:00-19:00 or 22:00-06:00)", ErrSchedule, s, span)
	}
	if start == end {
		return Window{}, fmt.Errorf("%w: %q: empty time range (for the whole day write 00:00-24:00)", ErrSchedule, s)
	}
	if end == 0 {
		// "22:00-00:00" means until midnight, the same as 24:00, not a window crossing it.
		end = 1440
	}
	w.Start, w.End = start, end
	return w, nil
}

// ParseSchedule parses every window of a schedule.
func ParseSchedule(specs []string) (Schedule, error) {
	var s Schedule
	for _, spec := range specs {
		w, err := ParseWindow(spec)
		if err != nil {
			return nil, err
		}
		s = append(s, w)
	}
	return s, nil
}

func dayIndex(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, n := range dayNames {
		if s == n {
			return i, true
		}
	}
	return 0, false
}

// clockMinutes parses "HH:MM"; "24:00" only as an end.
func clockMinutes(s string, end bool) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 {
		return 0, false
	}
	if hh == 24 && mm == 0 && end {
		return 1440, true
	}
	if hh > 23 {
		return 0, false
	}
	return hh*60 + mm, true
}

// String gives the window back in ParseWindow's syntax.
func (w Window) String() string {
	var days string
	if w.Days == 0x7f {
		days = "daily"
	} else {
		var parts []string
		for d := range 7 {
			if w.Days&(1<<d) != 0 {
				parts = append(parts, dayNames[d])
			}
		}
		days = strings.Join(parts, ",")
	}
	return fmt.Sprintf("%s %02d:%02d-%02d:%02d", days, w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// Allows reports whether local (a time already in the schedule's zone) falls in a window.
// The wall clock decides, so on a DST change a window keeps its printed hours and is an hour
// shorter or longer in real time.
func (s Schedule) Allows(local time.Time) bool {
	if len(s) == 0 {
		return true
	}
	day := int(local.Weekday())
	prev := (day + 6) % 7
	m := local.Hour()*60 + local.Minute()
	for _, w := range s {
		if w.Start < w.End {
			if w.Days&(1<<day) != 0 && m >= w.Start && m < w.End {
				return true
			}
			continue
		}
		// Across midnight: the evening part belongs to the day, the morning to the day after.
		if w.Days&(1<<day) != 0 && m >= w.Start || w.Days&(1<<prev) != 0 && m < w.End {
			return true
		}
	}
	return false
}
