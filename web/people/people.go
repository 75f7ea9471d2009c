// Package people answers who a record may be given to: the owner choices of a form, the check
// of a chosen owner, and the owner picker.
package people

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
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

// ownerScopes are the entity.action pairs the owner picker answers for.
var ownerScopes = map[string]bool{}

func init() {
	for _, e := range []string{"leads", "accounts", "contacts", "opportunities", "activities"} {
		for _, a := range []string{"create", "edit"} {
			ownerScopes[e+"."+a] = true
		}
	}
}

// Picker answers the owner picker: the people matching q whom a record of the given
// entity.action (?for=accounts.edit) may be given to by the signed-in user.
func Picker(pool *pgxpool.Pool, r *render.Renderer) gin.HandlerFunc {
	return r.Handle(func(c *gin.Context) error {
		scope := c.Query("for")
		if !ownerScopes[scope] {
			return render.NotFound()
		}
		entity, action, _ := strings.Cut(scope, ".")
		var owners []form.Option
		if err := viewer.InTxCustomPlans(c, pool, func(ctx context.Context, tx pgx.Tx) (err error) {
			owners, err = Owners(ctx, tx, viewer.From(c), entity, action)
			return err
		}); err != nil {
			return err
		}
		q := strings.ToLower(strings.TrimSpace(c.Query("q")))
		choices := form.Choices{Options: []form.Choice{}}
		for _, o := range owners {
			if strings.Contains(strings.ToLower(o.Label), q) && len(choices.Options) < 10 {
				choices.Options = append(choices.Options, form.Choice{ID: form.ParseID(o.Value), Label: o.Label})
			}
		}
		r.Fragment(c, http.StatusOK, "inline", "choices", choices)
		return nil
	})
}

// PickerURL is the owner picker's address for a new record (id 0) or an existing one.
func PickerURL(entity string, id int64) string {
	if id == 0 {
		return "/people/pick?for=" + entity + ".create"
	}
	return "/people/pick?for=" + entity + ".edit"
}
