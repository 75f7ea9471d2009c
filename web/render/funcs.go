package render

import (
	"html/template"
	"time"

	"github.com/crm-team/crm/static"
	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/format"
	"github.com/crm-team/crm/web/viewer"
)

var funcs = template.FuncMap{
	"asset":      func(p string) string { return "/static/" + static.Version + "/" + p },
	"initials":   viewer.Initials,
	"inc":        func(i int) int { return i + 1 },
	"money":      format.Amount,
	"nextstep":   format.NextStep,
	"fieldname":  format.FieldName,
	"fieldvalue": format.FieldValue,
	"num":        Num,
	"date":       format.Date,
	"field":      form.FieldOf,
	"picker":     form.PickerOf,
	"inline":     form.NewInline,
	"decimal":    form.Decimal,
	"isodate":    func(t time.Time) string { return t.Format(time.DateOnly) },
	"label":      format.Label,
	"tel":        format.Tel,
	"fieldtype":  custom.TypeLabel,
}

// Num formats a whole number with thousands separators: 12,345.
func Num(n any) string {
	var v int64
	switch x := n.(type) {
	case int:
		v = int64(x)
	case int32:
		v = int64(x)
	case int64:
		v = x
	case *int32:
		if x != nil {
			v = int64(*x)
		}
	}
	return format.Num(v)
}
