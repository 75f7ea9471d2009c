// Package db opens the database, migrates it, and runs request work in transactions that carry
// the user's access context, so PostgreSQL's row-level security decides what each user sees.
package db

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/crm-team/crm/db/store"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations is the embedded goose migration directory.
func Migrations() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// Q holds the generated queries; they take the pool or a transaction as their first argument.
var Q = store.New()

// Limits bound what the work of one request may cost the database; zero leaves PostgreSQL's
// (or pgx's) default. A row lock held elsewhere then fails a request after LockTimeout instead
// of holding its connection, and everyone else's, until the lock goes.
type Limits struct {
	MaxConns         int           // the pool's size
	StatementTimeout time.Duration // statement_timeout
	LockTimeout      time.Duration // lock_timeout
	IdleInTxTimeout  time.Duration // idle_in_transaction_session_timeout
}

// Open connects a pool within the limits and checks that the database answers.
func Open(ctx context.Context, url string, l Limits) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if l.MaxConns > 0 {
		cfg.MaxConns = int32(l.MaxConns)
	}
	for name, d := range map[string]time.Duration{"statement_timeout": l.StatementTimeout, "lock_timeout": l.LockTimeout,
		"idle_in_transaction_session_timeout": l.IdleInTxTimeout} {
		if d > 0 {
			cfg.ConnConfig.RuntimeParams[name] = strconv.FormatInt(d.Milliseconds(), 10)
		}
	}
	// A page's queries are short; JIT compiling costs tens of milliseconds whenever a plan's
	// estimate is high, even for a search whose index finds nothing (35 ms of 37 at 1M records).
	cfg.ConnConfig.RuntimeParams["jit"] = "off"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("reach database: %w", err)
	}
	return pool, nil
}

// CheckLeastPrivilege refuses a web pool that could get around row-level security: one signed in
// as a superuser, as a role that bypasses RLS, or as the owner of the tables.
func CheckLeastPrivilege(ctx context.Context, pool *pgxpool.Pool) error {
	var user string
	var super, bypass, owner bool
	err := pool.QueryRow(ctx, `SELECT current_user, r.rolsuper, r.rolbypassrls,
		EXISTS (SELECT FROM pg_tables t WHERE t.schemaname = 'public' AND t.tablename = 'leads' AND t.tableowner = current_user)
		FROM pg_roles r WHERE r.rolname = current_user`).Scan(&user, &super, &bypass, &owner)
	if err != nil {
		return fmt.Errorf("check the web's database role: %w", err)
	}
	if super || bypass || owner {
		return fmt.Errorf("the web connects to the database as %q, which owns the tables, is a superuser or bypasses row-level security: "+
			"it must connect as crm_app (CRM_APP_DATABASE_URL; see README: Running in production)", user)
	}
	return nil
}

// SetAppPassword lets crm_app sign in with password (run as the database's owner).
func SetAppPassword(ctx context.Context, pool *pgxpool.Pool, password string) error {
	_, err := pool.Exec(ctx, "ALTER ROLE crm_app WITH LOGIN PASSWORD "+quote(password))
	return err
}

// IsBusy reports whether err says the database could not do the work in time: a statement or
// lock timeout, a deadlock, a request's deadline, too many connections, a server shutting down.
// Nothing the work did was committed; trying again later may succeed.
func IsBusy(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || pgconn.Timeout(err) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "57014", "55P03", "40P01", "53300", "57P01", "57P02", "57P03":
			return true
		}
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	// pgxpool says "closed pool" with an error of no type of its own.
	return errors.As(err, &ce) || errors.As(err, &ne) || strings.Contains(err.Error(), "closed pool")
}

// Migrator returns a goose provider over the embedded migrations that holds a PostgreSQL
// advisory lock while it works, so several processes starting at once migrate only once.
func Migrator(pool *pgxpool.Pool) (*goose.Provider, *sql.DB, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, nil, err
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	p, err := goose.NewProvider(goose.DialectPostgres, sqlDB, Migrations(), goose.WithSessionLocker(locker))
	if err != nil {
		sqlDB.Close()
		return nil, nil, fmt.Errorf("migrations: %w", err)
	}
	return p, sqlDB, nil
}

// MigrateQueue brings River's tables (the job queue automations run on) up to the version this
// build uses. It runs before the app's migrations, which grant crm_app the use of them.
func MigrateQueue(ctx context.Context, pool *pgxpool.Pool) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate the job queue: %w", err)
	}
	return nil
}

