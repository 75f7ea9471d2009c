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
// Amounts with more than two decimals (sums weighted by probability) are rounded to cents, half
// away from zero. The digits are cut as text: a board formats hundreds of amounts per page.
func Money(n pgtype.Numeric) string {
	if !n.Valid || n.Int == nil {
		return "0"
	}
	digits, exp := n.Int.String(), int(n.Exp)
	if exp < -2 {
		q, r := new(big.Int).QuoRem(n.Int, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-exp-2)), nil), new(big.Int))
		if r.Abs(r).Mul(r, big.NewInt(2)).Cmp(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-exp-2)), nil)) >= 0 {
			q.Add(q, big.NewInt(int64(n.Int.Sign())))
		}
		digits, exp = q.String(), -2
	}
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	if exp > 0 {
		digits += strings.Repeat("0", exp)
		exp = 0
	}
	for len(digits) <= -exp {
		digits = "0" + digits
	}
	whole, frac := digits[:len(digits)+exp], digits[len(digits)+exp:]
	if len(frac) == 1 {
		frac += "0"
	}
	if strings.Trim(frac, "0") == "" {
		frac = ""
	}
	var b strings.Builder
	if neg && (whole != "0" || frac != "") {
		b.WriteByte('-')
	}
	for i := 0; i < len(whole); i++ {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
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
	return form.Num(v)
}
