package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/seed"
)

func seedCmd(ctx context.Context, cfg config, args []string) error {
	fs := flagSet("seed")
	demo := fs.Bool("demo", false, "add the demo company to an empty database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*demo {
		return errors.New("seed: say what to seed: --demo")
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	added, err := seed.Demo(ctx, pool, cfg.DemoPassword)
	if err != nil {
		return err
	}
	if added {
		fmt.Println("Added the demo company.")
	} else {
		fmt.Println("The database already has users; no demo data added.")
	}
	fmt.Println("Demo logins (password from CRM_DEMO_PASSWORD, default demo-password):")
	for _, u := range seed.DemoUsers {
		fmt.Printf("  %-20s %s (%s)\n", u.Email, u.Name, u.Role)
	}
	return nil
}