// Migrate applies every pending migration: River's, then the app's.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if err := MigrateQueue(ctx, pool); err != nil {
		return err
	}
	p, sqlDB, err := Migrator(pool)
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Access is the access context of one request: who acts, in which team, with which scopes
// ("leads.view" -> "own"). The zero value is an anonymous visitor, for whom every scope is none.
type Access struct {
	UserID int64
	TeamID int64
	Scopes map[string]string
	// scopesJSON is Scopes as the database gave them, reused for every transaction's context.
	scopesJSON string
}

// NewAccess is the access context of a user whose role grants scopes (JSON: {"leads.view": "own"}).
func NewAccess(userID, teamID int64, scopesJSON string) (Access, error) {
	a := Access{UserID: userID, TeamID: teamID, scopesJSON: scopesJSON}
	if err := json.Unmarshal([]byte(scopesJSON), &a.Scopes); err != nil {
		return Access{}, fmt.Errorf("scopes of user %d: %w", userID, err)
	}
	return a, nil
}

// Scope is the role's scope for an entity and action: none, own, team or all.
func (a Access) Scope(entity, action string) string {
	if s, ok := a.Scopes[entity+"."+action]; ok {
		return s
	}
	return "none"
}

// Can reports whether the scope for an entity and action is anything but none.
func (a Access) Can(entity, action string) bool { return a.Scope(entity, action) != "none" }

// Filter is a scope as query parameters, for list queries that repeat the row-level security
// rule as `(@see_all OR owner_id = @own_id OR team_id = @team_id)`: with custom plans the
// planner folds it to one indexed equality instead of scanning what the policy would hide.
type Filter struct {
	SeeAll bool
	OwnID  *int64
	TeamID *int64
}

// Filter returns the scope of an entity and action as query parameters.
func (a Access) Filter(entity, action string) Filter {
	switch a.Scope(entity, action) {
	case "all":
		return Filter{SeeAll: true}
	case "team":
		// A user's own records carry the user's team (triggers keep team_id in step with the
		// owner), so the team equality alone covers them and stays one indexed condition.
		if a.TeamID != 0 {
			return Filter{TeamID: &a.TeamID}
		}
		return Filter{OwnID: &a.UserID}
	case "own":
		return Filter{OwnID: &a.UserID}
	}
	return Filter{}
}

// contextSQL switches the transaction to the crm_app role, which RLS policies apply to even if
// the pool connects as a superuser, stores the user, team and scopes for the policies, and says
// how statements are planned: never in parallel, since a request's queries are short and
// starting workers costs more (5-10 ms) than they save. It follows BEGIN in one simple-protocol
// round trip, so its values are quoted literals rather than parameters.
const contextSQL = `BEGIN; SELECT set_config('role', 'crm_app', true),
	set_config('crm.user_id', %s, true),
	set_config('crm.team_id', %s, true),
	set_config('crm.scopes', %s, true),
	set_config('plan_cache_mode', %s, true),
	set_config('max_parallel_workers_per_gather', '0', true)`

// InTx runs fn in one transaction that carries the access context, committing when fn returns
// nil; BEGIN and the context cost one round trip together. Statements may run on plans
// PostgreSQL cached for them (plan_cache_mode auto): a lookup by key plans alike for any key,
// and planning is most of a short query's cost.
func InTx(ctx context.Context, pool *pgxpool.Pool, a Access, fn func(tx pgx.Tx) error) error {
	return inTx(ctx, pool, a, "auto", fn)
}

// InTxCustomPlans is InTx for statements whose optional filters and scope predicate must fold
// away with the values at hand (lists, the board, the dashboard): each is planned with its
// values. A cached generic plan cannot use an index behind "$1 IS NULL OR owner_id = $1".
func InTxCustomPlans(ctx context.Context, pool *pgxpool.Pool, a Access, fn func(tx pgx.Tx) error) error {
	return inTx(ctx, pool, a, "force_custom_plan", fn)
}

func inTx(ctx context.Context, pool *pgxpool.Pool, a Access, plans string, fn func(tx pgx.Tx) error) error {
	begin, err := a.beginSQL(plans)
	if err != nil {
		return err
	}
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{BeginQuery: begin})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after commit
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (a Access) beginSQL(plans string) (string, error) {
	scopes := []byte(a.scopesJSON)
	if a.scopesJSON == "" {
		var err error
		if scopes, err = json.Marshal(a.Scopes); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf(contextSQL, quote(idString(a.UserID)), quote(idString(a.TeamID)), quote(string(scopes)), quote(plans)), nil
}

// quote makes a string literal of s (standard_conforming_strings is on, PostgreSQL's default
// and the only setting pgx supports).
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// IsNoRows reports whether err says a query found nothing (or nothing the user may see).
func IsNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }
