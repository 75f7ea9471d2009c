package automation

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
)

// SweepArgs is the periodic check of the time triggers: tasks overdue, close dates passed and
// schedules due. Only the elected leader among the workers enqueues it.
type SweepArgs struct{}

// Kind names the sweep's jobs.
func (SweepArgs) Kind() string { return "automation_sweep" }

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	pool *pgxpool.Pool
}

// Work enqueues a rule job for each record a time trigger fires on (once per rule, record and
// day, remembered in automation_fired) and for each schedule that is due, all in one
// transaction with the sweep's completion.
func (w *sweepWorker) Work(ctx context.Context, job *river.Job[SweepArgs]) error {
	client := river.ClientFromContext[pgx.Tx](ctx)
	return db.InTx(ctx, w.pool, system(), func(tx pgx.Tx) error {
		var jobs []river.InsertManyParams
		add := func(rule, record int64) {
			jobs = append(jobs, river.InsertManyParams{Args: RuleArgs{AutomationID: rule, RecordID: record}})
		}
		for _, t := range []store.AutomationTrigger{store.AutomationTriggerTaskOverdue, store.AutomationTriggerCloseDatePassed} {
			rules, err := db.Q.RulesToRun(ctx, tx, t)
			if err != nil {
				return err
			}
			for _, r := range rules {
				fire := db.Q.FireOverdueTasks
				if t == store.AutomationTriggerCloseDatePassed {
					fire = db.Q.FirePassedCloseDates
				}
				ids, err := fire(ctx, tx, r.ID)
				if err != nil {
					return err
				}
				for _, id := range ids {
					add(r.ID, id)
				}
			}
		}
		rules, err := db.Q.DueSchedules(ctx, tx)
		if err != nil {
			return err
		}
		now := time.Now()
		for _, a := range rules {
			r, err := Parse(a)
			if err != nil {
				return err
			}
			if a.NextRunAt != nil { // due; a rule not yet timed is only timed
				add(a.ID, 0)
			}
			next := r.When.Next(now)
			if err := db.Q.ScheduleNext(ctx, tx, store.ScheduleNextParams{ID: a.ID, NextRunAt: &next}); err != nil {
				return err
			}
		}
		if err := db.Q.ForgetOldReminders(ctx, tx); err != nil {
			return err
		}
		if err := db.Q.ForgetOldRuns(ctx, tx); err != nil {
			return err
		}
		if len(jobs) > 0 {
			if _, err := client.InsertManyTx(ctx, tx, jobs); err != nil {
				return err
			}
		}
		return complete(ctx, tx, job)
	})
}
