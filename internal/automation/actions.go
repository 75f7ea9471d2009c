package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/riverqueue/river"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
)

// Env is what a run's actions need besides the record.
type Env struct {
	Queue *river.Client[pgx.Tx] // sends webhooks; nil in a dry run, which only says what it would send
	RunID int64                 // the run a webhook's delivery belongs to
	Now   time.Time
}

// Do takes the rule's actions on the record in order, in tx, and says what each did. The first
// that fails stops the rest; the caller rolls everything back.
func (r *Rule) Do(ctx context.Context, tx pgx.Tx, rec Record, env Env) ([]string, error) {
	var done []string
	for i, a := range r.Acts {
		s, err := r.do(ctx, tx, rec, a, env)
		if err != nil {
			return done, fmt.Errorf("step %d, %s: %w", i+1, strings.ToLower(label(ActionTypes, a.Type)), err)
		}
		done = append(done, s)
	}
	return done, nil
}

func (r *Rule) do(ctx context.Context, tx pgx.Tx, rec Record, a Action, env Env) (string, error) {
	switch a.Type {
	case "task":
		owner, err := person(rec, a.To)
		if err != nil {
			return "", err
		}
		lead, account, contact, deal := rec.links()
		if lead == nil && account == nil && contact == nil && deal == nil {
			return "", errors.New("a task needs a record to belong to")
		}
		subject, due := rec.fill(a.Subject), env.Now.AddDate(0, 0, a.Days)
		if _, err := db.Q.CreateRuleTask(ctx, tx, store.CreateRuleTaskParams{OwnerID: owner, Subject: subject, DueAt: &due,
			LeadID: lead, AccountID: account, ContactID: contact, OpportunityID: deal}); err != nil {
			return "", err
		}
		name, err := db.Q.UserNameOf(ctx, tx, owner)
		return fmt.Sprintf("Created the task “%s” for %s, due %s", subject, name, due.Format("Mon 2 Jan 2006")), err
	case "notify":
		users, err := recipients(ctx, tx, rec, a.To)
		if err != nil {
			return "", err
		}
		n, err := db.Q.NotifyForRule(ctx, tx, store.NotifyForRuleParams{Users: users, Entity: store.PermEntity(rec.Entity), RecordID: rec.ID,
			Title: rec.fill(a.Message)})
		return fmt.Sprintf("Notified %d of %d people (%s): “%s”", n, len(users), a.To, rec.fill(a.Message)), err
	case "set":
		if err := set(ctx, tx, rec, a.Field, a.Value); err != nil {
			return "", err
		}
		return fmt.Sprintf("Set %s to “%s”", strings.TrimPrefix(a.Field, "custom."), a.Value), nil
	case "assign":
		// The rule's row is locked only here, so jobs of rules that hand nothing out run side by side.
		last, err := db.Q.LockRoundRobin(ctx, tx, r.ID)
		if err != nil {
			return "", err
		}
		next, err := db.Q.NextInTeam(ctx, tx, store.NextInTeamParams{TeamID: &a.Team, After: last})
		if db.IsNoRows(err) {
			return "", errors.New("the team has no active members")
		} else if err != nil {
			return "", err
		}
		if err := set(ctx, tx, rec, "owner", strconv.FormatInt(next, 10)); err != nil {
			return "", err
		}
		r.RoundRobinLast = &next
		name, err := db.Q.UserNameOf(ctx, tx, next)
		return "Gave it to " + name + " (round robin)", err
	case "webhook":
		body, err := json.Marshal(map[string]any{"rule": map[string]any{"id": r.ID, "name": r.Name}, "trigger": r.Trigger,
			"entity": rec.Entity, "record": rec.Row, "run_id": env.RunID, "sent_at": env.Now.UTC()})
		if err != nil {
			return "", err
		}
		if env.Queue == nil {
			return "Would POST the record as JSON to " + a.URL + " (signed)", nil
		}
		res, err := env.Queue.InsertTx(ctx, tx, WebhookArgs{URL: a.URL, Secret: a.Secret, Body: body}, nil)
		if err != nil {
			return "", err
		}
		if err := db.Q.CreateDelivery(ctx, tx, store.CreateDeliveryParams{RunID: env.RunID, JobID: res.Job.ID, Url: a.URL}); err != nil {
			return "", err
		}
		return "Sending the record to " + a.URL, nil
	}
	return "", fmt.Errorf("unknown action %q", a.Type)
}

// person is the user a task goes to: the record's owner, or "user:<id>".
func person(rec Record, to string) (int64, error) {
	if id, ok := strings.CutPrefix(to, "user:"); ok {
		return strconv.ParseInt(id, 10, 64)
	}
	if rec.OwnerID() == 0 {
		return 0, errors.New("the record has no owner")
	}
	return rec.OwnerID(), nil
}

