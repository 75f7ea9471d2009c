package timeline

import (
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/viewer"
)

func entries(u *viewer.User, rows []store.TimelineRow) []Entry {
	loc := u.Location()
	now := time.Now()
	out := make([]Entry, len(rows))
	for i, r := range rows {
		out[i] = Entry{TimelineRow: r, Ago: Ago(r.At, now), Exact: r.At.In(loc).Format("Mon 2 Jan 2006, 15:04 MST"),
			Meta: meta(r, loc), Notes: Markdown(r.Body),
			CanEdit:   r.Kind == "a" && u.CanTouch("activities", "edit", r.OwnerID, nil),
			CanDelete: r.Kind == "a" && u.CanTouch("activities", "delete", r.OwnerID, nil)}
	}
	return out
}

func meta(r store.TimelineRow, loc *time.Location) string {
	var parts []string
	if r.Outcome != "" {
		parts = append(parts, r.Outcome)
	}
	if r.DurationMinutes != nil {
		parts = append(parts, plural(int(*r.DurationMinutes), "minute"))
	}
	if r.StartsAt != nil {
		when := "meeting " + r.StartsAt.In(loc).Format("2 Jan 2006, 15:04")
		if r.EndsAt != nil {
			when += "–" + r.EndsAt.In(loc).Format("15:04")
		}
		parts = append(parts, when)
	}
	if r.DueAt != nil {
		parts = append(parts, "due "+r.DueAt.In(loc).Format("2 Jan 2006"))
	}
	if r.Type == "task" && r.DoneAt != nil {
		parts = append(parts, "done")
	}
	return strings.Join(parts, " · ")
}

// Ago says how long ago t was, the way people say it.
func Ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d.Hours()), "hour") + " ago"
	case d < 48*time.Hour:
		return "yesterday"
	case d < 30*24*time.Hour:
		return plural(int(d.Hours()/24), "day") + " ago"
	}
	return t.Format("2 Jan 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"']+[^\s<>"'.,;:!?)]`)

// Markdown renders notes "markdown-lite": the text escaped, web addresses as links, line breaks
// kept. Nothing the user typed becomes markup.
func Markdown(s string) template.HTML {
	escaped := template.HTMLEscapeString(s)
	linked := linkRE.ReplaceAllString(escaped, `<a href="$0" rel="noopener nofollow" target="_blank">$0</a>`)
	return template.HTML(strings.ReplaceAll(linked, "\n", "<br>")) //nolint:gosec // escaped above
}
