package access_test

import (
	"errors"
	"testing"
	"time"
	_ "time/tzdata" // the DST cases need Europe/Berlin whatever the host has

	"github.com/doorsip/intercom/internal/access"
	"github.com/doorsip/intercom/internal/clock"
)

func TestParseWindow(t *testing.T) {
	tests := []struct {
		in   string
		want string // String() of the result; "" = error
	}{
		{"mon-fri 07:00-19:00", "mon,tue,wed,thu,fri 07:00-19:00"},
		{"daily 22:00-06:00", "daily 22:00-06:00"},
		{"fri-mon 00:00-24:00", "sun,mon,fri,sat 00:00-24:00"},
		{"Sat,sun 9:30-12:00", "sun,sat 09:30-12:00"},
		{"mon,wed,fri-sun 08:00-08:01", "sun,mon,wed,fri,sat 08:00-08:01"},
		{"fri 18:00-00:00", "fri 18:00-24:00"},
		{"mon 00:00-00:00", ""},
		{"mon 07:00-07:00", ""},
		{"mon 24:00-07:00", ""},
		{"mon 07:60-08:00", ""},
		{"monday 07:00-08:00", ""},
		{"07:00-08:00", ""},
		{"mon 0700-0800", ""},
		{"mon 07:00", ""},
		{"", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			w, err := access.ParseWindow(tc.in)
			if tc.want == "" {
				if !errors.Is(err, access.ErrSchedule) {
					t.Fatalf("ParseWindow(%q) = %v, %v; want ErrSchedule", tc.in, w, err)
				}
				return
			}
			if err != nil || w.String() != tc.want {
				t.Fatalf("ParseWindow(%q) = %q, %v; want %q", tc.in, w.String(), err, tc.want)
			}
		})
	}
}

func TestScheduleAllows(t *testing.T) {
	s, err := access.ParseSchedule([]string{"mon-fri 07:00-19:00", "fri 22:00-02:00", "sun 00:00-24:00"})
	if err != nil {
		t.Fatal(err)
	}
	// 2026-12-07 is a Monday.
	at := func(day, h, m int) time.Time { return time.Date(2026, 12, 6+day, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name string
		t    time.Time
		want bool
	}{
		{"mon before", at(1, 6, 59), false},
		{"mon start", at(1, 7, 0), true},
		{"mon last minute", at(1, 18, 59), true},
		{"mon end is exclusive", at(1, 19, 0), false},
		{"fri evening", at(5, 23, 30), true},
		{"fri 22:00", at(5, 22, 0), true},
		{"sat after midnight", at(6, 1, 59), true},
		{"sat 02:00", at(6, 2, 0), false},
		{"sat evening is not fri's", at(6, 23, 0), false},
		{"thu after midnight is not fri's", at(5, 1, 0), false},
		{"sun all day", at(0, 0, 0), true},
		{"sun last minute", at(0, 23, 59), true},
		{"mon after sun 24:00", at(1, 0, 0), false},
	}
	for _, tc := range tests {
		if got := s.Allows(tc.t); got != tc.want {
			t.Errorf("%s (%s): Allows = %v, want %v", tc.name, tc.t.Format("Mon 15:04"), got, tc.want)
		}
	}
	if !access.Schedule(nil).Allows(at(3, 3, 0)) {
		t.Error("an empty schedule refused")
	}
}

// TestScheduleDST walks a fake clock minute by minute across both 2026 DST changes in
// Berlin and counts the real minutes a night window admits: the wall clock decides, so the
// 22:00-06:00 window is 7 hours long in spring and 9 in autumn.
func TestScheduleDST(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	night, err1 := access.ParseSchedule([]string{"sat 22:00-06:00"})
	short, err2 := access.ParseSchedule([]string{"sun 02:15-02:45"})
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	tests := []struct {
		name       string
		start      time.Time // Saturday 21:00 local
		night, gap int       // real minutes admitted by each schedule
	}{
		// 29 March 2026: 02:00 CET becomes 03:00 CEST; 02:15-02:45 never happens.
		{name: "spring", start: time.Date(2026, 3, 28, 21, 0, 0, 0, berlin), night: 7 * 60, gap: 0},
		// 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:15-02:45 happens twice.
		{name: "autumn", start: time.Date(2026, 10, 24, 21, 0, 0, 0, berlin), night: 9 * 60, gap: 2 * 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewFake(tc.start.UTC())
			n, g := 0, 0
			for range 12 * 60 {
				local := clk.Now().In(berlin)
				if night.Allows(local) {
					n++
				}
				if short.Allows(local) {
					g++
				}
				clk.Advance(time.Minute)
			}
			if n != tc.night || g != tc.gap {
				t.Fatalf("admitted %d and %d minutes, want %d and %d", n, g, tc.night, tc.gap)
			}
		})
	}
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"mon-fri 07:00-19:00", "daily 22:00-06:00", "fri-mon 00:00-24:00", "sat,sun 9:30-12:00", "x", "mon 24:00-1:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := access.ParseWindow(s)
		if err != nil {
			return
		}
		if w.Days == 0 || w.Start < 0 || w.Start > 1439 || w.End < 1 || w.End > 1440 || w.Start == w.End {
			t.Fatalf("ParseWindow(%q) = %+v", s, w)
		}
		back, err := access.ParseWindow(w.String())
		if err != nil || back != w {
			t.Fatalf("round trip of %q: %q -> %+v, %v", s, w.String(), back, err)
		}
	})
}
