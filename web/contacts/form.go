package contacts

import (
	"maps"
	"strings"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
)

var fields = []string{"first_name", "last_name", "email", "phone", "title", "account_id", "account_id_label", "owner_id", "owner_id_label"}

// required are the fields a contact cannot be saved without; the form marks them.
var required = []string{"last_name", "owner_id"}

var constraints = map[string]form.Constraint{
	"contacts_email_key":           {Field: "email", Message: "This email address is already in use."},
	"contacts_email_format":        {Field: "email", Message: "Enter an email address like name@example.com."},
	"contacts_last_name_not_blank": {Field: "last_name", Message: "This field is required."},
	"contacts_account_id_fkey":     {Field: "account_id", Message: "That account no longer exists; choose another."},
}

type input struct {
	FirstName, LastName, Phone, Title string
	Email                             *string
	AccountID                         *int64
	OwnerID                           int64
}

func validate(f *form.Form) input {
	f.Values["email"] = strings.ToLower(f.Get("email"))
	f.Required(required...)
	for _, n := range fields {
		f.MaxLength(n, 200)
	}
	f.Email("email")
	in := input{FirstName: f.Get("first_name"), LastName: f.Get("last_name"), Phone: f.Get("phone"), Title: f.Get("title"),
		OwnerID: f.ID("owner_id")}
	if e := f.Get("email"); e != "" {
		in.Email = &e
	}
	if id := f.ID("account_id"); id != 0 {
		in.AccountID = &id
	} else if f.Get("account_id_label") != "" {
		f.Fail("account_id", "Choose an account from the list, or clear the field.")
	}
	return in
}

func values(c store.GetContactRow) map[string]string {
	v := map[string]string{"first_name": c.FirstName, "last_name": c.LastName, "phone": c.Phone, "title": c.Title,
		"owner_id": form.IDString(c.OwnerID), "owner_id_label": c.OwnerName, "version": form.IDString(int64(c.Version))}
	if c.Email != nil {
		v["email"] = *c.Email
	}
	if c.AccountID != nil {
		v["account_id"] = form.IDString(*c.AccountID)
	}
	if c.AccountName != nil {
		v["account_id_label"] = *c.AccountName
	}
	maps.Copy(v, custom.Values(c.Custom))
	return v
}
