package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/web"
)

// serve migrates (unless told not to), then serves HTTP until a signal; then it lets requests in
// flight finish for ShutdownTimeout, cancels those still running (their transactions roll back
// and they answer 503) and closes the pool, each step bounded.
func serve(ctx context.Context, cfg config, log *slog.Logger) error {
	// A small live heap collected at every doubling costs more CPU than it saves: collect at five
	// times the live heap, under a soft limit that keeps the process small (GOGC and GOMEMLIMIT
	// override both).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(64 << 20)
	}
	if cfg.AutoMigrate || cfg.AppPassword != "" {
		if err := prepare(ctx, cfg, log); err != nil {
			return err
		}
	}
	pool, err := db.Open(ctx, cfg.AppDatabaseURL, cfg.Limits)
	if err != nil {
		return fmt.Errorf("the web's connection as crm_app: %w (see README: Running in production)", err)
	}
	defer closePool(pool, log)
	if err := db.CheckLeastPrivilege(ctx, pool); err != nil {
		return err
	}
	handler, stopBackground, err := web.New(pool, cfg.Web, log)
	if err != nil {
		return err
	}
	defer stopBackground()
	if cfg.Worker {
		stopWorker, err := startWorker(ctx, cfg, log)
		if err != nil {
			return err
		}
		defer stopWorker()
	}
	requests, cancelRequests := context.WithCancel(context.Background())
	defer cancelRequests()
	srv := &http.Server{
		Addr: cfg.Addr, Handler: handler, BaseContext: func(net.Listener) context.Context { return requests },
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
	}
	errs := make(chan error, 1)
	go func() { errs <- srv.ListenAndServe() }()
	if cfg.DebugAddr != "" {
		go func() { errs <- debugServer(cfg.DebugAddr).ListenAndServe() }()
		log.Info("serving pprof", "addr", cfg.DebugAddr)
	}
	url := cfg.Addr
	if strings.HasPrefix(url, ":") {
		url = "localhost" + url
	}
	log.Info("serving", "addr", cfg.Addr, "url", "http://"+url)
	select {
	case err := <-errs:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing the requests in flight", "timeout", cfg.ShutdownTimeout)
	drain, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(drain); errors.Is(err, context.DeadlineExceeded) {
		log.Warn("requests still running at the shutdown timeout: cancelling them")
		cancelRequests()
		answer, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(answer); err != nil {
			srv.Close()
		}
	}
	return nil
}

// prepare migrates (unless turned off) and gives crm_app the password the web will use, as the
// database's owner, on a pool of its own: migrations may take longer than the statement timeout
// that bounds request work.
func prepare(ctx context.Context, cfg config, log *slog.Logger) error {
	pool, err := db.Open(ctx, cfg.DatabaseURL, db.Limits{MaxConns: 2})
	if err != nil {
		return err
	}
	defer pool.Close()
	if cfg.AutoMigrate {
		if err := db.Migrate(ctx, pool); err != nil {
			return err
		}
	}
	if cfg.AppPassword != "" {
		if err := db.SetAppPassword(ctx, pool, cfg.AppPassword); err != nil {
			log.Warn("could not set crm_app's password (the owner needs CREATEROLE); set it by hand", "err", err)
		}
	}
	return nil
}

// closePool closes the pool, waiting at most five seconds for connections still in use.
func closePool(pool *pgxpool.Pool, log *slog.Logger) {
	done := make(chan struct{})
	go func() { pool.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		log.Warn("database connections still in use after five seconds; stopping anyway")
	}
}
