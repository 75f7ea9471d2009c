package leads

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/internal/conversion"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/list"
	"github.com/crm-team/crm/web/people"
	"github.com/crm-team/crm/web/record"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// ConvertPage is the conversion form: which account, the contact, and an optional deal.
type ConvertPage struct {
	render.Page
	Lead        store.GetLeadRow
	Form        *form.Form
	Suggestions []store.SuggestAccountsRow
	Stages      []form.Option
	Message     string
}

var convertFields = []string{"account", "account_id", "account_id_label", "account_name", "account_domain",
	"first_name", "last_name", "email", "phone", "title", "owner_id", "owner_id_label",
	"create_opportunity", "opp_name", "opp_amount", "opp_stage_id", "opp_close_date", "version"}

var convertConstraints = map[string]form.Constraint{
	"contacts_email_key":            {Field: "email", Message: "This email address is already in use. Use another, or leave it empty."},
	"contacts_email_format":         {Field: "email", Message: "Enter an email address like name@example.com."},
	"contacts_last_name_not_blank":  {Field: "last_name", Message: "This field is required."},
	"accounts_domain_key":           {Field: "account_domain", Message: "This domain is already in use. Choose its account above if it is listed, or leave the domain empty."},
	"accounts_domain_format":        {Field: "account_domain", Message: "Enter a domain like example.com."},
	"accounts_name_not_blank":       {Field: "account_name", Message: "This field is required."},
	"opportunities_amount_positive": {Field: "opp_amount", Message: "Enter an amount greater than 0."},
}

// ConvertForm shows the conversion form, prefilled from the lead, with likely existing accounts.
func (h *Handler) ConvertForm(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	return h.convertPage(c, http.StatusOK, id, nil, "")
}

