package record

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
)

// Duplicate is a record the user may see that is likely the one being saved.
type Duplicate struct {
	Kind, Name, Detail, Why, URL string
}

// ErrDuplicates holds a save back until the user, warned of likely duplicates, saves anyway.
var ErrDuplicates = errors.New("likely duplicates")

// SaveAnyway is the name of the button that saves in spite of the warning.
const SaveAnyway = "save_anyway"

var (
	kindNames = map[string]string{"leads": "Lead", "contacts": "Contact", "accounts": "Account"}
	why       = map[string]string{"email": "the same email", "name": "a similar name"}
)

// Duplicates finds likely duplicates of a lead, contact or account about to be saved with this
// email and name; exclude is the record's own id when it exists. It
// finds none once the user has chosen to save anyway (f holds SaveAnyway).
func Duplicates(ctx context.Context, tx pgx.Tx, f *form.Form, entity, email, name string, exclude *int64) ([]Duplicate, error) {
	if f.Get(SaveAnyway) != "" || (email == "" && strings.TrimSpace(name) == "") {
		return nil, nil
	}
	rows, err := db.Q.LikelyDuplicates(ctx, tx, store.LikelyDuplicatesParams{Entity: store.PermEntity(entity), Email: email,
		Name: strings.TrimSpace(name), Exclude: exclude})
	out := make([]Duplicate, 0, len(rows))
	for _, r := range rows {
		out = append(out, Duplicate{Kind: kindNames[r.Kind], Name: r.Name, Detail: r.Detail, Why: why[r.Reason],
			URL: "/" + r.Kind + "/" + strconv.FormatInt(r.ID, 10)})
	}
	return out, err
}

// DuplicatesOfEdit warns of likely duplicates when an edit changes what makes the record alike
// to others (identity: its email and name); was are its form values before the edit.
func DuplicatesOfEdit(ctx context.Context, tx pgx.Tx, f *form.Form, entity string, id int64, was map[string]string,
	identity func(*form.Form) (email, name string)) ([]Duplicate, error) {
	email, name := identity(f)
	wasEmail, wasName := identity(form.New(was))
	if email == wasEmail {
		email = ""
	}
	if name == wasName {
		name = ""
	}
	return Duplicates(ctx, tx, f, entity, email, name, &id)
}
