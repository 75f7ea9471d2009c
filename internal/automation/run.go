package automation

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
)

// ScheduledRecords is how many of the newest records a scheduled rule looks at in one run.
const ScheduledRecords = 500

// Run runs a rule once in tx, on a record (0 for a schedule: each of the newest records its
// conditions let through) from a job this many rules deep, and writes the run's line. complete
// (when not nil) completes the job in the same transaction.
func Run(ctx context.Context, tx pgx.Tx, a store.Automation, recordID int64, depth int, jobID int64, attempt int,
	queue *river.Client[pgx.Tx], complete func() error) error {
	r, err := Parse(a)
	if err != nil {
		return err
	}
	if err := acting(ctx, tx, a, depth); err != nil {
		return err
	}
	run := store.SaveRunParams{AutomationID: a.ID, JobID: jobID, RecordID: optionalID(recordID), Status: store.AutomationRunStatusDone,
		Depth: int32(depth), Attempt: int32(attempt), Outcome: []string{}}
	runID, err := db.Q.SaveRun(ctx, tx, run) // first, so webhooks' deliveries can name it
	if err != nil {
		return err
	}
	env := Env{Queue: queue, RunID: runID, Now: time.Now()}
	switch {
	case depth >= MaxDepth:
		run.Status, run.Outcome = store.AutomationRunStatusSkipped,
			[]string{fmt.Sprintf("Stopped: this change came %d rules deep, the most allowed (rules that set each other off)", depth)}
	case !a.Enabled:
		run.Status, run.Outcome = store.AutomationRunStatusSkipped, []string{"Skipped: the rule is switched off"}
	case recordID != 0:
		var skipped string
		run.Outcome, skipped, err = r.on(ctx, tx, recordID, env)
		if skipped != "" {
			run.Status, run.Outcome = store.AutomationRunStatusSkipped, []string{skipped}
		}
	default:
		run.Outcome, err = r.onRecent(ctx, tx, env)
	}
	if err != nil {
		return err
	}
	if _, err := db.Q.SaveRun(ctx, tx, run); err != nil {
		return err
	}
	if err := db.Q.AutomationRan(ctx, tx, store.AutomationRanParams{ID: a.ID, RoundRobinLast: r.RoundRobinLast}); err != nil {
		return err
	}
	if complete != nil {
		return complete()
	}
	return nil
}

// DryRun takes the rule's actions on a record in tx, which the caller rolls back, and says
// what they did, or why the rule would skip the record. Webhooks are described, not sent.
func DryRun(ctx context.Context, tx pgx.Tx, a store.Automation, recordID int64) (done []string, skipped string, err error) {
	r, err := Parse(a)
	if err != nil {
		return nil, "", err
	}
	if err := acting(ctx, tx, a, 0); err != nil {
		return nil, "", err
	}
	return r.on(ctx, tx, recordID, Env{Now: time.Now()})
}

// acting tells the database triggers which rule is at work, how deep the next change is, and
// that its changes are made by the rule's author (history says who set the rule going).
func acting(ctx context.Context, tx pgx.Tx, a store.Automation, depth int) error {
	author := ""
	if a.CreatedBy != nil {
		author = strconv.FormatInt(*a.CreatedBy, 10)
	}
	return db.Q.ActAsRule(ctx, tx, store.ActAsRuleParams{AutomationID: strconv.FormatInt(a.ID, 10), Depth: strconv.Itoa(depth + 1), Author: author})
}

// on runs the rule on one record: what it did, or why it skipped it.
func (r *Rule) on(ctx context.Context, tx pgx.Tx, id int64, env Env) ([]string, string, error) {
	rec, err := LoadRecord(ctx, tx, string(r.Entity), id)
	if db.IsNoRows(err) {
		return nil, "Skipped: the record no longer exists", nil
	} else if err != nil {
		return nil, "", err
	}
	if r.Trigger == store.AutomationTriggerTaskOverdue && rec.Value("done_at") != "" {
		return nil, "Skipped: the task was done meanwhile", nil
	}
	if ok, why := r.Matches(rec); !ok {
		return nil, "Skipped: " + why, nil
	}
	done, err := r.Do(ctx, tx, rec, env)
	return done, "", err
}

// onRecent runs a scheduled rule on each of the newest records its conditions let through.
func (r *Rule) onRecent(ctx context.Context, tx pgx.Tx, env Env) ([]string, error) {
	ids, err := db.Q.RecentRecordIDs(ctx, tx, store.RecentRecordIDsParams{Entity: string(r.Entity), Lim: ScheduledRecords})
	if err != nil {
		return nil, err
	}
	var done []string
	matched := 0
	for _, id := range ids {
		lines, skipped, err := r.on(ctx, tx, id, env)
		if err != nil {
			return nil, fmt.Errorf("record %d: %w", id, err)
		}
		if skipped == "" {
			matched++
			if len(done) < 20 {
				done = append(done, lines...)
			}
		}
	}
	return append([]string{fmt.Sprintf("%d of the newest %d records matched", matched, len(ids))}, done...), nil
}