func (h *Handler) convertPage(c *gin.Context, status int, id int64, f *form.Form, msg string) error {
	u := viewer.From(c)
	page := ConvertPage{Message: msg}
	err := h.tx(c, func(ctx context.Context, tx pgx.Tx) (err error) {
		if page.Lead, err = db.Q.GetLead(ctx, tx, id); err != nil {
			return err
		}
		if err := convertible(u, page.Lead); err != nil {
			return err
		}
		domain, company := emailDomain(page.Lead.Email), strings.ToLower(page.Lead.Company)
		if page.Suggestions, err = db.Q.SuggestAccounts(ctx, tx, store.SuggestAccountsParams{Domain: list.Text(domain), Company: list.Text(company)}); err != nil {
			return err
		}
		page.Stages, err = openStageOptions(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	if f == nil {
		f = prefill(page.Lead, page.Suggestions)
		if len(page.Stages) > 0 {
			f.Values["opp_stage_id"] = page.Stages[0].Value
		}
	}
	page.Form = f.Need("last_name", "owner_id", "account_name", "opp_name", "opp_amount", "opp_stage_id", "opp_close_date")
	page.Page = h.R.Page(c, "Convert "+leadName(page.Lead.FirstName, page.Lead.LastName, page.Lead.Company), "leads")
	h.R.HTML(c, status, "leads/convert", page)
	return nil
}

// Convert turns the lead into an account (new or existing), a contact and maybe a deal, all or
// nothing.
func (h *Handler) Convert(c *gin.Context) error {
	id, err := render.PathID(c, "id")
	if err != nil {
		return err
	}
	u := viewer.From(c)
	f := form.Parse(c, convertFields...)
	in := conversion.Input{LeadID: id}
	var result conversion.Result
	err = h.tx(c, func(ctx context.Context, tx pgx.Tx) error {
		lead, err := db.Q.GetLead(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := convertible(u, lead); err != nil {
			return err
		}
		owners, err := people.Owners(ctx, tx, u, "contacts", "create")
		if err != nil {
			return err
		}
		if err := validateConversion(ctx, tx, f, owners, &in); err != nil {
			return err
		}
		result, err = conversion.Convert(ctx, tx, in)
		return err
	})
	switch {
	case errors.Is(err, conversion.ErrConverted):
		return &render.HTTPError{Status: http.StatusConflict, Message: "This lead was converted already. Its page links to what it became."}
	case errors.Is(err, conversion.ErrStale):
		return h.convertPage(c, http.StatusConflict, id, f, "Someone changed this lead while you were converting it. Check the values and convert again.")
	case errors.Is(err, record.ErrInvalid) || f.FromDB(err, convertConstraints):
		return h.convertPage(c, http.StatusUnprocessableEntity, id, f, "")
	case err != nil:
		return render.Refused(err, "convert this lead")
	}
	msg := "Lead converted into a contact"
	if result.OpportunityID != nil {
		msg += " and an opportunity"
	}
	h.R.Flash(c, msg+" at this account.")
	render.Redirect(c, fmt.Sprintf("/accounts/%d", result.AccountID))
	return nil
}

// validateConversion checks the form and fills the conversion input from it.
func validateConversion(ctx context.Context, tx pgx.Tx, f *form.Form, owners []form.Option, in *conversion.Input) error {
	f.Required("last_name", "owner_id")
	f.Email("email")
	f.Values["email"] = strings.ToLower(f.Get("email"))
	people.CheckOwner(f, owners)
	owner := f.ID("owner_id")
	version, _ := f.Int("version", 1, 1<<31-1)
	in.Version = int32(version)

	switch f.Get("account") {
	case "new":
		f.Required("account_name")
		d := strings.ToLower(strings.TrimPrefix(f.Get("account_domain"), "www."))
		f.Values["account_domain"] = d
		in.NewAccount = &store.CreateAccountParams{OwnerID: owner, Name: f.Get("account_name"), Domain: list.Text(d)}
	case "pick":
		if in.AccountID = f.ID("account_id"); in.AccountID == 0 {
			f.Fail("account_id", "Choose an account from the list.")
		}
	default:
		if in.AccountID = f.ID("account"); in.AccountID == 0 {
			f.Fail("account", "Choose an account, or create a new one.")
		}
	}
	in.Contact = store.CreateContactParams{OwnerID: owner, FirstName: f.Get("first_name"), LastName: f.Get("last_name"),
		Email: list.Text(f.Get("email")), Phone: f.Get("phone"), Title: f.Get("title")}

	if f.Get("create_opportunity") == "on" {
		f.Required("opp_name", "opp_amount", "opp_stage_id", "opp_close_date")
		amount := f.Money("opp_amount", true)
		close, err := time.Parse(time.DateOnly, f.Get("opp_close_date"))
		if err != nil && f.Get("opp_close_date") != "" {
			f.Fail("opp_close_date", "Enter a date like 2026-12-31.")
		}
		stage := f.ID("opp_stage_id")
		stages, err := db.Q.ListStageChoices(ctx, tx)
		if err != nil {
			return err
		}
		open := false
		for _, s := range stages {
			open = open || (s.ID == stage && s.Kind == store.StageKindOpen)
		}
		if !open && stage != 0 {
			f.Fail("opp_stage_id", "Choose an open stage from the list.")
		}
		in.Opportunity = &store.CreateOpportunityParams{OwnerID: owner, Name: f.Get("opp_name"),
			StageID: stage, Amount: amount, Currency: "USD", CloseDate: dateOf(close)}
	}
	if !f.Valid() {
		return record.ErrInvalid
	}
	return nil
}

// convertible refuses converted leads and leads the user may not edit.
func convertible(u *viewer.User, l store.GetLeadRow) error {
	if l.Status == store.LeadStatusConverted {
		return &render.HTTPError{Status: http.StatusConflict, Message: "This lead was converted already. Its page links to what it became."}
	}
	if !u.CanTouch("leads", "edit", l.OwnerID, l.TeamID) || !u.Can("contacts", "create") || !u.Can("accounts", "view") {
		return render.Forbidden("Your role does not allow you to convert this lead.")
	}
	return nil
}

// prefill fills the conversion form from the lead: the best matching account if one shares the
// email domain, else a new account named after the company.
func prefill(l store.GetLeadRow, suggestions []store.SuggestAccountsRow) *form.Form {
	v := map[string]string{"first_name": l.FirstName, "last_name": l.LastName, "phone": l.Phone, "title": l.Title,
		"owner_id": form.IDString(l.OwnerID), "owner_id_label": l.OwnerName, "version": form.IDString(int64(l.Version)), "account": "new",
		"account_name": l.Company, "account_domain": emailDomain(l.Email),
		"opp_name": strings.TrimSpace(l.Company + " – New business"), "opp_close_date": time.Now().AddDate(0, 2, 0).Format(time.DateOnly)}
	if l.Email != nil {
		v["email"] = *l.Email
	}
	if len(suggestions) > 0 && suggestions[0].Domain != nil && *suggestions[0].Domain == v["account_domain"] {
		v["account"] = form.IDString(suggestions[0].ID)
	}
	if v["account_name"] == "" {
		v["account_name"] = leadName(l.FirstName, l.LastName, "")
	}
	return form.New(v)
}

// emailDomain is the part of an email after @, unless it is a mailbox provider's.
func emailDomain(email *string) string {
	if email == nil {
		return ""
	}
	_, d, ok := strings.Cut(*email, "@")
	switch d {
	case "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "proton.me", "aol.com":
		return ""
	}
	if !ok {
		return ""
	}
	return strings.ToLower(d)
}

func openStageOptions(ctx context.Context, tx pgx.Tx) ([]form.Option, error) {
	stages, err := db.Q.ListStageChoices(ctx, tx)
	if err != nil {
		return nil, err
	}
	var out []form.Option
	for _, s := range stages {
		if s.Kind == store.StageKindOpen {
			out = append(out, form.Option{Value: form.IDString(s.ID), Label: s.PipelineName + " · " + s.Name})
		}
	}
	return out, nil
}
