package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/automation"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
)

// A rule's form has fixed rows: up to maxConds conditions (c1_field, c1_op, c1_value…) and
// maxActs actions (a1_type, a1_subject…); an empty row is no condition or action.
const maxConds, maxActs = 3, 3

var actionInputs = []string{"type", "subject", "message", "days", "to", "field", "value", "team", "url", "secret"}

func ruleFieldNames() []string {
	names := []string{"name", "entity", "trigger", "field", "from_value", "to_value", "at", "tz", "enabled"}
	for i := 1; i <= maxConds; i++ {
		names = append(names, fmt.Sprintf("c%d_field", i), fmt.Sprintf("c%d_op", i), fmt.Sprintf("c%d_value", i))
	}
	for i := 1; i <= maxActs; i++ {
		for _, in := range actionInputs {
			names = append(names, fmt.Sprintf("a%d_%s", i, in))
		}
	}
	return names
}

// parseRule reads a posted rule form; the schedule's days are a list.
func parseRule(c *gin.Context) *form.Form {
	f := form.Parse(c, ruleFieldNames()...)
	f.Values["days"] = strings.Join(c.PostFormArray("days"), ",")
	return f
}

// ruleValues is a stored rule as its form's values.
func ruleValues(r automation.Rule) *form.Form {
	v := map[string]string{"name": r.Name, "entity": string(r.Entity), "trigger": string(r.Trigger), "field": r.Field,
		"from_value": r.FromValue, "to_value": r.ToValue, "at": r.When.At, "tz": r.When.TZ, "enabled": onOff(r.Enabled)}
	var days []string
	for _, d := range r.When.Days {
		days = append(days, strconv.Itoa(d))
	}
	v["days"] = strings.Join(days, ",")
	for i, c := range r.Conds {
		p := fmt.Sprintf("c%d_", i+1)
		v[p+"field"], v[p+"op"], v[p+"value"] = c.Field, c.Op, c.Value
	}
	for i, a := range r.Acts {
		p := fmt.Sprintf("a%d_", i+1)
		v[p+"type"], v[p+"subject"], v[p+"message"], v[p+"to"], v[p+"field"], v[p+"value"], v[p+"url"], v[p+"secret"] =
			a.Type, a.Subject, a.Message, a.To, a.Field, a.Value, a.URL, a.Secret
		if a.Type == "task" {
			v[p+"days"] = strconv.Itoa(a.Days)
		}
		if a.Team != 0 {
			v[p+"team"] = form.IDString(a.Team)
		}
	}
	return form.New(v)
}

// ruleChoices are what a rule's form offers: the fields of each record type (custom ones
// included), the people and roles to notify, the teams to assign in.
type ruleChoices struct {
	Fields   map[string][]automation.Field
	Groups   []fieldGroup
	To       []form.Option // task assignees and notification recipients
	Teams    []form.Option
	users    map[int64]bool
	roles    map[int64]bool
	stages   map[string]bool              // every pipeline's stage names, lower-cased
	custom   map[string]store.CustomField // "entity/key"
	Days     []form.Option
	Entities []form.Option
	Triggers []form.Option
	Ops      []form.Option
	Actions  []form.Option
}

// fieldGroup is one record type's fields in a field select.
type fieldGroup struct {
	Entity, Label string
	Options       []form.Option
}

