package admin

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/automation"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// AutomationsPage lists the rules.
type AutomationsPage struct {
	render.Page
	Rules []AutomationRow
}

// AutomationRow is a rule in the list, with how many of its runs failed.
type AutomationRow struct {
	automation.Rule
	Failed int64
}

// AutomationPage is a rule's form, with its dry run when one was asked for.
type AutomationPage struct {
	render.Page
	ID      int64 // 0 for a new rule
	Rule    automation.Rule
	Form    *form.Form
	Choices ruleChoices
	Days    form.Field // a schedule's weekdays
	Watch   GroupField // the field a change trigger watches
	Conds   []CondRow
	Acts    []ActRow
	DryRun  *DryRun
}

// GroupField is a select of fields grouped by record type; the page shows the rule's type's.
type GroupField struct {
	form.Field
	Entity string // the rule's record type, whose group holds the chosen field
	Groups []fieldGroup
}

// CondRow is one condition's inputs.
type CondRow struct {
	N         int
	Field     GroupField
	Op, Value form.Field
}

// ActRow is one action's inputs; the page shows those its type uses.
type ActRow struct {
	N                                int
	Type, Subject, Message, Days, To form.Field
	Field                            GroupField
	Value, Team, URL, Secret         form.Field
}

// DryRun is what a rule would do to a record: each action's outcome, or why it would skip it.
type DryRun struct {
	Record  string
	Done    []string
	Skipped string
	Error   string
}

// Automations lists the rules with what sets each off and when each last ran.
func (h *Handler) Automations(c *gin.Context) error {
	page := AutomationsPage{Page: h.R.Page(c, "Automations", "admin")}
	var rows []store.ListAutomationsRow
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		rows, err = db.Q.ListAutomations(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	for _, r := range rows {
		rule, err := automation.Parse(r.Automation)
		if err != nil {
			return err
		}
		page.Rules = append(page.Rules, AutomationRow{Rule: rule, Failed: r.Failed})
	}
	h.R.HTML(c, http.StatusOK, "admin/automations", page)
	return nil
}

// rule reads and parses one rule.
func (h *Handler) rule(c *gin.Context, id int64) (automation.Rule, error) {
	var a store.Automation
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		a, err = db.Q.GetAutomation(ctx, tx, id)
		return err
	}); err != nil {
		return automation.Rule{}, err
	}
	return automation.Parse(a)
}

// NewAutomation shows an empty rule's form.
func (h *Handler) NewAutomation(c *gin.Context) error {
	f := form.New(map[string]string{"entity": "opportunities", "trigger": "changed", "field": "stage", "enabled": "on",
		"at": "09:00", "tz": viewer.From(c).Location().String(), "days": "1,2,3,4,5", "a1_type": "task", "a1_days": "1"})
	return h.automationPage(c, http.StatusOK, AutomationPage{Form: f})
}

// Automation shows a rule's form; ?record= dry-runs it against that record.
func (h *Handler) Automation(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	rule, err := h.rule(c, id)
	if err != nil {
		return err
	}
	page := AutomationPage{ID: id, Rule: rule, Form: ruleValues(rule)}
	if rec := c.Query("record"); rec != "" {
		page.DryRun = h.dryRun(c, rule, rec)
	}
	return h.automationPage(c, http.StatusOK, page)
}

// errDryRun rolls back a dry run's transaction.
var errDryRun = errors.New("dry run")

// dryRun takes the rule's actions on a record in a transaction it rolls back.
func (h *Handler) dryRun(c *gin.Context, rule automation.Rule, record string) *DryRun {
	d := &DryRun{Record: record}
	id, err := strconv.ParseInt(record, 10, 64)
	if err != nil || id <= 0 {
		d.Error = "Give the number of a record (it is in the record's address, e.g. /leads/42)."
		return d
	}
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if d.Done, d.Skipped, err = automation.DryRun(ctx, tx, rule.Automation, id); err != nil {
			return err
		}
		return errDryRun
	})
	if err != nil && !errors.Is(err, errDryRun) {
		d.Error = "The rule would fail here: " + err.Error()
	}
	return d
}

