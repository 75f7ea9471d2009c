package list

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Views is a list's saved views bar: the user's own views and those their team shares.
type Views struct {
	Path    string
	Current string // the query string of the list as shown
	List    []SavedView
	Retry   SaveAs // what a refused save asked for, to ask again with
}

// SaveAs is the save form's input, carried back to the list when a save is refused so nothing
// typed is lost.
type SaveAs struct {
	Name            string
	Shared, Default bool
}

// retryURL is the list's address with a refused save's input.
func (p Params) retryURL(in SaveAs) string {
	v := p.Values()
	v.Set("save_as", in.Name)
	if in.Shared {
		v.Set("save_shared", "on")
	}
	if in.Default {
		v.Set("save_default", "on")
	}
	return p.url(v)
}

// SavedView is one saved view with its address.
type SavedView struct {
	store.ListSavedViewsRow
	URL string
}

// All is the query of the list with no view at all, even when the user has a default one.
const All = "view=all"

// defaultView is the query of the view the user opens this list with, when they chose one and
// the request asks for the list with no query at all ("" otherwise).
func (f Frame[R]) defaultView(ctx context.Context, tx pgx.Tx, c *gin.Context) (string, error) {
	if c.Request.URL.RawQuery != "" || render.IsHTMX(c) {
		return "", nil
	}
	query, err := db.Q.DefaultView(ctx, tx, store.DefaultViewParams{UserID: viewer.From(c).ID, Entity: store.PermEntity(f.Entity)})
	if db.IsNoRows(err) {
		return "", nil
	}
	return query, err
}

func (f Frame[R]) views(ctx context.Context, tx pgx.Tx, u *viewer.User, p Params, q url.Values) (*Views, error) {
	list, err := db.Q.ListSavedViews(ctx, tx, store.ListSavedViewsParams{UserID: u.ID, Entity: store.PermEntity(f.Entity)})
	v := &Views{Path: f.Spec.Path, Current: p.Query(),
		Retry: SaveAs{Name: firstRunes(q.Get("save_as"), 100), Shared: q.Get("save_shared") == "on", Default: q.Get("save_default") == "on"}}
	for _, row := range list {
		v.List = append(v.List, SavedView{ListSavedViewsRow: row, URL: f.Spec.Path + "?" + row.Query})
	}
	return v, err
}

// SaveView keeps the list's current filters and sort under a name, shared with the user's team
// when asked, and as the view the list opens with when asked.
func (f Frame[R]) SaveView(c *gin.Context, pool *pgxpool.Pool, r *render.Renderer) error {
	u := viewer.From(c)
	query, _ := url.ParseQuery(c.PostForm("view"))
	p := ParseValues(query, f.Spec)
	name := strings.TrimSpace(c.PostForm("name"))
	back := p.URL()
	retry := p.retryURL(SaveAs{Name: firstRunes(name, 100), Shared: c.PostForm("shared") == "on", Default: c.PostForm("default") == "on"})
	if name == "" || len([]rune(name)) > 60 {
		r.Flash(c, "Give the view a name of at most 60 characters.")
		render.Redirect(c, retry)
		return nil
	}
	var team *int64
	if u.Access.TeamID != 0 {
		team = &u.Access.TeamID
	}
	err := viewer.InTx(c, pool, func(ctx context.Context, tx pgx.Tx) error {
		id, err := db.Q.CreateSavedView(ctx, tx, store.CreateSavedViewParams{UserID: u.ID, TeamID: team, Entity: store.PermEntity(f.Entity),
			Name: name, Query: p.Query(), Shared: c.PostForm("shared") == "on" && team != nil})
		if err != nil || c.PostForm("default") != "on" {
			return err
		}
		return setDefault(ctx, tx, u.ID, f.Entity, id)
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.ConstraintName == "saved_views_name_key" {
		r.Flash(c, "You already have a view named “"+name+"”: choose another name, or delete that one first.")
		render.Redirect(c, retry)
		return nil
	}
	if err != nil {
		return err
	}
	r.Flash(c, "Saved the view “"+name+"”.")
	render.Redirect(c, back)
	return nil
}

func setDefault(ctx context.Context, tx pgx.Tx, user int64, entity string, id int64) error {
	if err := db.Q.ClearDefaultView(ctx, tx, store.ClearDefaultViewParams{UserID: user, Entity: store.PermEntity(entity)}); err != nil {
		return err
	}
	_, err := db.Q.SetDefaultView(ctx, tx, store.SetDefaultViewParams{ID: id, UserID: user})
	return err
}

// DefaultView makes one of the user's views the one the list opens with, or, when it already
// is, opens the list plain again.
func (f Frame[R]) DefaultView(c *gin.Context, pool *pgxpool.Pool, r *render.Renderer) error {
	return f.changeView(c, pool, r, func(ctx context.Context, tx pgx.Tx, u *viewer.User, v store.ListSavedViewsRow) (string, error) {
		if v.IsDefault {
			return "The list opens with every record again.", db.Q.ClearDefaultView(ctx, tx, store.ClearDefaultViewParams{UserID: u.ID, Entity: store.PermEntity(f.Entity)})
		}
		return "The list now opens with “" + v.Name + "”.", setDefault(ctx, tx, u.ID, f.Entity, v.ID)
	})
}

// DeleteView deletes one of the user's views.
func (f Frame[R]) DeleteView(c *gin.Context, pool *pgxpool.Pool, r *render.Renderer) error {
	return f.changeView(c, pool, r, func(ctx context.Context, tx pgx.Tx, u *viewer.User, v store.ListSavedViewsRow) (string, error) {
		_, err := db.Q.DeleteSavedView(ctx, tx, store.DeleteSavedViewParams{ID: v.ID, UserID: u.ID})
		return "Deleted the view “" + v.Name + "”.", err
	})
}

// changeView runs a change on one of the user's own views and goes back to the list.
func (f Frame[R]) changeView(c *gin.Context, pool *pgxpool.Pool, r *render.Renderer,
	change func(ctx context.Context, tx pgx.Tx, u *viewer.User, v store.ListSavedViewsRow) (string, error)) error {
	id, err := render.PathID(c, "view")
	if err != nil {
		return err
	}
	u := viewer.From(c)
	var msg string
	err = viewer.InTx(c, pool, func(ctx context.Context, tx pgx.Tx) error {
		list, err := db.Q.ListSavedViews(ctx, tx, store.ListSavedViewsParams{UserID: u.ID, Entity: store.PermEntity(f.Entity)})
		if err != nil {
			return err
		}
		for _, v := range list {
			if v.ID == id && v.Mine {
				msg, err = change(ctx, tx, u, v)
				return err
			}
		}
		return render.NotFound()
	})
	if err != nil {
		return err
	}
	r.Flash(c, msg)
	c.Redirect(http.StatusSeeOther, f.Spec.Path+"?"+All)
	return nil
}

// ViewRoutes are a list's saved view handlers, for the route table.
type ViewRoutes struct{ Save, Default, Delete func(*gin.Context) error }

// ViewRoutes binds the saved view handlers of the list.
func (f Frame[R]) ViewRoutes(pool *pgxpool.Pool, r *render.Renderer) ViewRoutes {
	return ViewRoutes{
		Save:    func(c *gin.Context) error { return f.SaveView(c, pool, r) },
		Default: func(c *gin.Context) error { return f.DefaultView(c, pool, r) },
		Delete:  func(c *gin.Context) error { return f.DeleteView(c, pool, r) },
	}
}

// firstRunes is s cut to at most n characters.
func firstRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
