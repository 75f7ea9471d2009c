package automation

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Schedule is when a scheduled rule runs: at a time of day on some weekdays, in a time zone.
type Schedule struct {
	Days []int  `json:"days"` // ISO weekdays, 1 = Monday … 7 = Sunday
	At   string `json:"at"`   // "09:00"
	TZ   string `json:"tz"`   // an IANA zone, e.g. "Europe/Berlin"
}

// Check says what is wrong with a schedule, or "".
func (s Schedule) Check() string {
	if len(s.Days) == 0 {
		return "Pick at least one day."
	}
	if _, err := time.Parse("15:04", s.At); err != nil {
		return "Give the time as hours and minutes, e.g. 09:00."
	}
	if _, err := time.LoadLocation(s.TZ); err != nil || s.TZ == "" {
		return "Give a time zone such as Europe/Berlin or America/New_York."
	}
	return ""
}

// Next is the first time after t the schedule is due (zero when it never is).
func (s Schedule) Next(t time.Time) time.Time {
	loc, err := time.LoadLocation(s.TZ)
	at, err2 := time.Parse("15:04", s.At)
	if err != nil || err2 != nil || len(s.Days) == 0 {
		return time.Time{}
	}
	local := t.In(loc)
	for i := 0; i <= 7; i++ {
		d := local.AddDate(0, 0, i)
		// time.Date keeps the wall clock across daylight saving changes.
		due := time.Date(d.Year(), d.Month(), d.Day(), at.Hour(), at.Minute(), 0, 0, loc)
		wd := int(due.Weekday())
		if wd == 0 {
			wd = 7
		}
		if due.After(t) && slices.Contains(s.Days, wd) {
			return due
		}
	}
	return time.Time{}
}

var dayNames = []string{"", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// String says the schedule in words: "Mon–Fri at 09:00 (Europe/Berlin)".
func (s Schedule) String() string {
	var days []string
	for _, d := range s.Days {
		if d >= 1 && d <= 7 {
			days = append(days, dayNames[d])
		}
	}
	list := strings.Join(days, ", ")
	if slices.Equal(s.Days, []int{1, 2, 3, 4, 5}) {
		list = "every weekday"
	} else if len(s.Days) == 7 {
		list = "every day"
	}
	return fmt.Sprintf("%s at %s (%s)", list, s.At, s.TZ)
}
