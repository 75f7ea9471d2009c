package render

import (
	"html/template"
	"math/big"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/crm-team/crm/static"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/viewer"
)

var funcs = template.FuncMap{
	"asset":    func(p string) string { return "/static/" + static.Version + "/" + p },
	"initials": viewer.Initials,
	"inc":      func(i int) int { return i + 1 },
	"money":    Money,
	"num":      Num,
	"date":     func(t time.Time) string { return t.Format("2 Jan 2006") },
	"field":    form.FieldOf,
	"picker":   form.PickerOf,
	"inline":   form.NewInline,
	"decimal":  form.Decimal,
	"isodate":  func(t time.Time) string { return t.Format(time.DateOnly) },
	"title":    func(s string) string { return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ") },
}

// Money formats an amount with thousands separators and no cents when there are none: 12,500.
func Money(n pgtype.Numeric) string {
	if !n.Valid || n.Int == nil {
		return "0"
	}
	r := new(big.Rat).SetInt(n.Int)
	exp := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(n.Exp))), nil)
	if n.Exp < 0 {
		r.Quo(r, new(big.Rat).SetInt(exp))
	} else {
		r.Mul(r, new(big.Rat).SetInt(exp))
	}
	s := r.FloatString(2)
	s = strings.TrimSuffix(s, ".00")
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	whole = strings.TrimPrefix(whole, "-")
	var b strings.Builder
	for i, ch := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func abs(n int32) int32 {
	if n < 0 {
		return -n
	}
	return n
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
	return Money(pgtype.Numeric{Int: big.NewInt(v), Valid: true})
}
