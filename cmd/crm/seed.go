package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/seed"
)

func seedCmd(ctx context.Context, cfg config, args []string) error {
	fs := flagSet("seed")
	demo := fs.Bool("demo", false, "add the demo company to an empty database")
	scale := fs.Int("scale", 0, "load `N` contacts and proportional other records with COPY, for benchmarks")
	force := fs.Bool("force", false, "with --scale: load even into a database that has data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*demo && *scale <= 0 {
		return errors.New("seed: say what to seed: --demo, or --scale N")
	}
	pool, err := db.Open(ctx, cfg.DatabaseURL, db.Limits{})
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := db.Migrate(ctx, pool); err != nil {
		return err
	}
	if *scale > 0 {
		start := time.Now()
		if err := seed.Scale(ctx, pool, *scale, cfg.DemoPassword, *force, os.Stderr); err != nil {
			return err
		}
		fmt.Printf("Loaded %d contacts and the rest in %s. The demo logins work, with 46 more users (userNN@scale.test).\n",
			*scale, time.Since(start).Round(time.Second))
		return nil
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
