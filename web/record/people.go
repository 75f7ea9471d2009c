package record

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// ownerScopes are the entity.action pairs the owner picker answers for.
var ownerScopes = map[string]bool{}

func init() {
	for _, e := range []string{"leads", "accounts", "contacts", "opportunities", "activities"} {
		for _, a := range []string{"create", "edit"} {
			ownerScopes[e+"."+a] = true
		}
	}
}

// PickOwner answers the owner picker: the people matching q whom a record of the given
// entity.action (?for=accounts.edit) may be given to by the signed-in user.
func PickOwner(pool *pgxpool.Pool, r *render.Renderer) gin.HandlerFunc {
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
		choices := Choices{Options: []Choice{}}
		for _, o := range owners {
			if strings.Contains(strings.ToLower(o.Label), q) && len(choices.Options) < 10 {
				choices.Options = append(choices.Options, Choice{ID: form.ParseID(o.Value), Label: o.Label})
			}
		}
		r.Fragment(c, http.StatusOK, "inline", "choices", choices)
		return nil
	})
}

// OwnerSource is the owner picker's address for a new record (id 0) or an existing one.
func OwnerSource(entity string, id int64) string {
	if id == 0 {
		return "/people/pick?for=" + entity + ".create"
	}
	return "/people/pick?for=" + entity + ".edit"
}
