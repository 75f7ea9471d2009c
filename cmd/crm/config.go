package main

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/web"
)

// config is every setting, read from the environment with the documented defaults (README.md).
type config struct {
	Addr        string // CRM_ADDR
	DatabaseURL string // DATABASE_URL: the database's owner (migrations, seeds, the CLI)
	// AppDatabaseURL (CRM_APP_DATABASE_URL) is what the web pool signs in as: crm_app, the role
	// row-level security applies to. By default DATABASE_URL with crm_app as the user and
	// CRM_APP_PASSWORD as the password.
	AppDatabaseURL string
	AppPassword    string // CRM_APP_PASSWORD: also set as crm_app's password at start
	AutoMigrate    bool   // CRM_AUTO_MIGRATE
	DemoPassword   string // CRM_DEMO_PASSWORD
	DebugAddr      string // CRM_DEBUG_ADDR: serve pprof here (e.g. 127.0.0.1:6060); off when empty
	// Limits of the web's pool: CRM_DB_MAX_CONNS, CRM_DB_STATEMENT_TIMEOUT, CRM_DB_LOCK_TIMEOUT,
	// CRM_DB_IDLE_TX_TIMEOUT.
	Limits db.Limits
	// ShutdownTimeout (CRM_SHUTDOWN_TIMEOUT) is how long requests in flight may finish at a stop
	// before they are cancelled.
	ShutdownTimeout time.Duration
	Web             web.Config
	// Worker (CRM_WORKER) runs the automation worker inside serve; "false" leaves it to
	// separate `crm worker` processes.
	Worker bool
	// JobTimeout (CRM_JOB_TIMEOUT) is the most one automation job may run; a job left running
	// twice as long is taken to be from a worker that died, and run again.
	JobTimeout time.Duration
	// PrivateWebhooks (CRM_WEBHOOK_PRIVATE=allow) lets webhooks call loopback and private
	// addresses, for a receiver on the intranet.
	PrivateWebhooks bool
}

func loadConfig() (config, error) {
	c := config{
		Addr:            env("CRM_ADDR", ":8080"),
		DatabaseURL:     os.Getenv("DATABASE_URL"),
		AutoMigrate:     env("CRM_AUTO_MIGRATE", "true") != "false",
		DemoPassword:    env("CRM_DEMO_PASSWORD", "demo-password"),
		DebugAddr:       os.Getenv("CRM_DEBUG_ADDR"),
		AppPassword:     os.Getenv("CRM_APP_PASSWORD"),
		Web:             web.Config{SecureCookies: env("CRM_SECURE_COOKIES", "false") == "true"},
		Worker:          env("CRM_WORKER", "true") != "false",
		PrivateWebhooks: os.Getenv("CRM_WEBHOOK_PRIVATE") == "allow",
	}
	if c.DatabaseURL == "" {
		return c, errors.New("DATABASE_URL is not set (make run starts a private PostgreSQL and sets it for you)")
	}
	if c.AppDatabaseURL = os.Getenv("CRM_APP_DATABASE_URL"); c.AppDatabaseURL == "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || u.Scheme == "" {
			return c, errors.New("DATABASE_URL is not a URL like postgres://user:password@host:5432/crm (set CRM_APP_DATABASE_URL too when it is another form)")
		}
		u.User = url.UserPassword("crm_app", c.AppPassword)
		if c.AppPassword == "" {
			u.User = url.User("crm_app")
		}
		c.AppDatabaseURL = u.String()
	}
	var err error
	if c.Limits.MaxConns, err = strconv.Atoi(env("CRM_DB_MAX_CONNS", "16")); err != nil || c.Limits.MaxConns < 1 {
		return c, fmt.Errorf("CRM_DB_MAX_CONNS: %q is not a positive number", os.Getenv("CRM_DB_MAX_CONNS"))
	}
	if c.Web.MaxBody, err = strconv.ParseInt(env("CRM_MAX_BODY", "1048576"), 10, 64); err != nil || c.Web.MaxBody < 1024 {
		return c, fmt.Errorf("CRM_MAX_BODY: %q is not a size in bytes of at least 1024", os.Getenv("CRM_MAX_BODY"))
	}
	for _, d := range []struct {
		name, def string
		to        *time.Duration
	}{
		{"CRM_SESSION_IDLE", "12h", &c.Web.SessionIdle},
		{"CRM_SESSION_LIFETIME", "168h", &c.Web.SessionLifetime},
		{"CRM_REQUEST_TIMEOUT", "10s", &c.Web.RequestTimeout},
		{"CRM_SHUTDOWN_TIMEOUT", "20s", &c.ShutdownTimeout},
		{"CRM_DB_STATEMENT_TIMEOUT", "5s", &c.Limits.StatementTimeout},
		{"CRM_DB_LOCK_TIMEOUT", "2s", &c.Limits.LockTimeout},
		{"CRM_DB_IDLE_TX_TIMEOUT", "10s", &c.Limits.IdleInTxTimeout},
		{"CRM_JOB_TIMEOUT", "1m", &c.JobTimeout},
	} {
		if *d.to, err = time.ParseDuration(env(d.name, d.def)); err != nil || *d.to <= 0 {
			return c, fmt.Errorf("%s: %q is not a duration such as 5s", d.name, os.Getenv(d.name))
		}
	}
	if p := os.Getenv("CRM_TRUSTED_PROXIES"); p != "" {
		c.Web.TrustedProxies = strings.Split(p, ",")
	}
	return c, nil
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}
