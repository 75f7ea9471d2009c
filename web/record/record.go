// Package record saves what the pages of leads, accounts, contacts and opportunities edit: a
// field in place through the record's own form, and what changed under a user's stale edit.
package record

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
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