// recipients are the users "owner", "manager" (the owner's team's managers), "role:<id>" and
// "user:<id>" name, comma-separated.
func recipients(ctx context.Context, tx pgx.Tx, rec Record, to string) ([]int64, error) {
	var out []int64
	for _, part := range strings.Split(to, ",") {
		part = strings.TrimSpace(part)
		var ids []int64
		var err error
		switch {
		case part == "owner":
			ids = []int64{rec.OwnerID()}
		case part == "manager":
			ids, err = db.Q.ManagersOf(ctx, tx, rec.OwnerID())
		case strings.HasPrefix(part, "role:"):
			var role int64
			if role, err = strconv.ParseInt(part[5:], 10, 64); err == nil {
				ids, err = db.Q.UsersWithRole(ctx, tx, role)
			}
		case strings.HasPrefix(part, "user:"):
			var id int64
			id, err = strconv.ParseInt(part[5:], 10, 64)
			ids = []int64{id}
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	return out, nil
}

// set changes one field of the record (queries/automations.sql, RuleSet*); the record's
// triggers write its history and enqueue the rules the change sets off.
func set(ctx context.Context, tx pgx.Tx, rec Record, field, value string) error {
	if !settable(rec.Entity, field) {
		return fmt.Errorf("%s cannot be set on this record type", field)
	}
	var n int64
	var err error
	switch field {
	case "stage":
		n, err = db.Q.RuleSetStage(ctx, tx, store.RuleSetStageParams{ID: rec.ID, Value: value})
	case "status":
		n, err = db.Q.RuleSetStatus(ctx, tx, store.RuleSetStatusParams{ID: rec.ID, Value: store.LeadStatus(value)})
	case "owner":
		var owner int64
		if owner, err = strconv.ParseInt(value, 10, 64); err != nil {
			return fmt.Errorf("an owner is a user's number, not %q", value)
		}
		var k int32
		k, err = db.Q.RuleSetOwner(ctx, tx, store.RuleSetOwnerParams{Owner: owner, Entity: rec.Entity, ID: rec.ID})
		n = int64(k)
	case "amount":
		var amount pgtype.Numeric
		if err = amount.Scan(value); err != nil {
			return fmt.Errorf("an amount is a number, not %q", value)
		}
		n, err = db.Q.RuleSetAmount(ctx, tx, store.RuleSetAmountParams{ID: rec.ID, Value: amount})
	case "close_date":
		d, perr := time.Parse(time.DateOnly, value)
		if perr != nil {
			return fmt.Errorf("a close date is written 2027-01-31, not %q", value)
		}
		n, err = db.Q.RuleSetCloseDate(ctx, tx, store.RuleSetCloseDateParams{ID: rec.ID, Value: pgtype.Date{Time: d, Valid: true}})
	default:
		var k int32
		if key, ok := strings.CutPrefix(field, "custom."); ok {
			v, cerr := customValue(ctx, tx, rec.Entity, key, value)
			if cerr != nil {
				return cerr
			}
			k, err = db.Q.RuleSetCustom(ctx, tx, store.RuleSetCustomParams{Value: v, Key: key, Entity: rec.Entity, ID: rec.ID})
		} else {
			k, err = db.Q.RuleSetText(ctx, tx, store.RuleSetTextParams{Value: value, Field: field, ID: rec.ID})
		}
		n = int64(k)
	}
	if err == nil && n == 0 {
		return fmt.Errorf("no %s “%s” to set", field, value)
	}
	return err
}

func settable(entity, field string) bool {
	if strings.HasPrefix(field, "custom.") {
		return true
	}
	for _, f := range fields[entity] {
		if f.Key == field {
			return f.Settable
		}
	}
	return false
}

// customValue is a custom field's value as its JSON type (nil for empty, to remove it).
func customValue(ctx context.Context, tx pgx.Tx, entity, key, value string) ([]byte, error) {
	t, err := db.Q.CustomFieldType(ctx, tx, store.CustomFieldTypeParams{Entity: store.PermEntity(entity), Key: key})
	if db.IsNoRows(err) {
		return nil, fmt.Errorf("there is no custom field %q", key)
	} else if err != nil {
		return nil, err
	}
	if value == "" {
		return nil, nil
	}
	var v any = value
	switch t {
	case store.CustomFieldTypeNumber, store.CustomFieldTypeMoney:
		n, err := strconv.ParseFloat(value, 64)
		if err != nil {
			return nil, fmt.Errorf("%s takes a number", key)
		}
		v = n
	case store.CustomFieldTypeBoolean:
		v = value == "yes" || value == "true"
	case store.CustomFieldTypeMultiSelect:
		var list []string
		for _, x := range strings.Split(value, ",") {
			list = append(list, strings.TrimSpace(x))
		}
		v = list
	case store.CustomFieldTypeUser:
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s takes a user id", key)
		}
		v = n
	}
	return json.Marshal(v)
}
