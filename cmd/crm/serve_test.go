package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/dbtest"
	"github.com/crm-team/crm/db/seed"
	"github.com/crm-team/crm/web"
	"github.com/crm-team/crm/web/webtest"
)

// A request still waiting at the end of the shutdown timeout is cancelled: its transaction rolls
// back, its client hears 503, and the process stops within a bound instead of waiting for the
// database.
func TestShutdownCancelsWorkStillRunningAfterTheTimeout(t *testing.T) {
	t.Parallel()
	pool, dbURL := dbtest.NewWithURL(t)
	ctx := context.Background()
	_, err := seed.Demo(ctx, pool, webtest.DemoPassword)
	require.NoError(t, err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	cfg := config{Addr: addr, DatabaseURL: dbURL, AppDatabaseURL: dbtest.AppURL(t, dbURL), ShutdownTimeout: 300 * time.Millisecond,
		Limits: db.Limits{MaxConns: 4, LockTimeout: time.Minute, StatementTimeout: time.Minute},
		Web:    web.Config{SessionIdle: time.Hour, SessionLifetime: 24 * time.Hour, RequestTimeout: time.Minute}}
	running, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- serve(running, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()
	require.Eventually(t, func() bool {
		r, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			r.Body.Close()
		}
		return err == nil && r.StatusCode == http.StatusOK
	}, 10*time.Second, 20*time.Millisecond)

	app := &webtest.App{Pool: pool, URL: "http://" + addr}
	rep := app.Login(t, "rep1@demo.test")
	var id, version, stage string
	require.NoError(t, pool.QueryRow(ctx, `SELECT o.id::text, o.version::text, (SELECT min(s.id) FROM pipeline_stages s
		WHERE s.kind = 'open' AND s.id <> o.stage_id)::text
		FROM opportunities o JOIN users u ON u.id = o.owner_id JOIN pipeline_stages st ON st.id = o.stage_id
		WHERE u.email = 'rep1@demo.test' AND st.kind = 'open' ORDER BY o.id LIMIT 1`).Scan(&id, &version, &stage))
	holder, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer holder.Rollback(ctx) //nolint:errcheck
	_, err = holder.Exec(ctx, "SELECT 1 FROM opportunities WHERE id = $1 FOR UPDATE", id)
	require.NoError(t, err)

	answer := make(chan int, 1)
	go func() {
		answer <- rep.Post("/pipeline/move", url.Values{"id": {id}, "version": {version}, "stage_id": {stage}, "view": {""}}).Status
	}()
	require.Eventually(t, func() bool {
		return app.Scalar(t, "SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == "1"
	}, 10*time.Second, 20*time.Millisecond, "the move waits for the lock")

	start := time.Now()
	stop()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not stop")
	}
	require.Less(t, time.Since(start), 8*time.Second)
	require.Equal(t, http.StatusServiceUnavailable, <-answer)
	require.NoError(t, holder.Rollback(ctx))
	require.Equal(t, version, app.Scalar(t, "SELECT version::text FROM opportunities WHERE id = $1", id), "nothing was saved")
}