func loadRuleChoices(ctx context.Context, tx pgx.Tx) (ruleChoices, error) {
	ch := ruleChoices{Fields: map[string][]automation.Field{}, users: map[int64]bool{}, roles: map[int64]bool{},
		stages: map[string]bool{}, custom: map[string]store.CustomField{}}
	custom, err := db.Q.ListCustomFields(ctx, tx)
	if err != nil {
		return ch, err
	}
	for _, fd := range custom {
		ch.custom[string(fd.Entity)+"/"+fd.Key] = fd
	}
	stages, err := db.Q.ListStageChoices(ctx, tx)
	if err != nil {
		return ch, err
	}
	for _, st := range stages {
		ch.stages[strings.ToLower(st.Name)] = true
	}
	for _, e := range automation.Entities {
		var own []store.CustomField
		for _, fd := range custom {
			if string(fd.Entity) == e.Value && fd.ArchivedAt == nil {
				own = append(own, fd)
			}
		}
		ch.Fields[e.Value] = automation.Fields(e.Value, own)
		g := fieldGroup{Entity: e.Value, Label: e.Label}
		for _, fd := range ch.Fields[e.Value] {
			g.Options = append(g.Options, form.Option{Value: fd.Key, Label: fd.Label})
		}
		ch.Groups = append(ch.Groups, g)
		ch.Entities = append(ch.Entities, form.Option{Value: e.Value, Label: e.Label})
	}
	for _, t := range automation.Triggers {
		ch.Triggers = append(ch.Triggers, form.Option{Value: t.Value, Label: t.Label})
	}
	ch.Ops = []form.Option{{Value: "", Label: "—"}}
	for _, o := range automation.Ops {
		ch.Ops = append(ch.Ops, form.Option{Value: o.Value, Label: o.Label})
	}
	ch.Actions = []form.Option{{Value: "", Label: "No action"}}
	for _, a := range automation.ActionTypes {
		ch.Actions = append(ch.Actions, form.Option{Value: a.Value, Label: a.Label})
	}
	for i, d := range []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"} {
		ch.Days = append(ch.Days, form.Option{Value: strconv.Itoa(i + 1), Label: d})
	}
	ch.To = []form.Option{{Value: "owner", Label: "The record's owner"}, {Value: "manager", Label: "The owner's manager"}}
	roles, err := db.Q.ListRoles(ctx, tx)
	if err != nil {
		return ch, err
	}
	for _, r := range roles {
		ch.roles[r.ID] = true
		ch.To = append(ch.To, form.Option{Value: "role:" + form.IDString(r.ID), Label: "Everyone with the role " + format.Label(r.Name)})
	}
	users, err := db.Q.ListUsers(ctx, tx)
	if err != nil {
		return ch, err
	}
	for _, u := range users {
		if u.Active {
			ch.users[u.ID] = true
			ch.To = append(ch.To, form.Option{Value: "user:" + form.IDString(u.ID), Label: u.Name})
		}
	}
	teams, err := db.Q.ListTeams(ctx, tx)
	if err != nil {
		return ch, err
	}
	ch.Teams = []form.Option{{Value: "", Label: "Choose a team…"}}
	for _, t := range teams {
		ch.Teams = append(ch.Teams, form.Option{Value: form.IDString(t.ID), Label: t.Name})
	}
	return ch, nil
}

// checkRule checks a rule's form, failing each wrong input beside it, and returns the rule.
func checkRule(f *form.Form, ch ruleChoices) store.CreateAutomationParams {
	f.Required("name")
	f.MaxLength("name", 120)
	f.OneOf("entity", optionValues(ch.Entities)...)
	f.OneOf("trigger", optionValues(ch.Triggers)...)
	in := store.CreateAutomationParams{Name: f.Get("name"), Entity: store.PermEntity(f.Get("entity")),
		Trigger: store.AutomationTrigger(f.Get("trigger")), Enabled: f.Get("enabled") == "on", Schedule: []byte("{}")}
	entity := f.Get("entity")
	known := func(field string) bool {
		return slices.ContainsFunc(ch.Fields[entity], func(x automation.Field) bool { return x.Key == field })
	}
	switch in.Trigger {
	case store.AutomationTriggerChanged:
		if !known(f.Get("field")) {
			f.Fail("field", "Choose a field of this record type to watch.")
		}
		in.Field, in.FromValue, in.ToValue = f.Get("field"), f.Get("from_value"), f.Get("to_value")
	case store.AutomationTriggerTaskOverdue:
		if entity != "activities" {
			f.Fail("trigger", "Overdue tasks are a trigger for tasks: choose Task as the record type.")
		}
	case store.AutomationTriggerCloseDatePassed:
		if entity != "opportunities" {
			f.Fail("trigger", "Close dates are a trigger for deals: choose Deal as the record type.")
		}
	case store.AutomationTriggerSchedule:
		s := automation.Schedule{At: f.Get("at"), TZ: f.Get("tz")}
		for _, d := range strings.Split(f.Get("days"), ",") {
			if n, err := strconv.Atoi(d); err == nil && n >= 1 && n <= 7 && !slices.Contains(s.Days, n) {
				s.Days = append(s.Days, n)
			}
		}
		slices.Sort(s.Days)
		if msg := s.Check(); msg != "" {
			f.Fail("at", msg)
		}
		in.Schedule, _ = json.Marshal(s)
		next := s.Next(time.Now())
		in.NextRunAt = &next
	}
	var conds []automation.Condition
	for i := 1; i <= maxConds; i++ {
		p := fmt.Sprintf("c%d_", i)
		c := automation.Condition{Field: f.Get(p + "field"), Op: f.Get(p + "op"), Value: f.Get(p + "value")}
		switch {
		case c.Field == "" && c.Op == "" && c.Value == "":
			continue
		case !known(c.Field):
			f.Fail(p+"field", "Choose a field of this record type.")
		case c.Op == "":
			f.Fail(p+"op", "Choose a test.")
		case c.Op != "empty" && c.Op != "not_empty" && c.Value == "":
			f.Fail(p+"value", "Give the value to test against.")
		}
		conds = append(conds, c)
	}
	in.Conditions, _ = json.Marshal(orNone(conds))
	var acts []automation.Action
	for i := 1; i <= maxActs; i++ {
		p := fmt.Sprintf("a%d_", i)
		if a, ok := checkAction(f, p, entity, ch); ok {
			acts = append(acts, a)
		}
	}
	if len(acts) == 0 && f.Errors["a1_type"] == "" {
		f.Fail("a1_type", "Give the rule at least one action.")
	}
	in.Actions, _ = json.Marshal(orNone(acts))
	return in
}

