// Package record holds what the pages of leads, accounts, contacts and opportunities share:
// who a record may be given to, and what changed under a user's stale edit.
package record

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Owners lists the users a record of this entity may be given to by u: anyone for an "all"
// scope, the team for "team", only u for "own".
func Owners(ctx context.Context, tx pgx.Tx, u *viewer.User, entity, action string) ([]form.Option, error) {
	var team *int64
	switch u.Access.Scope(entity, action) {
	case "all":
	case "team":
		if u.Access.TeamID != 0 {
			team = &u.Access.TeamID
			break
		}
		fallthrough
	default:
		return []form.Option{{Value: form.IDString(u.ID), Label: u.Name}}, nil
	}
	users, err := db.Q.ListAssignableUsers(ctx, tx, team)
	if err != nil {
		return nil, err
	}
	out := make([]form.Option, 0, len(users))
	for _, x := range users {
		out = append(out, form.Option{Value: form.IDString(x.ID), Label: x.Name})
	}
	return out, nil
}

// CheckOwner fails the owner_id field unless it names a user the record may be given to.
func CheckOwner(f *form.Form, owners []form.Option) {
	v := f.Get("owner_id")
	for _, o := range owners {
		if o.Value == v {
			return
		}
	}
	if len(owners) == 1 {
		f.Fail("owner_id", "You can only own this record yourself.")
		return
	}
	f.Fail("owner_id", "Choose someone from the list; you can give records only to people in your scope.")
}

// Changes are the edits made to a record after the version a user started from.
func Changes(ctx context.Context, tx pgx.Tx, entity store.PermEntity, id int64, version int32) ([]store.ChangesSinceRow, error) {
	return db.Q.ChangesSince(ctx, tx, store.ChangesSinceParams{Entity: entity, RecordID: id, Version: version})
}

// Refused turns a row-level security refusal into a 403 the user understands.
func Refused(err error, what string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" {
		return &render.HTTPError{Status: http.StatusForbidden, Message: "Your role does not allow you to " + what + "."}
	}
	return err
}

// ErrInvalid and ErrConflict roll a transaction back after a failed check; the form holds the
// messages, or the changes since the user's version.
var (
	ErrInvalid  = errors.New("invalid form")
	ErrConflict = errors.New("edited by someone else")
)

// CanTouch reports whether u's scope for entity.action covers a record with this owner and team.
// Row-level security enforces the same rule; this decides which buttons to show and lets a
// visible record the user may not change answer 403 instead of 404.
func CanTouch(u *viewer.User, entity, action string, ownerID int64, teamID *int64) bool {
	switch u.Access.Scope(entity, action) {
	case "all":
		return true
	case "team":
		return ownerID == u.ID || (teamID != nil && *teamID == u.Access.TeamID)
	case "own":
		return ownerID == u.ID
	}
	return false
}

// Count says "1 contact" or "3 contacts".
func Count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	switch {
	case strings.HasSuffix(noun, "y"):
		noun = strings.TrimSuffix(noun, "y") + "ies"
	default:
		noun += "s"
	}
	return strconv.FormatInt(n, 10) + " " + noun
}

// Choice is one option a picker offers.
type Choice struct {
	ID          int64
	Label, Hint string
}

// Choices is a picker's answer: the options for the field it fills.
type Choices struct {
	Field   string
	Options []Choice
}
