package admin

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
)

// TeamsPage lists teams with a form to add one and a rename form per team.
type TeamsPage struct {
	render.Page
	Teams  []TeamRow
	Form   *form.Form // the new-team form
	EditID int64      // the team whose rename failed, if any
	Edit   *form.Form
}

// TeamRow is a team with its rename form when a rename of it just failed.
type TeamRow struct {
	store.ListTeamsRow
	Failed *form.Form
}

var teamConstraints = map[string]form.Constraint{
	"teams_name_key":       {Field: "name", Message: "A team with this name already exists."},
	"teams_name_not_blank": {Field: "name", Message: "This field is required."},
}

// Teams lists teams.
func (h *Handler) Teams(c *gin.Context) error {
	return h.teamsPage(c, http.StatusOK, TeamsPage{Form: form.New(nil)})
}

func (h *Handler) teamsPage(c *gin.Context, status int, page TeamsPage) error {
	page.Page = h.R.Page(c, "Teams", "admin")
	var teams []store.ListTeamsRow
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		teams, err = db.Q.ListTeams(ctx, tx)
		return err
	}); err != nil {
		return err
	}
	for _, t := range teams {
		row := TeamRow{ListTeamsRow: t}
		if t.ID == page.EditID {
			row.Failed = page.Edit
		}
		page.Teams = append(page.Teams, row)
	}
	h.R.HTML(c, status, "admin/teams", page)
	return nil
}

// CreateTeam adds a team.
func (h *Handler) CreateTeam(c *gin.Context) error {
	f := form.Parse(c, "name")
	f.Required("name")
	f.MaxLength("name", 80)
	err := errInvalid
	if f.Valid() {
		err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
			_, err := db.Q.CreateTeam(ctx, tx, f.Get("name"))
			return err
		})
	}
	if err == errInvalid || f.FromDB(err, teamConstraints) {
		return h.teamsPage(c, http.StatusUnprocessableEntity, TeamsPage{Form: f})
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Team "+f.Get("name")+" added. Put people in it on their user page.")
	render.Redirect(c, "/admin/teams")
	return nil
}

// RenameTeam renames a team.
func (h *Handler) RenameTeam(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	f := form.Parse(c, "name")
	f.Required("name")
	f.MaxLength("name", 80)
	err = errInvalid
	if f.Valid() {
		err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
			n, err := db.Q.RenameTeam(ctx, tx, store.RenameTeamParams{ID: id, Name: f.Get("name")})
			if err == nil && n == 0 {
				err = pgx.ErrNoRows
			}
			return err
		})
	}
	if err == errInvalid || f.FromDB(err, teamConstraints) {
		return h.teamsPage(c, http.StatusUnprocessableEntity, TeamsPage{Form: form.New(nil), EditID: id, Edit: f})
	}
	if err != nil {
		return err
	}
	h.R.Flash(c, "Team renamed to "+f.Get("name")+".")
	render.Redirect(c, "/admin/teams")
	return nil
}

// DeleteTeam removes a team; its members and their records stay, with no team.
func (h *Handler) DeleteTeam(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	var team store.GetTeamRow
	if err := h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		if team, err = db.Q.GetTeam(ctx, tx, id); err != nil {
			return err
		}
		_, err := db.Q.DeleteTeam(ctx, tx, id)
		return err
	}); err != nil {
		return err
	}
	h.R.Flash(c, "Team "+team.Name+" deleted. Its members now have no team.")
	render.Redirect(c, "/admin/teams")
	return nil
}
