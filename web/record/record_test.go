package record_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/webtest"
)

// A rep reaches another rep's records by no route: page, edit form, save, delete, conversion,
// list filter or picker. Every attempt looks like a record that does not exist, and nothing changes.
func TestRepCannotReachAnotherRepsRecords(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	other := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	for _, table := range []string{"leads", "opportunities"} {
		id := app.Scalar(t, "SELECT min(id)::text FROM "+table+" WHERE owner_id = $1", other)
		before := app.Scalar(t, "SELECT version::text FROM "+table+" WHERE id = $1", id)
		base := "/" + table + "/" + id
		for _, path := range []string{base, base + "/edit"} {
			r := rep.Get(path)
			require.Equal(t, http.StatusNotFound, r.Status, path)
			require.Contains(t, r.Body, "does not exist, or you do not have access")
		}
		for _, path := range []string{base, base + "/delete"} {
			r := rep.Post(path, url.Values{"name": {"Hijacked"}, "last_name": {"Hijacked"}, "version": {before}})
			require.Equal(t, http.StatusNotFound, r.Status, "POST "+path)
		}
		require.Equal(t, before, app.Scalar(t, "SELECT version::text FROM "+table+" WHERE id = $1", id), "unchanged")

		r := rep.Get("/" + table + "?owner=" + other)
		require.Equal(t, http.StatusOK, r.Status)
		require.NotContains(t, r.Body, `href="`+base+`"`, "the list filter shows nothing of theirs")
	}
	lead := app.Scalar(t, "SELECT min(id)::text FROM leads WHERE owner_id = $1", other)
	require.Equal(t, http.StatusNotFound, rep.Get("/leads/"+lead+"/convert").Status)
	require.Equal(t, http.StatusNotFound, rep.Post("/leads/"+lead+"/convert", url.Values{"account": {"new"}}).Status)
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM leads WHERE id = $1 AND status = 'converted'", lead))

	// Accounts of another team stay out of the picker and the pages.
	foreign := app.Scalar(t, "SELECT name FROM accounts WHERE team_id <> (SELECT team_id FROM users WHERE email = 'rep1@demo.test') ORDER BY id LIMIT 1")
	require.NotContains(t, rep.Get("/accounts/pick?q="+url.QueryEscape(strings.ToLower(foreign))).Body, foreign)
	foreignID := app.Scalar(t, "SELECT id::text FROM accounts WHERE name = $1", foreign)
	require.Equal(t, http.StatusNotFound, rep.Get("/accounts/"+foreignID).Status)
}

// A teammate's account is visible to a rep (team view scope) but not editable: 403, not 404.
func TestRepMaySeeButNotEditTeammatesAccount(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	id := app.Scalar(t, "SELECT min(a.id)::text FROM accounts a JOIN users u ON u.id = a.owner_id WHERE u.email = 'rep2@demo.test'")
	r := rep.Get("/accounts/" + id)
	require.Equal(t, http.StatusOK, r.Status)
	require.NotContains(t, r.Body, "/accounts/"+id+"/edit")
	require.Equal(t, http.StatusForbidden, rep.Get("/accounts/"+id+"/edit").Status)
	require.Equal(t, http.StatusForbidden, rep.Post("/accounts/"+id+"/delete", nil).Status)
}

func TestUnknownSortAndFilterValuesAreIgnored(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	plain := admin.Get("/accounts").Body
	for _, q := range []string{"sort=password_hash", "sort=name;DROP%20TABLE%20users", "sort=-version", "owner=everyone",
		"team=1%20OR%201=1", "created_from=yesterday", "per_page=100000", "cursor=%27%3B--"} {
		r := admin.Get("/accounts?" + q)
		require.Equal(t, http.StatusOK, r.Status, q)
		require.Equal(t, rows(plain), rows(r.Body), "%s is ignored", q)
	}
	r := admin.Get("/leads?status=hacked&source=%27")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, rows(admin.Get("/leads").Body), rows(r.Body))
}

