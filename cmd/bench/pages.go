package main

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
)

// role is a signed-in user the bench acts as.
type role struct {
	Name  string // rep, manager, admin, solo
	Email string
	ID    int64
}

var roles = []role{
	{Name: "rep", Email: "rep1@demo.test"},
	{Name: "manager", Email: "manager@demo.test"},
	{Name: "admin", Email: "admin@demo.test"},
	{Name: "solo", Email: soloEmail},
}

// Page kinds, which decide the targets a page is held to.
const (
	kindList     = "list"
	kindSearch   = "search"        // a list searched
	kindGlobal   = "global search" // /search, every type at once
	kindRecord   = "record"
	kindPage     = "page" // timeline, board, tasks, dashboard
	kindMutation = "mutation"
)

// page is one thing a user does, as requests a worker can repeat.
type page struct {
	Name string
	Kind string
	HTMX bool
	Want int // the status of a good answer
	// next is worker w's next request; ok is told of a good answer (a move keeps its version).
	next func(w int) (method, path string, form url.Values, err error)
	ok   func(w int)
	// Rollback: the page changes data, so its SQL is replayed in a transaction rolled back.
	Rollback bool
	// prepare makes the records the page changes, just before it runs.
	prepare func(ctx context.Context, pool *pgxpool.Pool) error
}

func get(path string) func(int) (string, string, url.Values, error) {
	return func(int) (string, string, url.Values, error) { return http.MethodGet, path, nil, nil }
}

// errExhausted stops a worker that has no fresh record left to change (leads to convert).
var errExhausted = errors.New("no records left for this page")

// records are the ids a role's pages open, found in the database as its owner sees them.
type records struct {
	Contact, Account, Lead, Opportunity int64
	OpenStages                          []int64
	Deals                               []deal
}

type deal struct {
	ID      int64
	Version int32
	Stage   int64
}

// findRecords picks records the role owns: one of each type, deals to move (one per worker and
// one for the SQL capture), and fresh leads to convert.
func findRecords(ctx context.Context, pool *pgxpool.Pool, r role, deals int) (records, error) {
	var x records
	err := pool.QueryRow(ctx, `SELECT
		coalesce((SELECT id FROM contacts WHERE owner_id = $1 ORDER BY id LIMIT 1), 0),
		coalesce((SELECT a.id FROM accounts a WHERE a.owner_id = $1 ORDER BY a.id LIMIT 1), 0),
		coalesce((SELECT id FROM leads WHERE owner_id = $1 AND company <> $2 AND status <> 'converted' ORDER BY id LIMIT 1), 0),
		coalesce((SELECT id FROM opportunities WHERE owner_id = $1 ORDER BY id LIMIT 1), 0),
		(SELECT array_agg(s.id ORDER BY s.position) FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id
		 WHERE p.is_default AND s.kind = 'open')`, r.ID, convertCompany).
		Scan(&x.Contact, &x.Account, &x.Lead, &x.Opportunity, &x.OpenStages)
	if err != nil {
		return x, err
	}
	rows, err := pool.Query(ctx, `SELECT o.id, o.version, o.stage_id FROM opportunities o
		WHERE o.owner_id = $1 AND o.stage_id = ANY($2::bigint[]) ORDER BY o.id LIMIT $3`, r.ID, x.OpenStages, deals)
	if err != nil {
		return x, err
	}
	for rows.Next() {
		var d deal
		if err := rows.Scan(&d.ID, &d.Version, &d.Stage); err != nil {
			return x, err
		}
		x.Deals = append(x.Deals, d)
	}
	if err := rows.Err(); err != nil {
		return x, err
	}
	return x, nil
}

// searches are words the scale data holds, about 1 row in 25 for each list.
var searches = map[string]string{"leads": "garcia", "accounts": "harbor", "contacts": "smith", "opportunities": "pilot"}

// listViews are the views measured of each list: its default, a filter, a sort.
var listViews = []struct{ entity, filter, sort string }{
	{"leads", "status=qualified", "sort=name"},
	{"accounts", "owner=me", "sort=-created"},
	{"contacts", "owner=me", "sort=-created"},
	{"opportunities", "amount_min=50000", "sort=-amount"},
}

// pagesFor lists every page measured for a role. deep holds each list's URL at page 200.
func pagesFor(r role, x records, deep map[string]string, workers int) []*page {
	var ps []*page
	for _, l := range listViews {
		base := "/" + l.entity
		ps = append(ps,
			&page{Name: l.entity + " list", Kind: kindList, Want: 200, next: get(base)},
			&page{Name: l.entity + " ?" + l.filter, Kind: kindList, Want: 200, next: get(base + "?" + l.filter)},
			&page{Name: l.entity + " ?" + l.sort, Kind: kindList, Want: 200, next: get(base + "?" + l.sort)},
			&page{Name: l.entity + " page 200", Kind: kindList, Want: 200, next: get(deep[l.entity])},
			&page{Name: l.entity + " ?q=" + searches[l.entity], Kind: kindSearch, Want: 200, next: get(base + "?q=" + searches[l.entity])},
		)
	}
	for _, rec := range []struct {
		entity string
		id     int64
	}{{"contacts", x.Contact}, {"accounts", x.Account}, {"leads", x.Lead}, {"opportunities", x.Opportunity}} {
		if rec.id != 0 {
			ps = append(ps, &page{Name: rec.entity + " record", Kind: kindRecord, Want: 200, next: get(fmt.Sprintf("/%s/%d", rec.entity, rec.id))})
		}
	}
	if x.Account != 0 {
		ps = append(ps, &page{Name: "account timeline", Kind: kindPage, HTMX: true, Want: 200, next: get(fmt.Sprintf("/accounts/%d/timeline", x.Account))})
	}
	ps = append(ps,
		&page{Name: "search ?q=smith", Kind: kindGlobal, Want: 200, next: get("/search?q=smith")},
		&page{Name: "search typo ?q=smiht", Kind: kindGlobal, Want: 200, next: get("/search?q=smiht")},
		&page{Name: "board", Kind: kindPage, Want: 200, next: get("/pipeline")},
		&page{Name: "tasks", Kind: kindPage, Want: 200, next: get("/activities")},
		&page{Name: "dashboard", Kind: kindPage, Want: 200, next: get("/")},
	)
	if len(x.Deals) > workers && len(x.OpenStages) >= 2 {
		ps = append(ps, movePage(x, workers))
	}
	if x.Contact != 0 {
		path := fmt.Sprintf("/contacts/%d/activities", x.Contact)
		ps = append(ps, &page{Name: "activity logged", Kind: kindMutation, HTMX: true, Want: 200, Rollback: true,
			next: func(int) (string, string, url.Values, error) {
				return http.MethodPost, path, url.Values{"type": {"note"}, "subject": {noteSubject}, "body": {"Called, will follow up next week."}}, nil
			}})
	}
	if x.Account != 0 && r.Name != "solo" {
		ps = append(ps, convertPage(r, x))
	}
	return ps
}

