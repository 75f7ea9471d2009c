package list

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
	"github.com/crm-team/crm/web/people"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// MaxBulk is the most records one bulk action changes: a view matching more is refused, with
// a request to narrow it.
const MaxBulk = 10000

// BulkSet is a change of a record type's own to offer in bulk: a lead's status, a deal's stage.
type BulkSet struct {
	Action, Label string
	Options       func(ctx context.Context, tx pgx.Tx) ([]form.Option, error)
}

// BulkBar is what the bulk action bar offers for a list.
type BulkBar struct {
	Path      string // where the form posts
	Owners    []form.Option
	Sets      []BulkChoice
	Tags      []form.Option // "key=choice" of the several-choices custom fields
	CanDelete bool
	Noun      string // "leads"
	Retry     BulkRetry
}

// BulkRetry is a refused bulk action's input, carried back to the list in its address.
type BulkRetry struct {
	IDs                   []int64
	Action, Value, Reason string
	All                   bool
}

// bulkRetryURL is the list's address with a refused bulk action's input (the ticks of at most
// a page of rows).
func (p Params) bulkRetryURL(in BulkRetry) string {
	v := p.Values()
	var ids []string
	for _, id := range in.IDs[:min(len(in.IDs), PerPageChoices[len(PerPageChoices)-1])] {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	for k, x := range map[string]string{"ticked": strings.Join(ids, ","), "bulk_action": in.Action, "bulk_value": in.Value, "bulk_reason": in.Reason} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if in.All {
		v.Set("bulk_all", "1")
	}
	return p.url(v)
}

// parseBulkRetry reads a refused bulk action's input back from the list's address.
func parseBulkRetry(q url.Values) BulkRetry {
	in := BulkRetry{Action: q.Get("bulk_action"), Value: firstRunes(q.Get("bulk_value"), 200), Reason: firstRunes(q.Get("bulk_reason"), 300),
		All: q.Get("bulk_all") == "1"}
	for _, s := range strings.Split(q.Get("ticked"), ",") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 && len(in.IDs) < 100 {
			in.IDs = append(in.IDs, id)
		}
	}
	return in
}

// BulkChoice is a BulkSet with its options loaded.
type BulkChoice struct {
	Action, Label string
	Options       []form.Option
}

// bulkBar loads the bar's choices, for a full list page of a user who may change the records.
func (f Frame[R]) bulkBar(ctx context.Context, tx pgx.Tx, u *viewer.User, fields custom.Set) (*BulkBar, error) {
	bar := &BulkBar{Path: f.Spec.Path + "/bulk", CanDelete: u.Can(f.Entity, "delete"), Noun: f.Entity}
	var err error
	if bar.Owners, err = people.Owners(ctx, tx, u, f.Entity, "edit"); err != nil {
		return nil, err
	}
	for _, s := range f.Sets {
		opts, err := s.Options(ctx, tx)
		if err != nil {
			return nil, err
		}
		bar.Sets = append(bar.Sets, BulkChoice{Action: s.Action, Label: s.Label, Options: opts})
	}
	for _, fd := range fields.Fields {
		if fd.Type == store.CustomFieldTypeMultiSelect {
			for _, o := range fd.Options {
				bar.Tags = append(bar.Tags, form.Option{Value: fd.Key + "=" + o, Label: fd.Label + ": " + o})
			}
		}
	}
	return bar, nil
}