func (h *Handler) automationPage(c *gin.Context, status int, page AutomationPage) error {
	title := "New automation"
	if page.ID != 0 {
		title = page.Rule.Name
	}
	page.Page = h.R.Page(c, title, "admin")
	f := page.Form.Need("name", "entity", "trigger")
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		page.Choices, err = loadRuleChoices(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	ch := page.Choices
	page.Days = form.FieldOf(f, "days", "On", "checkboxes", ch.Days)
	page.Days.Chosen = map[string]bool{}
	for _, d := range strings.Split(f.Get("days"), ",") {
		page.Days.Chosen[d] = true
	}
	grouped := func(name, label string) GroupField {
		return GroupField{Field: form.FieldOf(f, name, label, "select"), Entity: f.Get("entity"), Groups: ch.Groups}
	}
	page.Watch = grouped("field", "Field that changes")
	for i := 1; i <= maxConds; i++ {
		p := "c" + strconv.Itoa(i) + "_"
		page.Conds = append(page.Conds, CondRow{N: i, Field: grouped(p+"field", "Field"),
			Op: form.FieldOf(f, p+"op", "Test", "select", ch.Ops), Value: form.FieldOf(f, p+"value", "Value", "text")})
	}
	for i := 1; i <= maxActs; i++ {
		p := "a" + strconv.Itoa(i) + "_"
		to := form.FieldOf(f, p+"to", "For", "text")
		to.List = "to-choices"
		page.Acts = append(page.Acts, ActRow{N: i, Type: form.FieldOf(f, p+"type", "Step "+strconv.Itoa(i), "select", ch.Actions),
			Subject: form.FieldOf(f, p+"subject", "Task", "text"), Message: form.FieldOf(f, p+"message", "Message", "text"),
			Days: form.FieldOf(f, p+"days", "Due in days", "number"), To: to,
			Field: grouped(p+"field", "Field to set"), Value: form.FieldOf(f, p+"value", "New value", "text"),
			Team: form.FieldOf(f, p+"team", "Team", "select", ch.Teams), URL: form.FieldOf(f, p+"url", "Address (URL)", "url"),
			Secret: form.FieldOf(f, p+"secret", "Signing secret", "text")})
	}
	h.R.HTML(c, status, "admin/automation", page)
	return nil
}

// CreateAutomation adds a rule.
func (h *Handler) CreateAutomation(c *gin.Context) error { return h.saveAutomation(c, 0) }

// UpdateAutomation saves a rule.
func (h *Handler) UpdateAutomation(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	return h.saveAutomation(c, id)
}

// saveAutomation checks a rule's form and saves it as a new rule (id 0) or over one.
func (h *Handler) saveAutomation(c *gin.Context, id int64) error {
	f := parseRule(c)
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		ch, err := loadRuleChoices(ctx, tx)
		if err != nil {
			return err
		}
		in := checkRule(f, ch)
		if !f.Valid() {
			return errInvalid
		}
		if id == 0 {
			me := viewer.From(c).ID
			in.CreatedBy = &me
			id, err = db.Q.CreateAutomation(ctx, tx, in)
			return err
		}
		n, err := db.Q.UpdateAutomation(ctx, tx, store.UpdateAutomationParams{ID: id, Name: in.Name, Entity: in.Entity, Trigger: in.Trigger,
			Field: in.Field, FromValue: in.FromValue, ToValue: in.ToValue, Schedule: in.Schedule, Conditions: in.Conditions,
			Actions: in.Actions, Enabled: in.Enabled, NextRunAt: in.NextRunAt})
		if err == nil && n == 0 {
			return pgx.ErrNoRows
		}
		return err
	})
	if err == errInvalid {
		page := AutomationPage{ID: id, Form: f}
		if id != 0 {
			if page.Rule, err = h.rule(c, id); err != nil {
				return err
			}
		}
		return h.automationPage(c, http.StatusUnprocessableEntity, page)
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Automation “"+f.Get("name")+"” saved. A dry run on a record shows what it does.")
	render.Redirect(c, "/admin/automations/"+strconv.FormatInt(id, 10))
	return nil
}

// ToggleAutomation switches a rule on or off.
func (h *Handler) ToggleAutomation(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	on := c.PostForm("enabled") == "on"
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		n, err := db.Q.SetAutomationEnabled(ctx, tx, store.SetAutomationEnabledParams{ID: id, Enabled: on})
		if err == nil && n == 0 {
			return pgx.ErrNoRows
		}
		return err
	}); err != nil {
		return err
	}
	h.R.Flash(c, map[bool]string{true: "Switched on: it runs from now on.", false: "Switched off: nothing sets it off until you switch it on."}[on])
	render.Redirect(c, "/admin/automations")
	return nil
}

// DeleteAutomation removes a rule with its run log.
func (h *Handler) DeleteAutomation(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		n, err := db.Q.DeleteAutomation(ctx, tx, id)
		if err == nil && n == 0 {
			return pgx.ErrNoRows
		}
		return err
	}); err != nil {
		return err
	}
	h.R.Flash(c, "Automation deleted.")
	render.Redirect(c, "/admin/automations")
	return nil
}
