package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
)

// The bench's own people and records, made idempotently and removed after each run.
const (
	soloEmail      = "solo@bench.test"   // a rep who owns 10 contacts and nothing else
	soloTeam       = "Bench solo"        // alone in a team, so the team scope is those 10 too
	soloContacts   = 10                  // contacts given to the solo rep
	convertCompany = "Bench conversion"  // leads made to be converted
	noteSubject    = "Bench note"        // activities the bench logs
	conversionPool = 4000                // leads ready for conversion per run
	benchDBPrefix  = "crm_bench_"        // databases of the private cluster, one per scale
	scaleMarker    = "user49@scale.test" // the last user of a scale load
)

// database returns the URL of the database to measure at scale n: DATABASE_URL as given, or a
// database of its own in the private cluster, created when missing.
func database(ctx context.Context, cfg config, n int) (string, error) {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, nil
	}
	u, err := url.Parse(cfg.ClusterURL)
	if err != nil {
		return "", fmt.Errorf("cluster URL: %w", err)
	}
	name := fmt.Sprintf("%s%d", benchDBPrefix, n)
	admin := *u
	admin.Path = "/postgres"
	conn, err := pgx.Connect(ctx, admin.String())
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
			return "", err
		}
	}
	u.Path = "/" + name
	return u.String(), nil
}

// loadScale loads the scale data with `crm seed --scale n` unless the database holds that scale
// already, and migrates it (unless told not to, to measure another build on its own schema). It
// returns how long the load took (0 when reused).
func loadScale(ctx context.Context, cfg config, dbURL string, n int, migrate bool) (time.Duration, error) {
	pool, err := db.Open(ctx, dbURL, db.Limits{})
	if err != nil {
		return 0, err
	}
	defer pool.Close()
	var exists bool
	if err := pool.QueryRow(ctx, "SELECT to_regclass('users') IS NOT NULL").Scan(&exists); err != nil {
		return 0, err
	}
	if exists {
		if migrate {
			if err := db.Migrate(ctx, pool); err != nil {
				return 0, err
			}
		}
		if err := cleanup(ctx, pool); err != nil {
			return 0, err
		}
		var users, contacts int
		var scaled bool
		if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM contacts),
			EXISTS (SELECT FROM users WHERE email = $1)`, scaleMarker).Scan(&users, &contacts, &scaled); err != nil {
			return 0, err
		}
		switch {
		case scaled && contacts == n:
			fmt.Printf("Reusing the %d-contact load in %s.\n", n, redact(dbURL))
			return 0, nil
		case users > 0:
			return 0, fmt.Errorf("%s holds other data (%d contacts, not a %d-contact scale load): use an empty database", redact(dbURL), contacts, n)
		}
	}
	fmt.Printf("Loading %d contacts into %s with crm seed --scale.\n", n, redact(dbURL))
	start := time.Now()
	cmd := exec.CommandContext(ctx, cfg.Binary, "seed", "--scale", fmt.Sprint(n))
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("crm seed --scale %d: %w", n, err)
	}
	return time.Since(start), nil
}

// fixtures adds what the bench needs beyond the scale load: the solo rep with their 10 contacts.
func fixtures(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `
		WITH team AS (
		    INSERT INTO teams (name) VALUES ($1) ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id
		), solo AS (
		    INSERT INTO users (email, name, role_id, team_id, password_hash)
		    SELECT $2, 'Solo Rep', r.id, (SELECT id FROM team), u.password_hash
		    FROM roles r, users u WHERE r.name = 'sales_rep' AND u.email = 'rep1@demo.test'
		    ON CONFLICT (email) DO UPDATE SET team_id = EXCLUDED.team_id RETURNING id
		)
		UPDATE contacts SET owner_id = (SELECT id FROM solo)
		WHERE id IN (SELECT id FROM contacts ORDER BY id LIMIT $3)
		  AND owner_id <> (SELECT id FROM solo)`, soloTeam, soloEmail, soloContacts)
	if err != nil {
		return fmt.Errorf("solo rep: %w", err)
	}
	return nil
}

// leadsToConvert adds fresh leads for a user to convert, just before the conversions run (made
// earlier, they would be the newest leads every other page reads), and returns their ids.
func leadsToConvert(ctx context.Context, pool *pgxpool.Pool, owner int64) ([]int64, error) {
	rows, err := pool.Query(ctx, `
		INSERT INTO leads (owner_id, last_name, company, status)
		SELECT $1, 'Convert ' || g, $2, 'qualified' FROM generate_series(1, $3) g
		RETURNING id`, owner, convertCompany, conversionPool)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// cleanup removes what the bench made: logged notes, converted leads and their contacts, so
// every page and run starts from the same data, and vacuums the tables so that no page pays for
// the dead rows (the newest rows, which searches read first).
func cleanup(ctx context.Context, pool *pgxpool.Pool) error {
	_, err := pool.Exec(ctx, `
		WITH gone AS (DELETE FROM leads WHERE company = $1 RETURNING converted_contact_id)
		DELETE FROM contacts WHERE id IN (SELECT converted_contact_id FROM gone)`, convertCompany)
	if err != nil {
		return fmt.Errorf("cleanup conversions: %w", err)
	}
	if _, err := pool.Exec(ctx, "DELETE FROM activities WHERE subject = $1", noteSubject); err != nil {
		return fmt.Errorf("cleanup notes: %w", err)
	}
	if _, err := pool.Exec(ctx, "VACUUM leads, contacts, activities"); err != nil {
		return fmt.Errorf("vacuum after cleanup: %w", err)
	}
	return nil
}

// redact hides a password in a database URL.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "the database"
	}
	return strings.Replace(u.Redacted(), "xxxxx", "…", 1)
}
