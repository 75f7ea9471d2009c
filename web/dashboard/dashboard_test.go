package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

// The pipeline on the dashboard counts the open deals each role may see: a rep their own, a
// manager the team's, an admin everyone's. The expected numbers come from the database directly.
func TestDashboardPipelineShowsWhatEachRoleMaySee(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	scopes := map[string]string{
		"rep1@demo.test":    "o.owner_id = (SELECT id FROM users WHERE email = 'rep1@demo.test')",
		"manager@demo.test": "o.team_id = (SELECT team_id FROM users WHERE email = 'manager@demo.test')",
		"admin@demo.test":   "true",
	}
	titles := map[string]string{"rep1@demo.test": "My open deals", "manager@demo.test": "My team&#39;s open deals", "admin@demo.test": "All open deals"}
	seen := map[string]string{}
	for email, where := range scopes {
		body := app.Login(t, email).Get("/").Body
		require.Contains(t, body, titles[email])
		got := stageCounts(t, body)
		want := expected(t, app, where)
		require.Equal(t, want, got, email)
		seen[email] = strings.Join(got, ",")
	}
	require.NotEqual(t, seen["rep1@demo.test"], seen["manager@demo.test"])
	require.NotEqual(t, seen["manager@demo.test"], seen["admin@demo.test"])
}

func TestDashboardListsMyOpenTasksOnly(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	c := app.Login(t, "rep2@demo.test")
	app.Exec(t, `
		INSERT INTO activities (owner_id, type, subject, due_at, account_id)
		SELECT u.id, 'task', s.subject, now() - interval '1 day', (SELECT min(id) FROM accounts)
		FROM users u, (VALUES ('Call Ada <script>x</script>', 'rep2@demo.test'), ('Someone else''s task', 'rep1@demo.test')) s(subject, email)
		WHERE u.email = s.email;
		UPDATE activities SET done_at = now() WHERE type = 'task' AND subject NOT LIKE 'Call Ada%'
			AND owner_id = (SELECT id FROM users WHERE email = 'rep2@demo.test')`)
	r := c.Get("/")
	require.Equal(t, http.StatusOK, r.Status)
	require.Contains(t, r.Body, "Call Ada &lt;script&gt;x&lt;/script&gt;", "escaped, never raw")
	require.NotContains(t, r.Body, "Someone else")
	require.Contains(t, r.Body, "1 overdue")
}

func stageCounts(t *testing.T, body string) []string {
	t.Helper()
	rows := regexp.MustCompile(`<tr><td>([^<]+) <span class="muted">\d+%</span></td><td class="num">(\d+)</td>`).FindAllStringSubmatch(body, -1)
	require.NotEmpty(t, rows)
	var out []string
	for _, r := range rows {
		out = append(out, r[1]+"="+r[2])
	}
	return out
}

func expected(t *testing.T, app *webtest.App, where string) []string {
	t.Helper()
	rows, err := app.Pool.Query(context.Background(), fmt.Sprintf(`
		SELECT s.name, count(o.id) FROM pipeline_stages s
		LEFT JOIN opportunities o ON o.stage_id = s.id AND %s
		WHERE s.kind = 'open' GROUP BY s.id ORDER BY s.position`, where))
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		var n int
		require.NoError(t, rows.Scan(&name, &n))
		out = append(out, fmt.Sprintf("%s=%d", name, n))
	}
	return out
}

func TestManagersSeeTheTeamByRepSlippingDealsAndThisWeeksActivity(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	app.Exec(t, `
		UPDATE opportunities SET name = 'Late deal', close_date = current_date - 3
		WHERE id = (SELECT min(o.id) FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
		            JOIN users u ON u.id = o.owner_id WHERE s.kind = 'open' AND u.email = 'rep2@demo.test');
		INSERT INTO activities (owner_id, type, subject, account_id)
		SELECT id, 'call', 'Call this week', (SELECT min(id) FROM accounts) FROM users WHERE email = 'rep2@demo.test'`)
	m := app.Login(t, "manager@demo.test").Get("/").Body
	require.Contains(t, m, "Open pipeline by rep")
	deals := app.Scalar(t, `SELECT count(*)::text FROM opportunities o JOIN pipeline_stages s ON s.id = o.stage_id
		JOIN users u ON u.id = o.owner_id WHERE s.kind = 'open' AND u.email = 'rep2@demo.test'`)
	require.Regexp(t, `Sam Seller</a></td><td class="num">`+deals+`</td>`, m)
	require.NotContains(t, m, "Alex Admin</a></td>", "the admin is not in the manager's team")
	require.Contains(t, m, "Late deal")
	require.Regexp(t, `<td>Sam Seller</td><td class="num">\d+</td><td class="num">[1-9]`, m, "this week's calls are counted")

	rep := app.Login(t, "rep1@demo.test").Get("/").Body
	require.NotContains(t, rep, "Open pipeline by rep")
	require.NotContains(t, rep, "Late deal")
	require.Contains(t, rep, "Closing this month")
}
