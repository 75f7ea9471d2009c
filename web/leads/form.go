package leads

import (
	"maps"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
)

// Sources are the lead sources offered in forms and filters.
var Sources = []string{"Website", "Referral", "Trade show", "Cold call", "Partner", "Webinar", "LinkedIn", "Other"}

// Statuses a lead can be given by hand; "converted" comes only from conversion.
var Statuses = []string{"new", "contacted", "qualified", "unqualified"}

var fields = []string{"first_name", "last_name", "company", "title", "email", "phone", "source", "status", "owner_id", "owner_id_label"}

// required are the fields a lead cannot be saved without; the form marks them.
var required = []string{"owner_id", "status"}

var constraints = map[string]form.Constraint{
	"leads_email_format": {Field: "email", Message: "Enter an email address like name@example.com."},
	"leads_named":        {Field: "last_name", Message: "Give the lead a last name or a company."},
}

type input struct {
	FirstName, LastName, Company, Title, Phone, Source string
	Email                                              *string
	Status                                             store.LeadStatus
	OwnerID                                            int64
}

func validate(f *form.Form) input {
	f.Values["email"] = strings.ToLower(f.Get("email"))
	f.Required(required...)
	for _, n := range fields {
		f.MaxLength(n, 200)
	}
	if f.Get("last_name") == "" && f.Get("company") == "" {
		f.Fail("last_name", "Give the lead a last name or a company.")
	}
	f.Email("email")
	f.OneOf("status", Statuses...)
	if f.Get("source") != "" {
		f.OneOf("source", Sources...)
	}
	in := input{FirstName: f.Get("first_name"), LastName: f.Get("last_name"), Company: f.Get("company"),
		Title: f.Get("title"), Phone: f.Get("phone"), Source: f.Get("source"), Status: store.LeadStatus(f.Get("status")),
		OwnerID: f.ID("owner_id")}
	if e := f.Get("email"); e != "" {
		in.Email = &e
	}
	return in
}

func values(l store.GetLeadRow) map[string]string {
	v := map[string]string{"first_name": l.FirstName, "last_name": l.LastName, "company": l.Company, "title": l.Title,
		"phone": l.Phone, "source": l.Source, "status": string(l.Status), "owner_id": form.IDString(l.OwnerID), "owner_id_label": l.OwnerName,
		"version": form.IDString(int64(l.Version))}
	if l.Email != nil {
		v["email"] = *l.Email
	}
	maps.Copy(v, custom.Values(l.Custom))
	return v
}

func options(values []string, any string) []form.Option {
	var out []form.Option
	if any != "" {
		out = append(out, form.Option{Value: "", Label: any})
	}
	for _, v := range values {
		out = append(out, form.Option{Value: v, Label: strings.ToUpper(v[:1]) + v[1:]})
	}
	return out
}

func dateOf(t time.Time) pgtype.Date { return pgtype.Date{Time: t, Valid: !t.IsZero()} }
