package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/internal/automation"
)

// worker runs the automation worker alone until a signal. Several may run at once: River hands
// each job to one of them, and one elected leader enqueues the time triggers' sweep.
func worker(ctx context.Context, cfg config, log *slog.Logger) error {
	stop, err := startWorker(ctx, cfg, log)
	if err != nil {
		return err
	}
	log.Info("automation worker running")
	<-ctx.Done()
	stop()
	return nil
}

// startWorker starts the automation worker on a pool of its own as crm_app (jobs do not take
// connections requests need), and returns how to stop it: jobs in flight get the shutdown
// timeout to finish, then are cancelled (their transactions roll back and they run again later).
func startWorker(ctx context.Context, cfg config, log *slog.Logger) (func(), error) {
	// Jobs run in the background: they may wait for a row as long as a job may take.
	limits := cfg.Limits
	limits.MaxConns = automation.MaxWorkers + 4
	limits.StatementTimeout = max(limits.StatementTimeout, cfg.JobTimeout)
	limits.LockTimeout = max(limits.LockTimeout, cfg.JobTimeout)
	pool, err := db.Open(ctx, cfg.AppDatabaseURL, limits)
	if err != nil {
		return nil, fmt.Errorf("the worker's connection as crm_app: %w", err)
	}
	client, err := automation.NewClient(pool, true, automation.Options{JobTimeout: cfg.JobTimeout, RescueAfter: 2 * cfg.JobTimeout,
		AllowPrivateWebhooks: cfg.PrivateWebhooks, Logger: log})
	if err != nil {
		pool.Close()
		return nil, err
	}
	if err := client.Start(context.Background()); err != nil {
		pool.Close()
		return nil, err
	}
	return func() { stopClient(client, cfg, log); closePool(pool, log) }, nil
}

func stopClient(client *river.Client[pgx.Tx], cfg config, log *slog.Logger) {
	soft, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := client.Stop(soft); err != nil {
		log.Warn("automation jobs still running at the shutdown timeout: cancelling them")
		hard, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.StopAndCancel(hard)
	}
}
