package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
)

// Record is the record a rule runs on, as the rule sees it.
type Record struct {
	Entity    string
	ID        int64
	Row       map[string]any
	Stage     string // a deal's stage name
	StageKind string // open, won or lost
	OwnerName string
	OwnerTeam *int64
}

// LoadRecord reads a record of a type by id (pgx.ErrNoRows when it is gone).
func LoadRecord(ctx context.Context, tx pgx.Tx, entity string, id int64) (Record, error) {
	row, err := db.Q.RecordForRule(ctx, tx, store.RecordForRuleParams{Entity: entity, ID: id})
	if err != nil {
		return Record{}, err
	}
	rec := Record{Entity: entity, ID: id, Stage: row.StageName, StageKind: row.StageKind, OwnerName: row.OwnerName, OwnerTeam: row.OwnerTeam}
	d := json.NewDecoder(strings.NewReader(string(row.Row)))
	d.UseNumber()
	if err := d.Decode(&rec.Row); err != nil {
		return Record{}, fmt.Errorf("record %s %d: %w", entity, id, err)
	}
	return rec, nil
}

// Value is the record's value of a field as text, "" when it has none: "stage" is the stage's
// name, "owner" the owner's id, "custom.<key>" a custom field (several choices comma-separated).
func (r Record) Value(field string) string {
	switch {
	case field == "stage":
		return r.Stage
	case field == "stage_kind":
		return r.StageKind
	case field == "owner":
		return text(r.Row["owner_id"])
	case strings.HasPrefix(field, "custom."):
		custom, _ := r.Row["custom"].(map[string]any)
		return text(custom[strings.TrimPrefix(field, "custom.")])
	}
	return text(r.Row[field])
}

func text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = text(p)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(v)
}

// OwnerID is the record's owner (a task's assignee).
func (r Record) OwnerID() int64 {
	n, _ := strconv.ParseInt(r.Value("owner"), 10, 64)
	return n
}

// Name is what the record is called: a deal's or account's name, a person's, a task's subject.
func (r Record) Name() string {
	for _, k := range []string{"name", "subject"} {
		if s := text(r.Row[k]); s != "" {
			return s
		}
	}
	return strings.TrimSpace(text(r.Row["first_name"]) + " " + text(r.Row["last_name"]))
}

// links are the record columns a task created for this record takes.
func (r Record) links() (lead, account, contact, deal *int64) {
	id := func(col string) *int64 {
		if n, err := strconv.ParseInt(text(r.Row[col]), 10, 64); err == nil {
			return &n
		}
		return nil
	}
	switch r.Entity {
	case "leads":
		return &r.ID, nil, nil, nil
	case "accounts":
		return nil, &r.ID, nil, nil
	case "contacts":
		return nil, nil, &r.ID, nil
	case "opportunities":
		return nil, nil, nil, &r.ID
	}
	return id("lead_id"), id("account_id"), id("contact_id"), id("opportunity_id")
}

// fill puts the record's values into a text's placeholders: {name}, {owner}, {stage},
// {status}, {amount}, {close_date}, {custom.<key>}.
func (r Record) fill(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		key := m[1 : len(m)-1]
		switch key {
		case "name":
			return r.Name()
		case "owner":
			return r.OwnerName
		}
		return r.Value(key)
	})
}
