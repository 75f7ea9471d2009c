package web_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/browsertest"
	"github.com/crm-team/crm/web/webtest"
)

// A rep drags a deal with the mouse from one column of the board to the next; both columns'
// totals change without a page load, and the deal is in its new stage.
func TestDraggingACardOnTheBoardMovesTheDeal(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	tab := browsertest.Tab(t)
	browsertest.Do(t, tab, chromedp.EmulateViewport(1400, 900))
	login(t, app, tab, "rep1@demo.test")
	var from, to string
	require.NoError(t, app.Pool.QueryRow(t.Context(), `SELECT (SELECT id::text FROM pipeline_stages WHERE name = 'Prospecting'),
		(SELECT id::text FROM pipeline_stages WHERE name = 'Qualification')`).Scan(&from, &to))
	browsertest.Do(t, tab, chromedp.Navigate(app.URL+"/pipeline"), chromedp.WaitVisible(chromedp.CSS("#col-"+from+" .deal")))
	count := func(stage string) int {
		n, err := strconv.Atoi(browsertest.Eval[string](t, tab, `document.querySelector("#col-`+stage+` .deals").textContent`))
		require.NoError(t, err)
		return n
	}
	fromBefore, toBefore := count(from), count(to)
	card := dragCard(t, tab, from, to)

	require.NoError(t, waitFor(tab, fmt.Sprintf(`document.querySelector("#col-%s .deals").textContent === "%d"`, to, toBefore+1)))
	require.Equal(t, fromBefore-1, count(from))
	require.Equal(t, 1, browsertest.Eval[int](t, tab, `document.querySelectorAll("#col-`+to+` #card-`+card+`").length`), "the card is drawn in its new column")
	var stage string
	require.NoError(t, app.Pool.QueryRow(t.Context(), "SELECT stage_id::text FROM opportunities WHERE id = $1", card).Scan(&stage))
	require.Equal(t, to, stage)
	browsertest.Screenshot(t, tab, "pipeline-after-drag")
}

// dragCard drags the first card of one board column into another with the mouse, as a person
// would, and returns the card's deal id.
func dragCard(t *testing.T, tab context.Context, from, to string) string {
	t.Helper()
	card := browsertest.Eval[string](t, tab, `document.querySelector("#col-`+from+` .deal").dataset.id`)
	type point struct{ X, Y float64 }
	start := browsertest.Eval[point](t, tab, `(() => { const r = document.querySelector("#col-`+from+` .deal .deal-foot").getBoundingClientRect(); return {X: r.left + 10, Y: r.top + r.height / 2}; })()`)
	end := browsertest.Eval[point](t, tab, `(() => { const r = document.querySelector("#col-`+to+` .cards").getBoundingClientRect(); return {X: r.left + r.width / 2, Y: Math.min(r.bottom, window.innerHeight) - 8}; })()`)

	pressed := func(p *input.DispatchMouseEventParams) { p.Button, p.Buttons = input.MouseButtonLeft, 1 }
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, start.X, start.Y),
		chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, start.X, start.Y, pressed, chromedp.ClickCount(1))}
	for i := 1; i <= 15; i++ {
		x, y := start.X+(end.X-start.X)*float64(i)/15, start.Y+(end.Y-start.Y)*float64(i)/15
		steps = append(steps, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x, y, pressed), chromedp.Sleep(15e6))
	}
	steps = append(steps, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, end.X, end.Y, pressed, chromedp.ClickCount(1)))
	browsertest.Do(t, tab, steps...)
	return card
}