// A search finds records by the start of any word of their names, the parts of their email or
// domain and the digits of their phone, newest first, and pages through every match once.
func TestSearchFindsWordsEmailPartsAndPhoneDigits(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `INSERT INTO contacts (owner_id, first_name, last_name, email, phone)
		SELECT (SELECT id FROM users WHERE email = 'admin@demo.test'), 'Ada', 'Lovelace ' || g, 'ada' || g || '@analytical-engines.example', '+44 20 7946 ' || lpad(g::text, 4, '0')
		FROM generate_series(1, 130) g`)
	admin := app.Login(t, "admin@demo.test")
	for q, want := range map[string]string{"ada love": "Lovelace 130", "LOVELACE 12": "Lovelace 12", "analytical-engines": "Lovelace 130",
		"engines.example": "Lovelace 130", "ada77@": "Lovelace 77", "7946 0042": "Lovelace 42", "442079460077": "Lovelace 77"} {
		require.Contains(t, admin.Get("/contacts?q="+url.QueryEscape(q)).Body, ">Ada "+want+"<", q)
	}
	require.Contains(t, admin.Get("/contacts?q=zzyzx").Body, "No contacts match")
	seen := map[string]int{}
	next := "/contacts?q=lovelace"
	for pages := 0; next != ""; pages++ {
		require.Less(t, pages, 5)
		body := admin.Get(next).Body
		for _, id := range rows(body) {
			seen[id]++
		}
		next = ""
		if i := strings.Index(body, `rel="next"`); i >= 0 {
			start := strings.LastIndex(body[:i], `href="`) + len(`href="`)
			next = strings.ReplaceAll(body[start:strings.Index(body[start:], `"`)+start], "&amp;", "&")
		}
	}
	require.Len(t, seen, 130)
	for id, n := range seen {
		require.Equal(t, 1, n, id)
	}
	rep := app.Login(t, "rep1@demo.test")
	require.Contains(t, rep.Get("/contacts?q=lovelace").Body, "No contacts match", "a rep finds only what the rep may see")
}

// Walking a list page by page with its "next" links shows every record exactly once.
func TestKeysetPagingVisitsEveryRowOnce(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	for _, list := range []struct{ path, table string }{
		{"/accounts?per_page=25", "accounts"}, {"/contacts?per_page=25&sort=-created", "contacts"},
		{"/opportunities?per_page=25&sort=-amount", "opportunities"}, {"/leads?per_page=25&sort=company", "leads"},
	} {
		seen := map[string]int{}
		next := list.path
		for pages := 0; next != ""; pages++ {
			require.Less(t, pages, 20)
			body := admin.Get(next).Body
			for _, id := range rows(body) {
				seen[id]++
			}
			next = ""
			if i := strings.Index(body, `rel="next"`); i >= 0 {
				start := strings.LastIndex(body[:i], `href="`) + len(`href="`)
				next = strings.ReplaceAll(body[start:strings.Index(body[start:], `"`)+start], "&amp;", "&")
			}
		}
		require.Equal(t, app.Scalar(t, "SELECT count(*)::text FROM "+list.table), fmt.Sprint(len(seen)), list.path)
		for id, n := range seen {
			require.Equal(t, 1, n, "%s row %s", list.path, id)
		}
	}
}

func TestListCountsAreCappedAndSaySo(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `INSERT INTO contacts (owner_id, last_name)
		SELECT (SELECT id FROM users WHERE email = 'admin@demo.test'), 'Bulk ' || g FROM generate_series(1, 10050) g`)
	admin := app.Login(t, "admin@demo.test")
	total := app.Scalar(t, "SELECT count(*)::text FROM contacts")
	n, err := strconv.Atoi(total)
	require.NoError(t, err)
	require.Contains(t, admin.Get("/contacts").Body, "1–50 of "+humanize(n), "unfiltered lists count exactly, from the kept counts")
	require.Contains(t, admin.Get("/contacts?created_from=2000-01-01").Body, "1–50 of 1,000+", "other filters count up to 1,000")
	require.Contains(t, admin.Get("/contacts?q=bulk").Body, "1–50 of many", "a search is not counted")
	require.Contains(t, admin.Get("/contacts?q=bulk+10049").Body, "1–1 of 1\n", "a search that fits a page knows its end")
	r := app.Login(t, "rep1@demo.test").Get("/contacts?q=bulk")
	require.Contains(t, r.Body, "No contacts match these filters")
}

