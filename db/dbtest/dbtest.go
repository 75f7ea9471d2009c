// Package dbtest gives each test its own PostgreSQL database, cloned from a template that the
// migrations built once, so tests are isolated and can run in parallel.
package dbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"
	"github.com/peterldowns/pgtestdb/migrators/goosemigrator"

	"github.com/crm-team/crm/db"
)

// BaseURL is the server tests create their databases on, from DATABASE_URL.
func BaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which starts a private PostgreSQL")
	}
	return u
}

// Conf is the pgtestdb configuration for the server at DATABASE_URL. The test role owns the
// databases and runs the migrations, like a production owner role: no superuser, but allowed
// to create the crm_app role.
func Conf(t testing.TB) pgtestdb.Config {
	t.Helper()
	cfg, err := pgx.ParseConfig(BaseURL(t))
	if err != nil {
		t.Fatalf("parse DATABASE_URL: %v", err)
	}
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       cfg.Host,
		Port:       fmt.Sprint(cfg.Port),
		User:       cfg.User,
		Password:   cfg.Password,
		Database:   cfg.Database,
		Options:    "sslmode=disable",
		TestRole: &pgtestdb.Role{
			Username:     "crm_test_owner",
			Password:     "crm_test_owner",
			Capabilities: "NOSUPERUSER NOCREATEDB CREATEROLE",
		},
		ForceTerminateConnections: true,
	}
}

// New returns a pool on a fresh, migrated database of its own, closed when the test ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := NewWithURL(t)
	return pool
}

// NewWithURL is New that also returns the database's connection URL.
func NewWithURL(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	conf := pgtestdb.Custom(t, Conf(t), migrator{goosemigrator.New(".", goosemigrator.WithFS(db.Migrations()))})
	pool, err := db.Open(context.Background(), conf.URL(), db.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, conf.URL()
}

// migrator builds the template as db.Migrate does: River's tables, then the app's migrations.
type migrator struct{ app *goosemigrator.GooseMigrator }

func (m migrator) Hash() (string, error) {
	h, err := m.app.Hash()
	return h + "+river-v0.51.2", err
}

func (m migrator) Migrate(ctx context.Context, sqlDB *sql.DB, conf pgtestdb.Config) error {
	pool, err := pgxpool.New(ctx, conf.URL())
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.MigrateQueue(ctx, pool); err != nil {
		return err
	}
	return m.app.Migrate(ctx, sqlDB, conf)
}

// SuperuserURL is the URL of the same database as url, connecting as the DATABASE_URL user
// (a superuser on the private test cluster).
func SuperuserURL(t testing.TB, dbURL string) string {
	t.Helper()
	base, err := url.Parse(BaseURL(t))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = base.User
	return u.String()
}

// AppURL is the URL of the same database as url, connecting as crm_app (the web's role; the
// private test cluster trusts loopback connections).
func AppURL(t testing.TB, dbURL string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User("crm_app")
	return u.String()
}
