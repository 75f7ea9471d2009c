package pipeline_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/pipeline"
	"github.com/crm-team/crm/web/webtest"
)

// stageOf returns the id of the stage at a position of the default pipeline.
func stageOf(t *testing.T, app *webtest.App, name string) string {
	return app.Scalar(t, "SELECT id::text FROM pipeline_stages WHERE name = $1", name)
}

// repCard returns one of rep1's deals in a stage, with its version.
func repCard(t *testing.T, app *webtest.App, stage string) (id, version string) {
	t.Helper()
	id = app.Scalar(t, `SELECT min(o.id)::text FROM opportunities o JOIN users u ON u.id = o.owner_id
		WHERE u.email = 'rep1@demo.test' AND o.stage_id = $1`, stage)
	return id, app.Scalar(t, "SELECT version::text FROM opportunities WHERE id = $1", id)
}

func move(c *webtest.Client, id, version, stage, above, below string) *webtest.Response {
	return c.Post("/pipeline/move", url.Values{"id": {id}, "version": {version}, "stage_id": {stage},
		"above_id": {above}, "below_id": {below}, "view": {""}}, "HX-Request", "true")
}

func TestBoardShowsEachStageWithTheDealsTheUserMaySee(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	body := rep.Get("/pipeline").Body
	for _, stage := range []string{"Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"} {
		require.Contains(t, body, ">"+stage+" <small")
	}
	open := app.Scalar(t, `SELECT count(*)::text FROM opportunities o JOIN users u ON u.id = o.owner_id
		JOIN pipeline_stages s ON s.id = o.stage_id WHERE u.email = 'rep1@demo.test' AND s.kind = 'open'`)
	require.Equal(t, open, fmt.Sprint(strings.Count(body, `class="deal"`)+strings.Count(body, `class="deal locked"`)),
		"open columns come with their cards")
	// Won and lost columns bring their cards when opened.
	won := stageOf(t, app, "Closed Won")
	lazy := regexp.MustCompile(`hx-get="(/pipeline/stages/` + won + `/cards[^"]*)"`).FindStringSubmatch(body)
	require.NotNil(t, lazy, "the won column loads its cards when opened")
	cards := rep.Get(html.UnescapeString(lazy[1]), "HX-Request", "true").Body
	require.Equal(t, app.Scalar(t, `SELECT count(*)::text FROM opportunities o JOIN users u ON u.id = o.owner_id
		WHERE u.email = 'rep1@demo.test' AND o.stage_id = $1`, won), fmt.Sprint(strings.Count(cards, `id="card-`)))
	prospecting := stageOf(t, app, "Prospecting")
	want := app.Scalar(t, `SELECT count(*)::text FROM opportunities o JOIN users u ON u.id = o.owner_id
		WHERE u.email = 'rep1@demo.test' AND o.stage_id = $1`, prospecting)
	require.Contains(t, body, `<p class="totals"><span class="deals">`+want+`</span>`)
}

func TestDraggingToAnotherStageMovesTheDealAndAnswersBothColumns(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	from, to := stageOf(t, app, "Prospecting"), stageOf(t, app, "Proposal")
	id, version := repCard(t, app, from)
	before := app.Scalar(t, `SELECT count(*)::text FROM opportunities o JOIN users u ON u.id = o.owner_id WHERE u.email = 'rep1@demo.test' AND o.stage_id = $1`, to)
	top := app.Scalar(t, `SELECT coalesce(min(o.position), 0)::text FROM opportunities o JOIN users u ON u.id = o.owner_id WHERE u.email = 'rep1@demo.test' AND o.stage_id = $1`, to)
	topID := app.Scalar(t, `SELECT o.id::text FROM opportunities o JOIN users u ON u.id = o.owner_id WHERE u.email = 'rep1@demo.test' AND o.stage_id = $1 ORDER BY position, o.id LIMIT 1`, to)

	r := move(rep, id, version, to, "", topID) // dropped at the top of Proposal
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.NotContains(t, r.Body, "<html", "a partial, not a page")
	require.Contains(t, r.Body, `id="col-`+from+`"`)
	require.Contains(t, r.Body, `id="col-`+to+`"`)
	require.Equal(t, 2, strings.Count(r.Body, `hx-swap-oob="true"`))
	after := fmt.Sprint(atoi(before) + 1)
	require.Contains(t, r.Body, `<span class="deals">`+after+`</span>`)

	require.Equal(t, to, app.Scalar(t, "SELECT stage_id::text FROM opportunities WHERE id = $1", id))
	require.Equal(t, "true", app.Scalar(t, "SELECT (position < $2::numeric)::text FROM opportunities WHERE id = $1", id, top))
	require.Equal(t, "1", app.Scalar(t, "SELECT count(*)::text FROM record_history WHERE entity = 'opportunities' AND record_id = $1 AND field = 'stage_id' AND new_value = $2", id, to))
	require.Equal(t, "0", app.Scalar(t, "SELECT extract(day FROM now() - stage_changed_at)::int::text FROM opportunities WHERE id = $1", id))
	require.Contains(t, rep.Get("/opportunities/"+id).Body, "→ <b>Proposal</b>")
}

func TestStaleOrForeignDragsAreRefusedAndChangeNothing(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	from, to := stageOf(t, app, "Prospecting"), stageOf(t, app, "Negotiation")
	id, version := repCard(t, app, from)
	app.Exec(t, "UPDATE opportunities SET name = name || ' (renamed)' WHERE id = $1", id)

	r := move(rep, id, version, to, "", "")
	require.Equal(t, http.StatusConflict, r.Status)
	require.Contains(t, r.Header.Get("HX-Trigger"), "Someone changed this deal")
	require.Contains(t, r.Body, `id="col-`+from+`"`, "the card's own column comes back to put it in place")
	require.Equal(t, from, app.Scalar(t, "SELECT stage_id::text FROM opportunities WHERE id = $1", id))

	other := app.Scalar(t, `SELECT min(o.id)::text FROM opportunities o JOIN users u ON u.id = o.owner_id WHERE u.email = 'rep2@demo.test'`)
	otherVersion := app.Scalar(t, "SELECT version::text FROM opportunities WHERE id = $1", other)
	require.Equal(t, http.StatusNotFound, move(rep, other, otherVersion, to, "", "").Status)
	require.Equal(t, otherVersion, app.Scalar(t, "SELECT version::text FROM opportunities WHERE id = $1", other))
}

func TestMovingToLostNeedsAReason(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	id, version := repCard(t, app, stageOf(t, app, "Qualification"))
	lost := stageOf(t, app, "Closed Lost")
	r := move(rep, id, version, lost, "", "")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Header.Get("HX-Trigger"), "Say why the deal was lost")
	r = rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version}, "stage_id": {lost}, "lost_reason": {"Budget cut"}}, "HX-Request", "true")
	require.Equal(t, http.StatusOK, r.Status, r.Body)
	require.Equal(t, "Budget cut|true", app.Scalar(t, "SELECT lost_reason || '|' || (closed_at IS NOT NULL)::text FROM opportunities WHERE id = $1", id))
}

// Without JavaScript, or by keyboard, each card's "Move…" opens a page with the stage and the
// lost reason: it moves the deal and comes back to the board as it was filtered, and a lost
// stage without a reason is answered beside the field with what was chosen kept.
func TestMovePageWorksWithoutJavaScript(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	id, version := repCard(t, app, stageOf(t, app, "Prospecting"))
	board := rep.Get("/pipeline?owner=me").Body
	require.Contains(t, board, `href="/pipeline/move?id=`+id+`&amp;view=owner%3dme`)

	page := rep.Get("/pipeline/move?id=" + id + "&view=owner%3Dme")
	require.Equal(t, http.StatusOK, page.Status)
	require.Contains(t, page.Body, `name="stage_id"`)
	require.Contains(t, page.Body, `data-kind="lost">Closed Lost</option>`)
	require.Contains(t, page.Body, `<div class="lost-only">`, "the reason field shows when a lost stage is chosen")
	require.Contains(t, page.Body, `name="lost_reason"`)

	lost := stageOf(t, app, "Closed Lost")
	r := rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version}, "stage_id": {lost}, "view": {"owner=me"}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, `<p class="error" id="e-lost_reason">Say why the deal was lost to move it there.</p>`)
	require.Contains(t, r.Body, `<option value="`+lost+`" data-kind="lost" selected>`, "the chosen stage is kept")

	to := stageOf(t, app, "Negotiation")
	r = rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version}, "stage_id": {to}, "view": {"owner=me"}})
	require.Equal(t, http.StatusSeeOther, r.Status)
	require.Equal(t, "/pipeline?owner=me", r.Header.Get("Location"))
	require.Contains(t, rep.Get(r.Header.Get("Location")).Body, "Moved to Negotiation.")
	require.Equal(t, to, app.Scalar(t, "SELECT stage_id::text FROM opportunities WHERE id = $1", id))

	r = rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version}, "stage_id": {lost}, "lost_reason": {"Budget"}})
	require.Equal(t, http.StatusConflict, r.Status, "a stale page is refused")
	require.Contains(t, r.Body, "Someone changed this deal")
	other := app.Scalar(t, `SELECT min(o.id)::text FROM opportunities o JOIN users u ON u.id = o.owner_id WHERE u.email = 'rep2@demo.test'`)
	require.Equal(t, http.StatusNotFound, rep.Get("/pipeline/move?id="+other).Status, "another rep's deal is not there")
}