// Bulk applies one change (a new owner, a BulkSet, a custom choice added, or deletion) to the
// rows the user ticked, or to every row the list's view matches, in one transaction under the
// user's row access, and says how many changed and why any were skipped. It answers with the
// list as it was, and the outcome as a flash message.
func (f Frame[R]) Bulk(c *gin.Context, pool *pgxpool.Pool, r *render.Renderer) error {
	u := viewer.From(c)
	query, _ := url.ParseQuery(c.PostForm("view"))
	p := ParseValues(query, f.Spec)
	back := p.URL()
	action, value, reason := c.PostForm("action"), strings.TrimSpace(c.PostForm("value_"+c.PostForm("action"))), strings.TrimSpace(c.PostForm("reason"))
	all := c.PostForm("all") == "1"
	var ids []int64
	for _, s := range c.PostFormArray("ids") {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 && len(ids) < MaxBulk {
			ids = append(ids, id)
		}
	}
	tell := func(msg string) error {
		r.Flash(c, msg)
		render.Redirect(c, back)
		return nil
	}
	// A refused action changed nothing: the list comes back with the rows still ticked and the
	// action as chosen, to fix and apply again.
	refuse := func(msg string) error {
		r.Flash(c, msg)
		render.Redirect(c, p.bulkRetryURL(BulkRetry{IDs: ids, Action: action, Value: value, Reason: reason, All: all}))
		return nil
	}
	if !all && len(ids) == 0 {
		return refuse("Tick the rows to change first, or choose every row that matches.")
	}
	if action == "delete" && !u.Can(f.Entity, "delete") || action != "delete" && !u.Can(f.Entity, "edit") {
		return render.Forbidden("Your role does not allow this change.")
	}
	var changed int64
	var done string
	err := viewer.InTxCustomPlans(c, pool, func(ctx context.Context, tx pgx.Tx) error {
		fields, err := custom.Load(ctx, tx, f.Entity)
		if err != nil {
			return err
		}
		if done, err = f.checkBulk(ctx, tx, u, fields, action, value); err != nil {
			return err
		}
		if all {
			q, _ := p.withFields(p.query(u, f.Entity), fields)
			q.Limit, q.SearchLimit = MaxBulk+1, nil
			rows, err := f.Rows(ctx, tx, q)
			if err != nil {
				return err
			}
			if len(rows) > MaxBulk {
				return errTooMany
			}
			ids = ids[:0]
			for _, row := range rows {
				id, _ := f.Cursor(row, p.SortKey())
				ids = append(ids, id)
			}
		}
		changed, err = db.Q.Bulk(ctx, tx, store.BulkParams{Entity: store.PermEntity(f.Entity), Action: action, Ids: ids, Val: value, Reason: reason})
		return err
	})
	var pe *pgconn.PgError
	var he *render.HTTPError
	switch {
	case errors.Is(err, errTooMany):
		return refuse(fmt.Sprintf("More than %s %s match: narrow the filters and try again.", format.Num(MaxBulk), f.Entity))
	case errors.As(err, &pe) && pe.ConstraintName == "opportunities_lost_reason_required":
		return refuse("A lost stage needs a reason: give one and try again. Nothing was changed.")
	case errors.As(err, &he):
		return refuse(he.Message)
	case err != nil:
		return err
	}
	msg := fmt.Sprintf(done, format.Num(changed), noun(f.Entity, changed))
	if skipped := int64(len(ids)) - changed; skipped > 0 {
		why := "you may not change them, or they already were so"
		if action == "delete" {
			why = "you may not delete them"
			if f.Entity == "accounts" {
				why = "they still have contacts or deals, or you may not delete them"
			}
		}
		msg += fmt.Sprintf(" %s skipped: %s.", format.Num(skipped), why)
	}
	return tell(msg)
}

var errTooMany = errors.New("too many rows for one bulk action")

// checkBulk checks the action and its value, and returns the message that reports it done
// (with the count and noun still to fill in).
func (f Frame[R]) checkBulk(ctx context.Context, tx pgx.Tx, u *viewer.User, fields custom.Set, action, value string) (string, error) {
	bad := func(msg string) (string, error) { return "", &render.HTTPError{Status: 422, Message: msg} }
	switch action {
	case "owner":
		owners, err := people.Owners(ctx, tx, u, f.Entity, "edit")
		if err != nil {
			return "", err
		}
		i := slices.IndexFunc(owners, func(o form.Option) bool { return o.Value == value })
		if i < 0 {
			return bad("Choose someone to give them to; only people in your scope can be chosen.")
		}
		return "Gave %s %s to " + strings.ReplaceAll(owners[i].Label, "%", "%%") + ".", nil
	case "tag":
		key, choice, _ := strings.Cut(value, "=")
		for _, fd := range fields.Fields {
			if fd.Key == key && fd.Type == store.CustomFieldTypeMultiSelect && slices.Contains(fd.Options, choice) {
				return "Added “" + strings.ReplaceAll(choice, "%", "%%") + "” to " + strings.ReplaceAll(fd.Label, "%", "%%") + " of %s %s.", nil
			}
		}
		return bad("Choose a value to add.")
	case "delete":
		return "Deleted %s %s.", nil
	}
	for _, s := range f.Sets {
		if s.Action != action {
			continue
		}
		opts, err := s.Options(ctx, tx)
		if err != nil {
			return "", err
		}
		if i := slices.IndexFunc(opts, func(o form.Option) bool { return o.Value == value && value != "" }); i >= 0 {
			return s.Label + ": " + strings.ReplaceAll(opts[i].Label, "%", "%%") + " (%s %s).", nil
		}
		return bad("Choose a value from the list.")
	}
	return bad("Choose what to do with the rows.")
}

// noun is a record type counted: 1 lead, 2 leads, 3 deals.
func noun(entity string, n int64) string {
	word := map[string]string{"leads": "lead", "accounts": "account", "contacts": "contact", "opportunities": "deal"}[entity]
	if n == 1 {
		return word
	}
	return word + "s"
}