func TestListSearchAnswersHTMXWithTheResultsOnly(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	admin := app.Login(t, "admin@demo.test")
	name := app.Scalar(t, "SELECT name FROM accounts ORDER BY id LIMIT 1")
	r := admin.Get("/accounts?q="+url.QueryEscape(name[:5]), "HX-Request", "true", "HX-Target", "div#results")
	require.Equal(t, http.StatusOK, r.Status)
	require.NotContains(t, r.Body, "<form")
	require.Contains(t, r.Body, name)
	require.Contains(t, r.Body, `class="count"`)
	// Wildcards typed by the user are matched literally.
	require.Contains(t, admin.Get("/accounts?q=%25%25").Body, "No accounts match")
}

// rows are the record ids linked from a list's table, in order.
func rows(body string) []string {
	var ids []string
	start := strings.Index(body, "<tbody>")
	if start < 0 {
		return nil
	}
	body = body[start:strings.Index(body, "</tbody>")]
	for _, part := range strings.Split(body, "<tr>")[1:] {
		i := strings.Index(part, `href="/`)
		if i < 0 {
			continue
		}
		link := part[i+len(`href="/`):]
		link = link[:strings.Index(link, `"`)]
		ids = append(ids, link[strings.Index(link, "/")+1:])
	}
	return ids
}

