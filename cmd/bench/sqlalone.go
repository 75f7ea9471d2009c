package main

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// statement is one query a page sent, with its arguments as the server passed them; a batch
// holds the queries sent together in one round trip.
type statement struct {
	SQL   string
	Args  []any
	Batch []statement
}

// recorder is a pgx tracer that keeps every statement sent while it is on: the server under
// capture runs in this process on a pool traced by it, one request at a time.
type recorder struct {
	mu    sync.Mutex
	on    bool
	stmts []statement
	batch *statement
}

func (r *recorder) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on, r.stmts, r.batch = true, nil, nil
}

func (r *recorder) stop() []statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.stmts
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.stmts = append(r.stmts, statement{SQL: data.SQL, Args: data.Args})
	}
	return ctx
}

func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (r *recorder) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.batch = &statement{}
	}
	return ctx
}

func (r *recorder) TraceBatchQuery(_ context.Context, _ *pgx.Conn, data pgx.TraceBatchQueryData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on && r.batch != nil {
		r.batch.Batch = append(r.batch.Batch, statement{SQL: data.SQL, Args: data.Args})
	}
}

func (r *recorder) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on && r.batch != nil {
		r.stmts = append(r.stmts, *r.batch)
		r.batch = nil
	}
}

// replay sends a page's statements in order on one connection, as the page did; rollback ends
// its transactions with ROLLBACK instead of COMMIT so the data stays as it was.
func replay(ctx context.Context, pool *pgxpool.Pool, stmts []statement, rollback bool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	for _, s := range stmts {
		if err := send(ctx, conn.Conn(), s, rollback); err != nil {
			_, _ = conn.Exec(ctx, "rollback")
			return fmt.Errorf("%.80s: %w", s.SQL, err)
		}
	}
	return nil
}

func send(ctx context.Context, conn *pgx.Conn, s statement, rollback bool) error {
	if s.Batch != nil {
		b := &pgx.Batch{}
		for _, q := range s.Batch {
			b.Queue(endTx(q.SQL, rollback), q.Args...)
		}
		return conn.SendBatch(ctx, b).Close()
	}
	sql := endTx(s.SQL, rollback)
	if len(s.Args) == 0 && isTxControl(sql) {
		_, err := conn.Exec(ctx, sql)
		return err
	}
	rows, err := conn.Query(ctx, sql, s.Args...)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	rows.Close()
	return rows.Err()
}

func endTx(sql string, rollback bool) string {
	if rollback && strings.EqualFold(strings.TrimSpace(sql), "commit") {
		return "rollback"
	}
	return sql
}

func isTxControl(sql string) bool {
	switch strings.ToLower(strings.TrimSpace(sql)) {
	case "begin", "commit", "rollback":
		return true
	}
	// BEGIN may carry more statements (the access context), as one simple-protocol query.
	lower := strings.ToLower(sql)
	return strings.HasPrefix(lower, "begin ") || strings.HasPrefix(lower, "begin;")
}

// printStatements shows what a page sends, one line a statement.
func printStatements(page string, stmts []statement) {
	fmt.Printf("-- %s: %d statements\n", page, countStatements(stmts))
	for _, s := range stmts {
		for _, q := range append([]statement{s}, s.Batch...) {
			if q.SQL != "" {
				fmt.Printf("   %.150s\n", strings.Join(strings.Fields(q.SQL), " "))
			}
		}
	}
}

// explain replays a page's statements once with EXPLAIN (ANALYZE, BUFFERS) in front of each
// query, in a transaction rolled back, and prints each plan's timing (the whole plan if full).
func explain(ctx context.Context, pool *pgxpool.Pool, page string, stmts []statement, full bool) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	defer conn.Exec(ctx, "rollback") //nolint:errcheck
	fmt.Printf("-- %s\n", page)
	for _, s := range stmts {
		for _, q := range append([]statement{s}, s.Batch...) {
			sql := strings.TrimSpace(q.SQL)
			if sql == "" {
				continue
			}
			if isTxControl(sql) {
				if !strings.HasPrefix(strings.ToLower(sql), "begin") {
					sql = "rollback" // what comes after runs as it did, outside the transaction
				}
				if _, err := conn.Exec(ctx, sql); err != nil {
					return err
				}
				continue
			}
			rows, err := conn.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, q.Args...)
			if err != nil {
				return fmt.Errorf("%.80s: %w", sql, err)
			}
			var plan []string
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					return err
				}
				plan = append(plan, line)
			}
			if err := rows.Err(); err != nil {
				return err
			}
			name := strings.Join(strings.Fields(sql), " ")
			if strings.HasPrefix(name, "-- name: ") {
				name = strings.Fields(name)[2]
			}
			planning := ""
			for _, l := range plan {
				if strings.HasPrefix(strings.TrimSpace(l), "Planning Time:") {
					planning = strings.TrimSpace(l) + "  "
				}
			}
			fmt.Printf("   %-60.60s %s%s\n", name, planning, strings.TrimSpace(plan[len(plan)-1]))
			if full {
				for _, l := range plan {
					fmt.Printf("      %s\n", l)
				}
			}
		}
	}
	return nil
}
