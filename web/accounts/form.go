package accounts

import (
	"maps"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
)

var fields = []string{"name", "domain", "industry", "employees", "annual_revenue", "phone", "street", "city",
	"region", "postal_code", "country", "owner_id", "owner_id_label"}

// required are the fields a account cannot be saved without; the form marks them.
var required = []string{"name", "owner_id"}

var constraints = map[string]form.Constraint{
	"accounts_domain_key":                 {Field: "domain", Message: "This domain is already in use."},
	"accounts_domain_format":              {Field: "domain", Message: "Enter a domain like example.com."},
	"accounts_name_not_blank":             {Field: "name", Message: "This field is required."},
	"accounts_employees_nonnegative":      {Field: "employees", Message: "Enter 0 or more."},
	"accounts_annual_revenue_nonnegative": {Field: "annual_revenue", Message: "Enter 0 or more."},
}

var domainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)

// input is a validated account form.
type input struct {
	Name, Industry, Phone, Street, City, Region, PostalCode, Country string
	Domain                                                           *string
	Employees                                                        *int32
	Revenue                                                          pgtype.Numeric
	OwnerID                                                          int64
}

// validate checks the form the way the database will, so the user sees every problem at once.
func validate(f *form.Form) input {
	// People paste URLs; keep the domain they mean.
	d := strings.ToLower(f.Get("domain"))
	d = strings.TrimPrefix(strings.TrimPrefix(d, "https://"), "http://")
	d = strings.TrimPrefix(strings.TrimSuffix(d, "/"), "www.")
	f.Values["domain"] = d

	f.Required(required...)
	for _, n := range fields {
		f.MaxLength(n, 200)
	}
	in := input{Name: f.Get("name"), Industry: f.Get("industry"), Phone: f.Get("phone"), Street: f.Get("street"),
		City: f.Get("city"), Region: f.Get("region"), PostalCode: f.Get("postal_code"), Country: f.Get("country"),
		OwnerID: f.ID("owner_id")}
	if d != "" {
		if !domainRE.MatchString(d) {
			f.Fail("domain", "Enter a domain like example.com.")
		}
		in.Domain = &d
	}
	if f.Get("employees") != "" {
		if n, ok := f.Int("employees", 0, 10_000_000); ok {
			e := int32(n)
			in.Employees = &e
		}
	}
	in.Revenue = f.Money("annual_revenue", false)
	return in
}

func values(a store.GetAccountRow) map[string]string {
	v := map[string]string{"name": a.Name, "industry": a.Industry, "phone": a.Phone, "street": a.Street, "city": a.City,
		"region": a.Region, "postal_code": a.PostalCode, "country": a.Country, "owner_id": form.IDString(a.OwnerID), "owner_id_label": a.OwnerName,
		"version": form.IDString(int64(a.Version))}
	if a.Domain != nil {
		v["domain"] = *a.Domain
	}
	if a.Employees != nil {
		v["employees"] = form.IDString(int64(*a.Employees))
	}
	if a.AnnualRevenue.Valid {
		v["annual_revenue"] = form.Decimal(a.AnnualRevenue)
	}
	maps.Copy(v, custom.Values(a.Custom))
	return v
}