// Two people dropping cards into the same gap at the same time both succeed, and the column keeps
// one order in which every card appears once; no other card is renumbered.
func TestConcurrentDragsKeepAConsistentOrder(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	stage := stageOf(t, app, "Proposal")
	admin := app.Login(t, "admin@demo.test")
	manager := app.Login(t, "manager@demo.test")
	var above, below string
	require.NoError(t, app.Pool.QueryRow(context.Background(), `SELECT (array_agg(id ORDER BY position, id))[1]::text, (array_agg(id ORDER BY position, id))[2]::text
		FROM opportunities o WHERE stage_id = $1 AND team_id = (SELECT team_id FROM users WHERE email = 'manager@demo.test')`, stage).Scan(&above, &below))
	positions := app.Scalar(t, "SELECT string_agg(id || ':' || position, ',' ORDER BY id) FROM opportunities WHERE stage_id = $1 AND id NOT IN ($2, $3)", stage, above, below)
	cards := []string{}
	for _, name := range []string{"Qualification", "Negotiation"} {
		id := app.Scalar(t, `SELECT min(id)::text FROM opportunities WHERE stage_id = $1 AND team_id = (SELECT team_id FROM users WHERE email = 'manager@demo.test')`, stageOf(t, app, name))
		cards = append(cards, id)
	}
	var wg sync.WaitGroup
	status := make([]int, 2)
	for i, c := range []*webtest.Client{admin, manager} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := app.Scalar(t, "SELECT version::text FROM opportunities WHERE id = $1", cards[i])
			status[i] = move(c, cards[i], v, stage, above, below).Status
		}()
	}
	wg.Wait()
	require.Equal(t, []int{http.StatusOK, http.StatusOK}, status)
	order := app.Scalar(t, "SELECT string_agg(id::text, ',' ORDER BY position, id) FROM opportunities WHERE stage_id = $1", stage)
	ids := strings.Split(order, ",")
	seen := map[string]bool{}
	for _, id := range ids {
		require.False(t, seen[id], "card %s twice", id)
		seen[id] = true
	}
	a, b := index(ids, above), index(ids, below)
	for _, c := range cards {
		require.True(t, index(ids, c) > a && index(ids, c) < b, "card %s lands between %s and %s: %s", c, above, below, order)
	}
	require.Equal(t, positions, app.Scalar(t, "SELECT string_agg(id || ':' || position, ',' ORDER BY id) FROM opportunities WHERE stage_id = $1 AND id NOT IN ($2, $3, $4, $5)", stage, above, below, cards[0], cards[1]),
		"no other card was renumbered")
}

func TestLongColumnsShowTwentyFiveCardsAndMoreOnDemand(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	stage := stageOf(t, app, "Prospecting")
	app.Exec(t, `INSERT INTO opportunities (owner_id, name, account_id, pipeline_id, stage_id, amount, close_date, position)
		SELECT u.id, 'Bulk deal ' || g, (SELECT min(id) FROM accounts), s.pipeline_id, s.id, 1000, current_date + 30, 1000 + g
		FROM users u, pipeline_stages s, generate_series(1, 60) g WHERE u.email = 'rep2@demo.test' AND s.id = $1`, stage)
	c := app.Login(t, "rep2@demo.test")
	body := c.Get("/pipeline").Body
	start := strings.Index(body, `id="col-`+stage+`"`)
	col := body[start : start+strings.Index(body[start:], "</section>")]
	require.Equal(t, pipeline.CardsPerColumn, strings.Count(col, `data-id=`))
	i := strings.Index(col, `hx-get="/pipeline/stages/`)
	require.Positive(t, i)
	more := strings.ReplaceAll(col[i+len(`hx-get="`):i+strings.Index(col[i:], `" hx-target`)], "&amp;", "&")
	total := atoi(app.Scalar(t, "SELECT count(*)::text FROM opportunities o JOIN users u ON u.id = o.owner_id WHERE u.email = 'rep2@demo.test' AND o.stage_id = $1", stage))
	shown := pipeline.CardsPerColumn
	for more != "" {
		rest := c.Get(more, "HX-Request", "true").Body
		shown += strings.Count(rest, `data-id=`)
		more = ""
		if i := strings.Index(rest, `hx-get="`); i >= 0 {
			more = strings.ReplaceAll(rest[i+len(`hx-get="`):i+strings.Index(rest[i:], `" hx-target`)], "&amp;", "&")
		}
	}
	require.Equal(t, total, shown, "every card comes, a page at a time")
}

func atoi(s string) int {
	var n int
	fmt.Sscan(s, &n)
	return n
}

func index(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}
