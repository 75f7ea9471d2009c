package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/password"
)

func userCmd(ctx context.Context, cfg config, args []string, stdin io.Reader) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("user: usage: crm user create --email E --name N --role ROLE [--team T] --password-stdin")
	}
	fs := flagSet("user create")
	email := fs.String("email", "", "email address (the login)")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "", "role name: admin, manager, sales_rep or a custom one")
	team := fs.String("team", "", "team name (created if missing)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *email == "" || *name == "" || *role == "" || !*fromStdin {
		return errors.New("user create: --email, --name, --role and --password-stdin are required")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("user create: no password on standard input")
	}
	pw := strings.TrimRight(line, "\r\n")
	if len([]rune(pw)) < password.MinLength {
		return fmt.Errorf("user create: the password needs at least %d characters", password.MinLength)
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, db.Limits{})
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	// An operator's command on the owner's connection: no user context exists yet.
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	r, err := db.Q.GetRoleByName(ctx, tx, *role)
	if db.IsNoRows(err) {
		return fmt.Errorf("user create: no role named %q", *role)
	} else if err != nil {
		return err
	}
	var teamID *int64
	if *team != "" {
		t, err := db.Q.GetTeamByName(ctx, tx, *team)
		id := t.ID
		if db.IsNoRows(err) {
			id, err = db.Q.CreateTeam(ctx, tx, *team)
		}
		if err != nil {
			return err
		}
		teamID = &id
	}
	id, err := db.Q.CreateUser(ctx, tx, store.CreateUserParams{Email: *email, Name: *name, RoleID: r.ID, TeamID: teamID,
		PasswordHash: hash, TimeZone: "UTC"})
	if err != nil {
		return fmt.Errorf("user create: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	fmt.Printf("Created user %d: %s <%s>, role %s\n", id, *name, *email, r.Name)
	return nil
}
