// Package pipeline changes the stage of opportunities: the one place a stage change happens, for
// the board, its move page and the deal's form. What a stage change sets besides the stage (the
// pipeline, the days-in-stage clock, closing, the place in the column) is the table's trigger,
// which also refuses a lost deal without a reason from any writer; Check says so before writing.
package pipeline

import (
	"context"
	"errors"
	"strings"

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
// end of the column), from the version the user saw. A board keeps the card in its pipeline; the
// deal's form may move it to a stage of another.
type Move struct {
	ID, StageID      int64
	Version          int32
	AboveID, BelowID int64
	LostReason       string
	AnyPipeline      bool
}

// LostReasonRequired is the constraint name the stage trigger refuses a reasonless lost deal with.
const LostReasonRequired = "opportunities_lost_reason_required"

// Check is the rule for entering a stage of this kind: a lost deal says why.
func Check(kind store.StageKind, lostReason string) error {
	if kind == store.StageKindLost && strings.TrimSpace(lostReason) == "" {
		return ErrNeedReason
	}
	return nil
}

// Result says which stages changed, so the board can redraw just those columns.
type Result struct {
	FromStage, ToStage int64
	StageName          string // the stage it is in now
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
	r.StageName = stage.Name
	if stage.PipelineID != card.PipelineID && !m.AnyPipeline {
		return r, ErrOtherPipeline
	}
	if err := Check(stage.Kind, m.LostReason); err != nil {
		return r, err
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