// movePage moves each worker's own deal back and forth between the first two open stages, as a
// drag on the board does; the extra deal is the SQL capture's.
func movePage(x records, workers int) *page {
	deals := make([]deal, workers+1)
	copy(deals, x.Deals)
	return &page{Name: "card move", Kind: kindMutation, HTMX: true, Want: 200, Rollback: true,
		next: func(w int) (string, string, url.Values, error) {
			d := deals[w]
			to := x.OpenStages[0]
			if d.Stage == to {
				to = x.OpenStages[1]
			}
			return http.MethodPost, "/pipeline/move", url.Values{"id": {fmt.Sprint(d.ID)}, "version": {fmt.Sprint(d.Version)},
				"stage_id": {fmt.Sprint(to)}, "above_id": {""}, "below_id": {""}, "view": {""}}, nil
		},
		ok: func(w int) {
			d := &deals[w]
			d.Version++
			if d.Stage == x.OpenStages[0] {
				d.Stage = x.OpenStages[1]
			} else {
				d.Stage = x.OpenStages[0]
			}
		}}
}

// convertPage converts a fresh lead into a contact at the role's account, one lead per request.
func convertPage(r role, x records) *page {
	var next atomic.Int64
	var leads []int64
	return &page{Name: "lead conversion", Kind: kindMutation, Want: http.StatusSeeOther, Rollback: true,
		prepare: func(ctx context.Context, pool *pgxpool.Pool) (err error) {
			leads, err = leadsToConvert(ctx, pool, r.ID)
			return err
		},
		next: func(int) (string, string, url.Values, error) {
			i := next.Add(1) - 1
			if i >= int64(len(leads)) {
				return "", "", nil, errExhausted
			}
			return http.MethodPost, fmt.Sprintf("/leads/%d/convert", leads[i]), url.Values{
				"account": {fmt.Sprint(x.Account)}, "first_name": {"Bench"}, "last_name": {fmt.Sprintf("Convert %d", i)},
				"owner_id": {fmt.Sprint(r.ID)}, "version": {"1"}}, nil
		}}
}

// client is one signed-in user's HTTP client.
type client struct {
	base   string
	cookie string
	http   *http.Client
}

// login signs in and keeps the session cookie.
func login(ctx context.Context, h *http.Client, base, email, password string) (*client, error) {
	c := &client{base: base, http: h}
	form := url.Values{"email": {email}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := h.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("login as %s: status %d", email, resp.StatusCode)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "crm_session" {
			c.cookie = ck.Value
		}
	}
	if c.cookie == "" {
		return nil, fmt.Errorf("login as %s: no session cookie", email)
	}
	return c, nil
}

// do sends worker w's next request of p and checks the answer.
func (c *client) do(ctx context.Context, p *page, w int) error {
	_, err := c.fetch(ctx, p, w, false)
	return err
}

func (c *client) fetch(ctx context.Context, p *page, w int, keep bool) (string, error) {
	method, path, form, err := p.next(w)
	if err != nil {
		return "", err
	}
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return "", err
	}
	req.Header.Set("Cookie", "crm_session="+c.cookie)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if p.HTMX {
		req.Header.Set("HX-Request", "true")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var text string
	if keep || resp.StatusCode != p.Want {
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		text = string(b)
	} else if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return "", err
	}
	if resp.StatusCode != p.Want {
		return text, fmt.Errorf("%s %s: status %d, want %d: %.200s", method, path, resp.StatusCode, p.Want, text)
	}
	if p.ok != nil {
		p.ok(w)
	}
	return text, nil
}

var nextLink = regexp.MustCompile(`href="([^"]+)" rel="next"`)

// deepPage walks a list to page 200 (row 10,001 on), or its last page when shorter, following
// the "Next page" links 100 rows at a time, and returns that page's URL at the usual size.
func (c *client) deepPage(ctx context.Context, path string) (string, error) {
	url := path + "?per_page=100"
	last := path
	for i := 0; i < 100; i++ {
		body, err := c.fetch(ctx, &page{Want: 200, next: get(url)}, 0, true)
		if err != nil {
			return "", err
		}
		m := nextLink.FindStringSubmatch(body)
		if m == nil {
			break
		}
		url = html.UnescapeString(m[1])
		last = strings.Replace(strings.Replace(url, "per_page=100&", "", 1), "&per_page=100", "", 1)
	}
	return last, nil
}
