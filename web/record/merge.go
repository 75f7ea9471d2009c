package record

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Merger merges two leads, contacts or accounts: the user picks the value that survives field by
// field (custom fields included), and crm_merge moves what points at the other record to the one
// kept, deletes the other and writes the merge to history, in one transaction.
type Merger struct {
	R      *render.Renderer
	Pool   *pgxpool.Pool
	Entity string // "contacts"
	Noun   string // "contact"
	Fields []MergeField
	// Load reads a record the user may see, with its form values.
	Load func(ctx context.Context, tx pgx.Tx, id int64) (Merged, error)
}

// MergeField is a column the user chooses a value of; Show is the form value that names it on
// the page ("owner_id_label" for "owner_id"), when not the column's own.
type MergeField struct{ Column, Label, Show string }

// Merged is one of the two records.
type Merged struct {
	ID      int64
	Name    string
	Version int32
	OwnerID int64
	TeamID  *int64
	Values  map[string]string // its form values, custom fields included
	Final   bool              // it cannot be merged at all (a converted lead)
}

// MergePage compares the two records, or (no Other yet) asks which record to merge with.
type MergePage struct {
	render.Page
	Entity, Noun string
	Keep         Merged
	Other        *Merged
	Rows         []MergeRow
	Error        string
}

// MergeRow is one field with both values and which one survives.
type MergeRow struct {
	Name, Label, Keep, Other string
	TakeOther                bool
}

func (m Merger) pair(c *gin.Context, id, with int64) (keep Merged, other *Merged, fields custom.Set, err error) {
	err = viewer.InTx(c, m.Pool, func(ctx context.Context, tx pgx.Tx) error {
		if keep, err = m.Load(ctx, tx, id); err != nil {
			return err
		}
		if fields, err = custom.Load(ctx, tx, m.Entity); err != nil || with == 0 {
			return err
		}
		o, err := m.Load(ctx, tx, with)
		other = &o
		return err
	})
	return keep, other, fields, err
}

// check says why the user may not merge other into keep, or "".
func (m Merger) check(u *viewer.User, keep Merged, other *Merged) string {
	switch {
	case other != nil && other.ID == keep.ID:
		return "Choose another " + m.Noun + " than this one."
	case keep.Final || other != nil && other.Final:
		return "A converted lead cannot be merged."
	case !u.CanTouch(m.Entity, "edit", keep.OwnerID, keep.TeamID):
		return "Your role does not allow you to change this " + m.Noun + "."
	case other != nil && !u.CanTouch(m.Entity, "delete", other.OwnerID, other.TeamID):
		return "Your role does not allow you to delete " + other.Name + ", which a merge does."
	}
	return ""
}

// Show compares the record with the one ?with names, or asks which one.
func (m Merger) Show(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	with, _ := strconv.ParseInt(c.Query("with"), 10, 64)
	keep, other, fields, err := m.pair(c, id, with)
	if err != nil {
		return err
	}
	return m.page(c, http.StatusOK, keep, other, fields, "", nil)
}

func (m Merger) page(c *gin.Context, status int, keep Merged, other *Merged, fields custom.Set, msg string, picks map[string]bool) error {
	page := MergePage{Page: m.R.Page(c, "Merge "+keep.Name, m.Entity), Entity: m.Entity, Noun: m.Noun, Keep: keep, Other: other,
		Error: msg}
	if page.Error == "" {
		page.Error = m.check(viewer.From(c), keep, other)
	}
	if other != nil {
		for _, f := range m.Fields {
			page.Rows = append(page.Rows, row(f.Column, f.Label, shown(keep.Values, f), shown(other.Values, f), picks))
		}
		for _, fd := range fields.Fields {
			name := custom.Name(fd.Key)
			page.Rows = append(page.Rows, row(name, fd.Label, fields.Show(fd, keep.Values[name]).Text,
				fields.Show(fd, other.Values[name]).Text, picks))
		}
	}
	m.R.HTML(c, status, "merge", page)
	return nil
}

func shown(values map[string]string, f MergeField) string {
	if f.Show != "" {
		return values[f.Show]
	}
	return values[f.Column]
}

// row is a field's choice: the kept record's value unless it has none and the other has one,
// or the user chose already.
func row(name, label, keep, other string, picks map[string]bool) MergeRow {
	take := keep == "" && other != ""
	if picks != nil {
		take = picks[name]
	}
	return MergeRow{Name: name, Label: label, Keep: keep, Other: other, TakeOther: take}
}

// Merge merges the record of the form's "with" into this one, taking the values picked.
func (m Merger) Merge(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	with, _ := strconv.ParseInt(c.PostForm("with"), 10, 64)
	keep, other, fields, err := m.pair(c, id, with)
	if err != nil {
		return err
	}
	if other == nil {
		return render.NotFound()
	}
	picks := map[string]bool{}
	var columns, keys []string
	for _, f := range m.Fields {
		if picks[f.Column] = c.PostForm("pick_"+f.Column) == "other"; picks[f.Column] {
			columns = append(columns, f.Column)
		}
	}
	for _, fd := range fields.Fields {
		name := custom.Name(fd.Key)
		if picks[name] = c.PostForm("pick_"+name) == "other"; picks[name] {
			keys = append(keys, fd.Key)
		}
	}
	if msg := m.check(viewer.From(c), keep, other); msg != "" {
		return m.page(c, http.StatusForbidden, keep, other, fields, msg, picks)
	}
	keepVersion, _ := strconv.Atoi(c.PostForm("keep_version"))
	otherVersion, _ := strconv.Atoi(c.PostForm("other_version"))
	err = viewer.InTx(c, m.Pool, func(ctx context.Context, tx pgx.Tx) error {
		return db.Q.Merge(ctx, tx, store.MergeParams{Entity: store.PermEntity(m.Entity), Keep: keep.ID, KeepVersion: int32(keepVersion),
			Gone: other.ID, GoneVersion: int32(otherVersion), Columns: orNone(columns), CustomKeys: orNone(keys)})
	})
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "40001" {
		// Someone saved one of them meanwhile: show both as they are now, with the user's picks.
		keep, other, fields, err = m.pair(c, id, with)
		if err != nil {
			return err
		}
		return m.page(c, http.StatusConflict, keep, other, fields,
			"One of the two was changed while you were choosing. Check the values below and merge again.", picks)
	}
	if err != nil {
		return err
	}
	m.R.Flash(c, fmt.Sprintf("Merged %s into %s; its activities and links are here now.", other.Name, keep.Name))
	render.Redirect(c, fmt.Sprintf("/%s/%d", m.Entity, keep.ID))
	return nil
}

func orNone(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
