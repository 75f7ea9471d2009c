package custom_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

var (
	leadLink = regexp.MustCompile(`href="/leads/(\d+)"`)
	nextLink = regexp.MustCompile(`href="([^"]+)" rel="next"`)
)

// A list sorts by a custom field shown in lists, up and down, page after page, with the records
// that have no value last going up and first going down; a field lists cannot sort by is ignored.
func TestListsSortByCustomFields(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	addField(t, app, admin, url.Values{"entity": {"leads"}, "label": {"Seats"}, "type": {"number"}, "in_list": {"on"}})
	addField(t, app, admin, url.Values{"entity": {"leads"}, "label": {"Tier"}, "type": {"select"}, "options": {"Gold\nSilver\nBronze"}, "in_list": {"on"}})
	addField(t, app, admin, url.Values{"entity": {"leads"}, "label": {"Notes"}, "type": {"long_text"}, "in_list": {"on"}})
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	// 60 leads: seats 0–9 six times over, every fifth without seats; tiers in turn, some empty.
	app.Exec(t, `INSERT INTO leads (owner_id, last_name, custom)
		SELECT $1, 'Sorted ' || i, jsonb_strip_nulls(jsonb_build_object(
			'seats', CASE WHEN i % 5 <> 0 THEN i % 10 END,
			'tier', (ARRAY['Gold', 'Silver', 'Bronze', NULL])[i % 4 + 1]))
		FROM generate_series(1, 60) i`, rep1)
	rep := app.Login(t, "rep1@demo.test")

	walk := func(path string) []string {
		t.Helper()
		var ids []string
		for pages := 0; path != "" && pages < 20; pages++ {
			r := rep.Get(path)
			require.Equal(t, http.StatusOK, r.Status, path)
			for _, m := range leadLink.FindAllStringSubmatch(r.Body, -1) {
				ids = append(ids, m[1])
			}
			path = ""
			if m := nextLink.FindStringSubmatch(r.Body); m != nil {
				path = html.UnescapeString(m[1])
			}
		}
		return ids
	}
	want := func(order string) []string {
		t.Helper()
		s := app.Scalar(t, `SELECT string_agg(id::text, ',' ORDER BY `+order+`) FROM leads WHERE owner_id = $1`, rep1)
		return strings.Split(s, ",")
	}
	require.Equal(t, want("(custom->>'seats')::numeric ASC NULLS LAST, id"), walk("/leads?owner=me&per_page=25&sort=cf_seats"),
		"fewest seats first, 25 a page, the leads without seats last")
	require.Equal(t, want("(custom->>'seats')::numeric DESC NULLS FIRST, id DESC"), walk("/leads?owner=me&per_page=25&sort=-cf_seats"))
	require.Equal(t, want("custom->>'tier' ASC NULLS LAST, id"), walk("/leads?owner=me&per_page=25&sort=cf_tier"))
	require.Equal(t, want("custom->>'tier' DESC NULLS FIRST, id DESC"), walk("/leads?owner=me&per_page=25&sort=-cf_tier"))

	r := rep.Get("/leads?owner=me&sort=-cf_seats")
	require.Contains(t, r.Body, `<th aria-sort="descending"><a href="/leads?owner=me&amp;sort=cf_seats">Seats ▼</a></th>`)
	require.Contains(t, r.Body, `<th>Notes</th>`, "long text is not sortable")
	require.Equal(t, want("created_at DESC, id DESC")[:50], walk("/leads?owner=me&sort=cf_notes")[:50], "an unsortable field sorts as usual")
	require.Equal(t, http.StatusOK, rep.Get("/leads?sort=cf_nope").Status)

	export := rep.Get("/leads/export.csv?owner=me&sort=cf_seats")
	lines := strings.Split(strings.TrimSpace(export.Body), "\n")
	bySeats := want("(custom->>'seats')::numeric ASC NULLS LAST, id")
	require.Len(t, lines, len(bySeats)+1)
	for i, id := range bySeats {
		require.True(t, strings.HasPrefix(lines[i+1], id+","), "the export keeps the sort: row %d", i+1)
	}
}

// A list shows the custom columns a user picks, and a saved view remembers them with the sort.
func TestListsChooseColumnsAndViewsKeepThem(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Seats"}, "type": {"number"}, "in_list": {"on"}})
	addField(t, app, admin, url.Values{"entity": {"contacts"}, "label": {"Region"}, "type": {"text"}})
	rep := app.Login(t, "rep1@demo.test")

	r := rep.Get("/contacts")
	require.Contains(t, r.Body, `<a href="/contacts?sort=cf_seats">Seats</a>`, "fields shown in lists are columns by default")
	require.NotContains(t, r.Body, `<th>Region</th>`)
	require.Contains(t, r.Body, `<input type="checkbox" name="cols" value="seats" checked> Seats`)
	require.Contains(t, r.Body, `<input type="checkbox" name="cols" value="region" > Region`)

	r = rep.Get("/contacts?cols=&cols=region")
	require.Contains(t, r.Body, `<th>Region</th>`, "a field not shown in lists can be a column, without sorting")
	require.NotContains(t, r.Body, `>Seats</a>`)
	require.Contains(t, r.Body, `<input type="checkbox" name="cols" value="region" checked> Region`)
	require.NotContains(t, rep.Get("/contacts?cols=").Body, `>Seats</a>`, "no custom columns at all")
	require.Contains(t, rep.Get("/contacts?cols=&cols=seats").Body, `href="/contacts/export.csv"`, "the default columns leave the address plain")

	s := rep.Post("/contacts/views", url.Values{"name": {"By seats"}, "view": {"cols=region&cols=seats&sort=-cf_seats"}})
	require.Equal(t, http.StatusSeeOther, s.Status, s.Body)
	require.Equal(t, "/contacts?cols=region&cols=seats&sort=-cf_seats", s.Header.Get("Location"))
	r = rep.Get(s.Header.Get("Location"))
	require.Contains(t, r.Body, `<th>Region</th>`)
	require.Contains(t, r.Body, `<th aria-sort="descending"><a href="/contacts?cols=region&amp;cols=seats&amp;sort=cf_seats">Seats ▼</a></th>`)
}
