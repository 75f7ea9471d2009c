// Package automation runs the rules admins write at /admin/automations: a trigger (a record
// created, a field changed, a task overdue, a close date passed, a schedule), conditions on the
// record's fields, and ordered actions (create a task, notify, set a field, assign round-robin,
// call a webhook). A change that triggers a rule enqueues its job in the change's transaction
// (the database trigger automation_enqueue); River runs the jobs, and each job's actions and its
// completion commit together, so a crash neither loses nor repeats them.
package automation

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/crm-team/crm/db/store"
)

// MaxDepth is how many rules deep one change may set off others; a job deeper is skipped, so
// rules that trigger each other stop.
const MaxDepth = 3

// Rule is an automation as the worker and the admin form use it.
type Rule struct {
	store.Automation
	Conds []Condition
	Acts  []Action
	When  Schedule
}

// Condition tests one field of the record: eq, in (comma-separated), gt, lt, empty, not_empty.
type Condition struct {
	Field string `json:"field"`
	Op    string `json:"op"`
	Value string `json:"value,omitempty"`
}

// Action is one step of a rule. Which fields count depends on Type:
//
//	task:    Subject (placeholders), Days until due, To ("owner" or "user:<id>")
//	notify:  Message (placeholders), To ("owner", "manager", "role:<id>", "user:<id>", several comma-separated)
//	set:     Field, Value
//	assign:  Team (round robin among its active members)
//	webhook: URL, Secret (the HMAC key)
type Action struct {
	Type    string `json:"type"`
	Subject string `json:"subject,omitempty"`
	Message string `json:"message,omitempty"`
	Days    int    `json:"days,omitempty"`
	To      string `json:"to,omitempty"`
	Field   string `json:"field,omitempty"`
	Value   string `json:"value,omitempty"`
	Team    int64  `json:"team,omitempty"`
	URL     string `json:"url,omitempty"`
	Secret  string `json:"secret,omitempty"`
}

// Parse reads a stored automation.
func Parse(a store.Automation) (Rule, error) {
	r := Rule{Automation: a}
	if err := json.Unmarshal(a.Conditions, &r.Conds); err != nil {
		return r, fmt.Errorf("automation %d conditions: %w", a.ID, err)
	}
	if err := json.Unmarshal(a.Actions, &r.Acts); err != nil {
		return r, fmt.Errorf("automation %d actions: %w", a.ID, err)
	}
	if len(a.Schedule) > 0 {
		if err := json.Unmarshal(a.Schedule, &r.When); err != nil {
			return r, fmt.Errorf("automation %d schedule: %w", a.ID, err)
		}
	}
	return r, nil
}

// Field is a field rules watch, test and set.
type Field struct {
	Key, Label string
	Settable   bool
}

// fields are each record type's built-in fields rules may use; custom fields ("custom.<key>")
// come on top.
var fields = map[string][]Field{
	"leads": {{"status", "Status", true}, {"source", "Source", true}, {"owner", "Owner", true}, {"company", "Company", false},
		{"email", "Email", false}},
	"accounts": {{"owner", "Owner", true}, {"industry", "Industry", true}, {"country", "Country", false}, {"city", "City", false}},
	"contacts": {{"owner", "Owner", true}, {"title", "Title", true}, {"email", "Email", false}},
	"opportunities": {{"stage", "Stage", true}, {"stage_kind", "Stage outcome (open, won, lost)", false}, {"amount", "Amount", true}, {"close_date", "Close date", true},
		{"owner", "Owner", true}, {"currency", "Currency", false}},
	"activities": {{"owner", "Assignee", true}, {"type", "Type", false}, {"subject", "Subject", false}, {"due_at", "Due", false}},
}

// Fields are a record type's fields for rules, custom fields included.
func Fields(entity string, custom []store.CustomField) []Field {
	out := slices.Clone(fields[entity])
	for _, c := range custom {
		out = append(out, Field{Key: "custom." + c.Key, Label: c.Label, Settable: true})
	}
	return out
}

// Entities are the record types rules are for, with their labels.
var Entities = []struct{ Value, Label string }{
	{"leads", "Lead"}, {"accounts", "Account"}, {"contacts", "Contact"}, {"opportunities", "Deal"}, {"activities", "Task"},
}

// Triggers are the events rules start on, with their labels.
var Triggers = []struct{ Value, Label string }{
	{"created", "A record is created"}, {"changed", "A field changes"}, {"task_overdue", "A task becomes overdue (tasks)"},
	{"close_date_passed", "A close date passes (deals)"}, {"schedule", "On a schedule"},
}

// ActionTypes are the steps a rule can take, with their labels.
var ActionTypes = []struct{ Value, Label string }{
	{"task", "Create a task"}, {"notify", "Notify people"}, {"set", "Set a field"}, {"assign", "Assign round-robin in a team"},
	{"webhook", "Call a webhook"},
}

// Ops are the tests conditions make, with their labels.
var Ops = []struct{ Value, Label string }{
	{"eq", "is"}, {"in", "is one of"}, {"gt", "is more than"}, {"lt", "is less than"}, {"empty", "is empty"}, {"not_empty", "is not empty"},
}

func label[T ~[]struct{ Value, Label string }](list T, v string) string {
	for _, x := range list {
		if x.Value == v {
			return x.Label
		}
	}
	return v
}

// Summary says in words when a rule runs, e.g. "A deal's stage outcome changes to won, lost".
func (r Rule) Summary() string {
	noun := strings.ToLower(label(Entities, string(r.Entity)))
	switch r.Trigger {
	case store.AutomationTriggerCreated:
		return "A " + noun + " is created"
	case store.AutomationTriggerChanged:
		s := "A " + noun + "'s " + strings.ToLower(fieldLabel(string(r.Entity), r.Field)) + " changes"
		if r.FromValue != "" {
			s += " from " + r.FromValue
		}
		if r.ToValue != "" {
			s += " to " + r.ToValue
		}
		return s
	case store.AutomationTriggerTaskOverdue:
		return "A task becomes overdue"
	case store.AutomationTriggerCloseDatePassed:
		return "A deal's close date passes while it is open"
	case store.AutomationTriggerSchedule:
		return "For " + noun + "s, " + r.When.String()
	}
	return string(r.Trigger)
}

// fieldLabel is a built-in field's label, or a custom field's key.
func fieldLabel(entity, key string) string {
	for _, f := range fields[entity] {
		if f.Key == key {
			return f.Label
		}
	}
	return strings.TrimPrefix(key, "custom.")
}
