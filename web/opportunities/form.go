package opportunities

import (
	"maps"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/pipeline"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
)

var fields = []string{"name", "account_id", "account_id_label", "contact_id", "contact_id_label", "stage_id", "amount",
	"currency", "close_date", "lost_reason", "owner_id", "owner_id_label"}

// required are the fields a deal cannot be saved without; the form marks them.
var required = []string{"name", "account_id", "stage_id", "amount", "close_date", "owner_id"}

// Currencies are the ones a deal may be in.
var Currencies = []form.Option{{Value: "USD", Label: "USD"}, {Value: "EUR", Label: "EUR"}, {Value: "GBP", Label: "GBP"},
	{Value: "CAD", Label: "CAD"}, {Value: "AUD", Label: "AUD"}, {Value: "CHF", Label: "CHF"}, {Value: "JPY", Label: "JPY"}}

var constraints = map[string]form.Constraint{
	"opportunities_amount_positive":   {Field: "amount", Message: "Enter an amount greater than 0."},
	"opportunities_name_not_blank":    {Field: "name", Message: "This field is required."},
	"opportunities_currency_format":   {Field: "currency", Message: "Choose a currency from the list."},
	"opportunities_account_id_fkey":   {Field: "account_id", Message: "That account no longer exists; choose another."},
	"opportunities_contact_id_fkey":   {Field: "contact_id", Message: "That contact no longer exists; choose another."},
	"opportunities_stage_in_pipeline": {Field: "stage_id", Message: "Choose a stage from the list."},
	pipeline.LostReasonRequired:       {Field: "lost_reason", Message: needReason},
}

const needReason = "Say why the deal was lost; it helps the team learn."

type input struct {
	Name, Currency, LostReason string
	AccountID, StageID         int64
	ContactID                  *int64
	Amount                     pgtype.Numeric
	CloseDate                  pgtype.Date
	OwnerID                    int64
}

func validate(f *form.Form) input {
	if f.ID("account_id") == 0 { // before Required: a picker says how to fill it
		f.Fail("account_id", "Choose the account this deal is with.")
	}
	f.Required(required...)
	for _, n := range fields {
		f.MaxLength(n, 200)
	}
	in := input{Name: f.Get("name"), Currency: f.Get("currency"), LostReason: f.Get("lost_reason"),
		AccountID: f.ID("account_id"), StageID: f.ID("stage_id"), OwnerID: f.ID("owner_id")}
	if id := f.ID("contact_id"); id != 0 {
		in.ContactID = &id
	} else if f.Get("contact_id_label") != "" {
		f.Fail("contact_id", "Choose a contact from the list, or clear the field.")
	}
	f.OneOf("currency", optionValues(Currencies)...)
	in.Amount = f.Money("amount", true)
	if v := f.Get("close_date"); v != "" {
		d, err := time.Parse(time.DateOnly, v)
		now := time.Now()
		switch {
		case err != nil:
			f.Fail("close_date", "Enter a date like 2026-12-31.")
		case d.Before(now.AddDate(-5, 0, 0)) || d.After(now.AddDate(10, 0, 0)):
			f.Fail("close_date", "Enter a close date within five years back and ten years ahead.")
		default:
			in.CloseDate = pgtype.Date{Time: d, Valid: true}
		}
	}
	return in
}

func optionValues(opts []form.Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Value
	}
	return out
}

func values(o store.GetOpportunityRow) map[string]string {
	v := map[string]string{"name": o.Name, "account_id": form.IDString(o.AccountID), "stage_id": form.IDString(o.StageID),
		"amount": form.Decimal(o.Amount), "currency": o.Currency, "close_date": o.CloseDate.Time.Format(time.DateOnly),
		"lost_reason": o.LostReason, "owner_id": form.IDString(o.OwnerID), "owner_id_label": o.OwnerName, "version": form.IDString(int64(o.Version))}
	if o.AccountName != nil {
		v["account_id_label"] = *o.AccountName
	}
	if o.ContactID != nil {
		v["contact_id"] = form.IDString(*o.ContactID)
	}
	v["contact_id_label"] = o.ContactName
	maps.Copy(v, custom.Values(o.Custom))
	return v
}