func TestFieldsAreEditedInPlaceWithTheFormsRules(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	id := app.Scalar(t, "SELECT min(c.id)::text FROM contacts c JOIN users u ON u.id = c.owner_id WHERE u.email = 'rep1@demo.test'")
	url := "/contacts/" + id + "/fields/email"
	version := app.Scalar(t, "SELECT version::text FROM contacts WHERE id = $1", id)

	r := rep.Get(url, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, r.Body, `name="version" value="`+version+`"`)
	require.NotContains(t, r.Body, "<html")

	r = rep.Post(url, map[string][]string{"email": {"not-an-email"}, "version": {version}}, "HX-Request", "true")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Enter an email address like name@example.com.")
	require.Contains(t, r.Body, `value="not-an-email"`)

	r = rep.Post(url, map[string][]string{"email": {"New.Address@Example.com"}, "version": {version}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Contains(t, r.Body, "new.address@example.com")
	require.Contains(t, r.Body, `class="btn-icon"`)
	require.Equal(t, "new.address@example.com", app.Scalar(t, "SELECT email::text FROM contacts WHERE id = $1", id))

	r = rep.Post(url, map[string][]string{"email": {"third@example.com"}, "version": {version}}, "HX-Request", "true")
	require.Equal(t, http.StatusConflict, r.Status, "the old version is stale now")
	require.Contains(t, r.Body, "Riley Rep saved this record just now")
	require.Equal(t, "new.address@example.com", app.Scalar(t, "SELECT email::text FROM contacts WHERE id = $1", id))

	require.Equal(t, http.StatusNotFound, rep.Get("/contacts/"+id+"/fields/owner_id").Status, "only listed fields are editable in place")
	other := app.Scalar(t, "SELECT min(id)::text FROM leads WHERE owner_id = (SELECT id FROM users WHERE email = 'rep2@demo.test')")
	require.Equal(t, http.StatusNotFound, rep.Post("/leads/"+other+"/fields/phone", map[string][]string{"phone": {"1"}, "version": {"1"}}).Status)
}

// Each record's save refuses a stale version, and a rep's save of their own record works.
func TestEveryRecordRefusesAStaleSave(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	for _, tc := range []struct{ table, field, value string }{
		{"leads", "phone", "+1 555 0101"}, {"accounts", "phone", "+1 555 0102"},
		{"contacts", "title", "Chief Kite Officer"}, {"opportunities", "amount", "4321.00"},
	} {
		id := app.Scalar(t, "SELECT min(id)::text FROM "+tc.table+" WHERE owner_id = (SELECT id FROM users WHERE email = 'rep1@demo.test')"+
			map[bool]string{true: " AND status <> 'converted'", false: ""}[tc.table == "leads"])
		version := app.Scalar(t, "SELECT version::text FROM "+tc.table+" WHERE id = $1", id)
		path := "/" + tc.table + "/" + id + "/fields/" + tc.field
		r := rep.Post(path, url.Values{tc.field: {tc.value}, "version": {version}}, "HX-Request", "true")
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", tc.table, r.Body)
		require.Equal(t, tc.value, app.Scalar(t, "SELECT "+tc.field+"::text FROM "+tc.table+" WHERE id = $1", id))
		r = rep.Post(path, url.Values{tc.field: {"9999"}, "version": {version}}, "HX-Request", "true")
		require.Equal(t, http.StatusConflict, r.Status, tc.table)
		require.Equal(t, tc.value, app.Scalar(t, "SELECT "+tc.field+"::text FROM "+tc.table+" WHERE id = $1", id), "%s unchanged", tc.table)
	}
}

func TestOwnerPickerOffersOnlyPeopleInScope(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test").Get("/people/pick?for=accounts.create&q=")
	require.Contains(t, rep.Body, "Riley Rep")
	require.NotContains(t, rep.Body, "Sam Seller", "a rep can only own their records")
	m := app.Login(t, "manager@demo.test")
	team := m.Get("/people/pick?for=opportunities.edit&q=s")
	require.Contains(t, team.Body, "Sam Seller")
	require.NotContains(t, team.Body, "Alex Admin", "the admin is in another team")
	require.Contains(t, app.Login(t, "admin@demo.test").Get("/people/pick?for=leads.edit&q=ALEX").Body, "Alex Admin")
	require.Equal(t, http.StatusNotFound, m.Get("/people/pick?for=users.edit").Status)
}

// humanize writes n with thousands separators, as the pages do.
func humanize(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Saving a lead, contact or account that is likely already in the CRM (the same email, the same
// domain, a very similar name) warns first, naming only records the user may see, and keeps
// everything typed; "Save anyway" saves.
func TestLikelyDuplicatesWarnBeforeSaving(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	rep2 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep2@demo.test'")
	contact := app.Scalar(t, `INSERT INTO contacts (owner_id, first_name, last_name, email) VALUES ($1, 'Ottilie', 'Quenby', 'ottilie@quenby.test') RETURNING id::text`, rep1)
	app.Exec(t, `INSERT INTO leads (owner_id, first_name, last_name, company, email) VALUES ($1, 'Secret', 'Lead', 'Hidden Co', 'ottilie@quenby.test')`, rep2)
	app.Exec(t, `INSERT INTO accounts (owner_id, name, domain) VALUES ($1, 'Quenby Holdings', 'quenby.test')`, rep1)
	rep := app.Login(t, "rep1@demo.test")

	lead := url.Values{"first_name": {"Ottilie"}, "last_name": {"Quenbie"}, "company": {"Quenby"}, "email": {"Ottilie@Quenby.test"},
		"owner_id": {rep1}, "status": {"new"}}
	r := rep.Post("/leads", lead)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "This may already be in the CRM.")
	require.Contains(t, r.Body, `Contact <a href="/contacts/`+contact+`"`)
	require.Contains(t, r.Body, "the same email")
	require.NotContains(t, r.Body, "Secret Lead", "another rep's lead with that email is not named")
	require.Contains(t, r.Body, `value="Quenbie"`, "what was typed is kept")
	require.Equal(t, "0", app.Scalar(t, "SELECT count(*)::text FROM leads WHERE last_name = 'Quenbie'"))

	lead.Set(record.SaveAnyway, "1")
	r = rep.Post("/leads", lead)
	require.Equal(t, http.StatusSeeOther, r.Status, r.Body)
	require.Equal(t, "1", app.Scalar(t, "SELECT count(*)::text FROM leads WHERE last_name = 'Quenbie'"))

	r = rep.Post("/contacts", url.Values{"first_name": {"Ottilie"}, "last_name": {"Quenby"}, "owner_id": {rep1}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "a similar name")

	r = rep.Post("/accounts", url.Values{"name": {"Quenby Holding"}, "owner_id": {rep1}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Quenby Holdings")

	// Editing warns only about what the edit changes.
	version := app.Scalar(t, "SELECT version::text FROM contacts WHERE id = $1", contact)
	r = rep.Post("/contacts/"+contact, url.Values{"first_name": {"Ottilie"}, "last_name": {"Quenby"}, "email": {"ottilie@quenby.test"},
		"title": {"Buyer"}, "owner_id": {rep1}, "version": {version}})
	require.Equal(t, http.StatusSeeOther, r.Status, "an edit that leaves the name and email alone saves at once")
}
