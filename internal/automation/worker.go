package automation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
)

// MaxWorkers is how many jobs one process runs at once; its pool needs as many connections and
// a few for River itself.
const MaxWorkers = 4

// Options tune the worker; the zero value is production's.
type Options struct {
	Poll        time.Duration // how often idle workers look for jobs (default 1 s; new jobs also wake them)
	Sweep       time.Duration // how often time triggers and schedules are checked (default 1 min)
	RetryBase   time.Duration // the first retry's wait, doubling after (default 30 s)
	RescueAfter time.Duration // a job running this long is taken to be from a dead worker (default 1 h)
	JobTimeout  time.Duration // the most one job may run (default 1 min)
	// AllowPrivateWebhooks lets webhooks call loopback and private addresses (an intranet
	// receiver; tests).
	AllowPrivateWebhooks bool
	Logger               *slog.Logger
}

// NewClient is the River client for the app's pool. With work it runs jobs (the worker);
// without, it only inserts them (the web).
func NewClient(pool *pgxpool.Pool, work bool, o Options) (*river.Client[pgx.Tx], error) {
	cfg := &river.Config{Logger: o.Logger, ReindexerSchedule: river.NeverSchedule()} // crm_app does not own River's indexes
	if !work {
		return river.NewClient(riverpgxv5.New(pool), cfg)
	}
	o = o.withDefaults()
	workers := river.NewWorkers()
	river.AddWorker(workers, &ruleWorker{pool: pool})
	river.AddWorker(workers, &webhookWorker{pool: pool, client: webhookClient(o.AllowPrivateWebhooks)})
	river.AddWorker(workers, &sweepWorker{pool: pool})
	cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: MaxWorkers}}
	cfg.Workers = workers
	cfg.FetchPollInterval, cfg.FetchCooldown = o.Poll, min(o.Poll, 100*time.Millisecond)
	cfg.JobTimeout, cfg.RescueStuckJobsAfter = o.JobTimeout, o.RescueAfter
	cfg.RetryPolicy = backoff{o.RetryBase}
	cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(o.Sweep),
		func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
	return river.NewClient(riverpgxv5.New(pool), cfg)
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.Poll, time.Second)
	def(&o.Sweep, time.Minute)
	def(&o.RetryBase, 30*time.Second)
	def(&o.JobTimeout, time.Minute)
	def(&o.RescueAfter, time.Hour)
	return o
}

// backoff waits base, 2×base, 4×base… between attempts.
type backoff struct{ base time.Duration }

func (b backoff) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(b.base << min(len(job.Errors), 16))
}

// system is the access the worker acts with: every scope (Run then names the rule's author as
// the one acting).
func system() db.Access {
	scopes := map[string]string{}
	for _, e := range store.AllPermEntityValues() {
		for _, a := range store.AllPermActionValues() {
			scopes[string(e)+"."+string(a)] = "all"
		}
	}
	return db.Access{Scopes: scopes}
}

// RuleArgs is one run of a rule: on a record (none for a schedule), this many rules deep.
type RuleArgs struct {
	AutomationID int64 `json:"automation_id"`
	RecordID     int64 `json:"record_id"`
	Depth        int   `json:"depth"`
}

// Kind is the job kind the database trigger enqueues.
func (RuleArgs) Kind() string { return "automation" }

// InsertOpts gives a rule's job five attempts.
func (RuleArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 5} }

type ruleWorker struct {
	river.WorkerDefaults[RuleArgs]
	pool *pgxpool.Pool
}

// Work runs a rule: its actions, its run's log line and the job's completion commit together.
// A failure is logged in a transaction of its own and the job retried.
func (w *ruleWorker) Work(ctx context.Context, job *river.Job[RuleArgs]) error {
	a := job.Args
	var rule store.Automation
	err := db.InTx(ctx, w.pool, system(), func(tx pgx.Tx) (err error) {
		if rule, err = db.Q.GetAutomation(ctx, tx, a.AutomationID); db.IsNoRows(err) {
			return complete(ctx, tx, job) // the rule was deleted
		} else if err != nil {
			return err
		}
		return Run(ctx, tx, rule, a.RecordID, a.Depth, job.ID, job.Attempt, river.ClientFromContext[pgx.Tx](ctx), func() error {
			return complete(ctx, tx, job)
		})
	})
	if err != nil && rule.ID != 0 && !errors.Is(err, context.Canceled) {
		// The run failed (or ran out of time): say why where admins look, and let River try again.
		ctx := context.WithoutCancel(ctx)
		_ = db.InTx(ctx, w.pool, system(), func(tx pgx.Tx) error {
			_, e := db.Q.SaveRun(ctx, tx, store.SaveRunParams{AutomationID: rule.ID, JobID: job.ID, RecordID: optionalID(a.RecordID),
				Status: store.AutomationRunStatusFailed, Depth: int32(a.Depth), Attempt: int32(job.Attempt), Outcome: []string{},
				Error: fmt.Sprintf("%v (attempt %d of %d)", err, job.Attempt, job.MaxAttempts)})
			return e
		})
	}
	return err
}

// complete completes a job in tx, with the work it did. A job no longer running (taken over by
// another worker after this one was thought dead) is not completed: the transaction must roll
// back, or its work would be done twice.
func complete[T river.JobArgs](ctx context.Context, tx pgx.Tx, job *river.Job[T]) error {
	done, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
	if err == nil && done.State != rivertype.JobStateCompleted {
		err = fmt.Errorf("job %d is %s, no longer this worker's", job.ID, done.State)
	}
	return err
}

func optionalID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