// checkAction checks one action row; ok is false for an empty row.
func checkAction(f *form.Form, p, entity string, ch ruleChoices) (automation.Action, bool) {
	a := automation.Action{Type: f.Get(p + "type")}
	need := func(name, msg string) string {
		if f.Get(p+name) == "" {
			f.Fail(p+name, msg)
		}
		return f.Get(p + name)
	}
	switch a.Type {
	case "":
		return a, false
	case "task":
		a.Subject = need("subject", "Say what the task is, e.g. Call {name}.")
		if f.Get(p+"days") != "" {
			a.Days, _ = f.Int(p+"days", 0, 365)
		}
		a.To = f.Get(p + "to")
		if a.To == "" {
			a.To = "owner"
		}
		if id, isUser := strings.CutPrefix(a.To, "user:"); (!isUser && a.To != "owner") || (isUser && !ch.users[form.ParseID(id)]) {
			f.Fail(p+"to", "A task goes to the record's owner or to one person.")
		}
	case "notify":
		a.Message = need("message", "Say what to tell them, e.g. {name} moved to {stage}.")
		a.To = need("to", "Say whom to tell: owner, manager, role:ID or user:ID, comma-separated.")
		for _, part := range strings.Split(a.To, ",") {
			part = strings.TrimSpace(part)
			role, isRole := strings.CutPrefix(part, "role:")
			user, isUser := strings.CutPrefix(part, "user:")
			if part != "owner" && part != "manager" && !(isRole && ch.roles[form.ParseID(role)]) && !(isUser && ch.users[form.ParseID(user)]) && a.To != "" {
				f.Fail(p+"to", "“"+part+"” is not someone to tell: use owner, manager, role:ID or user:ID from the list.")
			}
		}
	case "set":
		a.Field, a.Value = f.Get(p+"field"), f.Get(p+"value")
		if !slices.ContainsFunc(ch.Fields[entity], func(x automation.Field) bool { return x.Key == a.Field && x.Settable }) {
			f.Fail(p+"field", "Choose a field of this record type that rules may set.")
		} else if msg := ch.checkValue(entity, a.Field, a.Value); msg != "" {
			f.Fail(p+"value", msg)
		}
	case "assign":
		a.Team = form.ParseID(f.Get(p + "team"))
		if !slices.ContainsFunc(ch.Teams, func(o form.Option) bool { return o.Value != "" && o.Value == f.Get(p+"team") }) {
			f.Fail(p+"team", "Choose the team whose members take turns.")
		}
	case "webhook":
		a.URL = need("url", "Give the address to POST to.")
		if u, err := url.Parse(a.URL); a.URL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
			f.Fail(p+"url", "Give a full http:// or https:// address.")
		}
		a.Secret = need("secret", "Give a secret the receiver checks the signature with.")
	default:
		f.Fail(p+"type", "Choose an action from the list.")
	}
	return a, true
}

// checkValue says what is wrong with a value a rule would set a field to, or "".
func (ch ruleChoices) checkValue(entity, field, v string) string {
	switch field {
	case "status":
		if !slices.Contains(store.AllLeadStatusValues(), store.LeadStatus(v)) {
			return "A lead's status is one of new, contacted, qualified, unqualified, converted."
		}
	case "stage":
		if !ch.stages[strings.ToLower(v)] {
			return "No pipeline has a stage named “" + v + "”."
		}
	case "owner":
		if !ch.users[form.ParseID(v)] {
			return "Give the number of an active user (see Admin → Users)."
		}
	case "amount":
		if n, err := strconv.ParseFloat(v, 64); err != nil || n <= 0 {
			return "An amount is a number above 0, like 2500 or 2500.50."
		}
	case "close_date":
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return "A date is written 2027-01-31."
		}
	}
	key, ok := strings.CutPrefix(field, "custom.")
	fd := ch.custom[entity+"/"+key]
	switch {
	case !ok || v == "":
		return ""
	case fd.Type == store.CustomFieldTypeNumber || fd.Type == store.CustomFieldTypeMoney:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fd.Label + " takes a number."
		}
	case fd.Type == store.CustomFieldTypeSelect && !slices.Contains(fd.Options, v):
		return fd.Label + " is one of: " + strings.Join(fd.Options, ", ") + "."
	}
	return ""
}

// orNone is a list, never null, for the JSON columns.
func orNone[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}
