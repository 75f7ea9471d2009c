package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/web"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/webtest"
)

// A row locked elsewhere (another session in the middle of a long change) fails the requests
// that need it after the lock timeout, with a page that says nothing was saved, while the rest
// of the CRM goes on answering.
func TestALockedRowFailsItsRequestsQuicklyAndNothingElse(t *testing.T) {
	t.Parallel()
	app := webtest.NewWith(t, db.Limits{MaxConns: 4, LockTimeout: 300 * time.Millisecond, StatementTimeout: 2 * time.Second}, web.Config{})
	rep := app.Login(t, "rep1@demo.test")
	ctx := context.Background()
	var id, version, stage string
	require.NoError(t, app.Pool.QueryRow(ctx, `SELECT o.id::text, o.version::text, (SELECT min(s.id) FROM pipeline_stages s
		WHERE s.kind = 'open' AND s.id <> o.stage_id)::text
		FROM opportunities o JOIN users u ON u.id = o.owner_id JOIN pipeline_stages st ON st.id = o.stage_id
		WHERE u.email = 'rep1@demo.test' AND st.kind = 'open' ORDER BY o.id LIMIT 1`).Scan(&id, &version, &stage))

	holder, err := app.Pool.Begin(ctx)
	require.NoError(t, err)
	defer holder.Rollback(ctx) //nolint:errcheck
	_, err = holder.Exec(ctx, "SELECT 1 FROM opportunities WHERE id = $1 FOR UPDATE", id)
	require.NoError(t, err)

	for range 6 { // more moves than the pool has connections
		start := time.Now()
		r := rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version}, "stage_id": {stage}, "view": {""}})
		require.Equal(t, http.StatusServiceUnavailable, r.Status)
		require.Contains(t, r.Body, render.Busy)
		require.Less(t, time.Since(start), 2*time.Second)
	}
	require.Equal(t, http.StatusOK, rep.Get("/healthz").Status)
	require.Equal(t, http.StatusOK, rep.Get("/contacts").Status, "other pages still answer")
	require.NoError(t, holder.Rollback(ctx))
	require.Equal(t, version, app.Scalar(t, "SELECT version::text FROM opportunities WHERE id = $1", id), "nothing was saved")
}

// A NUL byte, which PostgreSQL refuses in text, or broken UTF-8 in any parameter is answered
// with 400 before it reaches SQL.
func TestBadBytesInParametersAre400NotAnError(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	for _, path := range []string{"/leads", "/contacts", "/accounts", "/opportunities", "/pipeline", "/activities"} {
		for _, q := range []string{"q=%00", "q=a%00b", "owner=%ff%fe", "q=%c3"} {
			r := rep.Get(path + "?" + q)
			require.Equal(t, http.StatusBadRequest, r.Status, path+"?"+q)
			require.Contains(t, r.Body, "cannot be stored")
		}
	}
	r := rep.Post("/contacts", url.Values{"last_name": {"Null\x00Byte"}, "owner_id": {"1"}})
	require.Equal(t, http.StatusBadRequest, r.Status)
}

// A body over the limit is refused unread; a field over its length is answered beside the field
// with everything typed kept.
func TestRequestBodiesAndFieldsHaveLimits(t *testing.T) {
	t.Parallel()
	app := webtest.NewWith(t, db.Limits{}, web.Config{MaxBody: 64 << 10})
	r := app.Client(t).Post("/login", url.Values{"email": {"rep1@demo.test"}, "password": {strings.Repeat("x", 100<<10)}})
	require.Equal(t, http.StatusRequestEntityTooLarge, r.Status)
	require.Contains(t, r.Body, "larger than the CRM accepts")

	rep := app.Login(t, "rep1@demo.test")
	long := strings.Repeat("Smith", 80)
	r = rep.Post("/contacts", url.Values{"first_name": {"Ada"}, "last_name": {long}, "owner_id": {app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")}})
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Use at most 300 characters (this has 400).")
	require.Contains(t, r.Body, long, "what was typed is kept")

	contact := app.Scalar(t, "SELECT min(c.id)::text FROM contacts c JOIN users u ON u.id = c.owner_id WHERE u.email = 'rep1@demo.test'")
	r = rep.Post("/contacts/"+contact+"/activities", url.Values{"type": {"call"}, "subject": {"Call"}, "outcome": {strings.Repeat("o", 301)}}, "HX-Request", "true")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)
	require.Contains(t, r.Body, "Use at most 300 characters")
}
