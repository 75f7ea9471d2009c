// Package conversion turns a lead into an account, a contact and, optionally, an opportunity,
// in one transaction, for the web pages and the API alike.
package conversion

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
)

// ErrConverted is returned for a lead that is already converted.
var ErrConverted = errors.New("the lead is already converted")

// ErrStale is returned when the lead changed after the user opened the conversion form.
var ErrStale = errors.New("the lead changed since the form was opened")

// Input says what a lead becomes. Exactly one of AccountID (an existing account) and
// NewAccount is set; Opportunity is nil when no deal is created. The ids that link the new
// records together are filled in by Convert.
type Input struct {
	LeadID      int64
	Version     int32
	AccountID   int64
	NewAccount  *store.CreateAccountParams
	Contact     store.CreateContactParams
	Opportunity *store.CreateOpportunityParams
}

// Result is what the lead became.
type Result struct {
	AccountID, ContactID int64
	OpportunityID        *int64
}

// Convert runs the whole conversion on tx, which carries the user's access context, so each step
// is subject to the user's permissions. On any error the caller rolls tx back and nothing is made.
func Convert(ctx context.Context, tx pgx.Tx, in Input) (Result, error) {
	var r Result
	lead, err := db.Q.LockLead(ctx, tx, in.LeadID)
	if err != nil {
		return r, err
	}
	if lead.Status == store.LeadStatusConverted {
		return r, ErrConverted
	}
	if lead.Version != in.Version {
		return r, ErrStale
	}
	if in.NewAccount != nil {
		if r.AccountID, err = db.Q.CreateAccount(ctx, tx, *in.NewAccount); err != nil {
			return r, fmt.Errorf("create account: %w", err)
		}
	} else {
		if _, err := db.Q.GetAccount(ctx, tx, in.AccountID); err != nil {
			return r, fmt.Errorf("existing account: %w", err)
		}
		r.AccountID = in.AccountID
	}
	in.Contact.AccountID = &r.AccountID
	if r.ContactID, err = db.Q.CreateContact(ctx, tx, in.Contact); err != nil {
		return r, fmt.Errorf("create contact: %w", err)
	}
	if in.Opportunity != nil {
		in.Opportunity.AccountID, in.Opportunity.ContactID = r.AccountID, &r.ContactID
		id, err := db.Q.CreateOpportunity(ctx, tx, *in.Opportunity)
		if err != nil {
			return r, fmt.Errorf("create opportunity: %w", err)
		}
		r.OpportunityID = &id
	}
	// The status change and the links are written to record_history by the table's trigger.
	n, err := db.Q.MarkLeadConverted(ctx, tx, store.MarkLeadConvertedParams{ID: in.LeadID, AccountID: &r.AccountID,
		ContactID: &r.ContactID, OpportunityID: r.OpportunityID})
	if err != nil {
		return r, fmt.Errorf("mark converted: %w", err)
	}
	if n == 0 {
		return r, ErrConverted
	}
	if _, err := db.Q.MoveLeadActivities(ctx, tx, store.MoveLeadActivitiesParams{LeadID: &in.LeadID,
		AccountID: &r.AccountID, ContactID: &r.ContactID, OpportunityID: r.OpportunityID}); err != nil {
		return r, fmt.Errorf("move activities: %w", err)
	}
	return r, nil
}
