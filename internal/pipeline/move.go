// Package pipeline moves opportunities between stages: the one place a stage change happens,
// for the board, its keyboard form and, later, the API.
package pipeline

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
)

// Errors a move can be refused with.
var (
	ErrStale         = errors.New("the opportunity changed since it was shown")
	ErrOtherPipeline = errors.New("the stage belongs to another pipeline")
	ErrNeedReason    = errors.New("a lost deal needs a reason")
)

// Move is a card dropped into a stage between two other cards (either may be 0: the top or the
// end of the column), from the version the user saw.
type Move struct {
	ID, StageID      int64
	Version          int32
	AboveID, BelowID int64
	LostReason       string
}

// Result says which stages changed, so the board can redraw just those columns.
type Result struct {
	FromStage, ToStage int64
	Version            int32
}

// Apply moves the card on tx, which carries the user's access context: a card the user may not
// edit is not found. The stage history is written by the table's trigger.
func Apply(ctx context.Context, tx pgx.Tx, m Move) (Result, error) {
	card, err := db.Q.LockOpportunity(ctx, tx, m.ID)
	if err != nil {
		return Result{}, err
	}
	r := Result{FromStage: card.StageID, ToStage: m.StageID}
	if card.Version != m.Version {
		return r, ErrStale
	}
	stage, err := db.Q.GetStage(ctx, tx, m.StageID)
	if err != nil {
		return r, err
	}
	if stage.PipelineID != card.PipelineID {
		return r, ErrOtherPipeline
	}
	if stage.Kind == store.StageKindLost && m.LostReason == "" {
		return r, ErrNeedReason
	}
	r.Version, err = db.Q.MoveOpportunity(ctx, tx, store.MoveOpportunityParams{ID: m.ID, Version: m.Version, StageID: m.StageID,
		AboveID: nonZero(m.AboveID), BelowID: nonZero(m.BelowID), LostReason: m.LostReason})
	return r, err
}

func nonZero(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
