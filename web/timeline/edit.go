package timeline

import (
	"context"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// EditForm is an entry of the timeline being edited in place.
type EditForm struct {
	ID       int64
	Type     string
	Entity   string
	RecordID int64
	Form     *form.Form
	Message  string
}

// where reads which timeline an edit came from (to redraw it), from the query or the form.
func where(c *gin.Context) (string, int64, error) {
	entity := c.Query("entity")
	id := form.ParseID(c.Query("record"))
	if c.Request.Method == http.MethodPost {
		entity, id = c.PostForm("entity"), form.ParseID(c.PostForm("record"))
	}
	if !slices.Contains(Entities, entity) || id == 0 {
		return "", 0, render.NotFound()
	}
	return entity, id, nil
}

// Edit answers the form that edits one of the user's activities in its timeline.
func (h *Handler) Edit(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	entity, record, err := where(c)
	if err != nil {
		return err
	}
	a, err := h.editable(c, id)
	if err != nil {
		return err
	}
	f := form.New(map[string]string{"subject": a.Subject, "body": a.Body, "outcome": a.Outcome, "version": form.IDString(int64(a.Version))})
	h.R.Fragment(c, http.StatusOK, "timeline", "entry_form", EditForm{ID: id, Type: string(a.Type), Entity: entity, RecordID: record, Form: f})
	return nil
}

// Update saves an edited activity and answers the timeline redrawn.
func (h *Handler) Update(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	entity, recordID, err := where(c)
	if err != nil {
		return err
	}
	a, err := h.editable(c, id)
	if err != nil {
		return err
	}
	f := form.Parse(c, "subject", "body", "outcome", "version")
	f.Required("subject")
	f.MaxLength("subject", 200)
	f.MaxLength("body", 10000)
	version, _ := f.Int("version", 1, 1<<31-1)
	edit := EditForm{ID: id, Type: string(a.Type), Entity: entity, RecordID: recordID, Form: f}
	if f.Valid() {
		err = viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) error {
			_, err := db.Q.UpdateActivity(ctx, tx, store.UpdateActivityParams{ID: id, Version: int32(version),
				Subject: f.Get("subject"), Body: f.Get("body"), Outcome: f.Get("outcome")})
			return err
		})
		if db.IsNoRows(err) {
			edit.Message = "Someone changed this entry meanwhile. Check it and save again to keep yours."
			f.Values["version"] = form.IDString(int64(a.Version))
			h.R.Fragment(c, http.StatusConflict, "timeline", "entry_form", edit)
			return nil
		}
		if err != nil {
			return err
		}
		t, err := h.load(c, entity, recordID, "", "", "")
		if err != nil {
			return err
		}
		h.R.Fragment(c, http.StatusOK, "timeline", "timeline", t)
		return nil
	}
	h.R.Fragment(c, http.StatusUnprocessableEntity, "timeline", "entry_form", edit)
	return nil
}

// editable loads an activity the user may edit: 404 when they cannot see it, 403 when they
// may see but not change it.
func (h *Handler) editable(c *gin.Context, id int64) (store.GetActivityRow, error) {
	var a store.GetActivityRow
	err := viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) (err error) {
		a, err = db.Q.GetActivity(ctx, tx, id)
		return err
	})
	if err == nil && !viewer.From(c).CanTouch("activities", "edit", a.OwnerID, a.TeamID) {
		err = render.Forbidden("Your role does not allow you to edit this entry.")
	}
	return a, err
}
