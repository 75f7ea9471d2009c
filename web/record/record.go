// Package record saves what the pages of leads, accounts, contacts and opportunities edit: a
// field in place through the record's own form, and what changed under a user's stale edit.
package record

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/people"
	"github.com/crm-team/crm/web/viewer"
)

// Changes are the edits made to a record after the version a user started from.
func Changes(ctx context.Context, tx pgx.Tx, entity store.PermEntity, id int64, version int32) ([]store.ChangesSinceRow, error) {
	return db.Q.ChangesSince(ctx, tx, store.ChangesSinceParams{Entity: entity, RecordID: id, Version: version})
}

// ErrInvalid and ErrConflict roll a transaction back after a failed check; the form holds the
// messages, or the changes since the user's version.
var (
	ErrInvalid  = errors.New("invalid form")
	ErrConflict = errors.New("edited by someone else")
)

// CheckShared checks what every record type's form shares, in the transaction that saves it:
// its custom fields, by type (the patch saves them), and its owner, one the user may give the
// record to for action. The record's own rules follow; f holds every message.
func CheckShared(ctx context.Context, tx pgx.Tx, u *viewer.User, f *form.Form, entity, action string) (custom.Patch, error) {
	fields, err := custom.Load(ctx, tx, entity)
	if err != nil {
		return custom.Patch{}, err
	}
	patch := fields.Check(f)
	owners, err := people.Owners(ctx, tx, u, entity, action)
	if err != nil {
		return patch, err
	}
	people.CheckOwner(f, owners)
	return patch, nil
}
