// Package format writes numbers, money and dates the one way every page shows them.
package format

import (
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
)

// Num writes a whole number with thousands separators: 20,000.
func Num(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

// symbols are how amounts show their currency; others are written before the number.
var symbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}

// Amount is how every page shows money: the currency's symbol (dollars when none is given, as
// for totals) and the number, like $15,000 or CHF 1,200.50.
func Amount(n pgtype.Numeric, currency ...string) string {
	c := "USD"
	if len(currency) > 0 && currency[0] != "" {
		c = currency[0]
	}
	if sym, ok := symbols[c]; ok {
		return sym + Money(n)
	}
	return c + " " + Money(n)
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

// Date writes a day like 18 Jan 2027.
func Date(t time.Time) string { return t.Format("2 Jan 2006") }

// When is a due day as pages show it: today, tomorrow, or the date; overdue once the day is past.
type When struct {
	Label   string
	Overdue bool
}

// Due says when t falls, in the time zone t carries (handlers put it in the user's).
func Due(t *time.Time, now time.Time) When {
	if t == nil {
		return When{Label: "no date"}
	}
	now = now.In(t.Location())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	switch {
	case t.Before(today):
		return When{Label: short(*t, now), Overdue: true}
	case t.Before(today.AddDate(0, 0, 1)):
		return When{Label: "today"}
	case t.Before(today.AddDate(0, 0, 2)):
		return When{Label: "tomorrow"}
	}
	return When{Label: short(*t, now)}
}

// short is a day in the coming or past months, with the year only when it is not this one.
func short(t, now time.Time) string {
	if t.Year() == now.Year() {
		return t.Format("Mon 2 Jan")
	}
	return t.Format("2 Jan 2006")
}

// Next is a deal's next step as its card, its row and its page show it.
type Next struct {
	Subject, Type string
	At            *time.Time
	When          When
}

// NextStep describes a deal's next step from its subject ("" when none), type and due time, said
// in the user's time zone.
func NextStep(subject, typ string, at *time.Time, loc *time.Location) Next {
	if at != nil {
		t := at.In(loc)
		at = &t
	}
	n := Next{Subject: subject, Type: typ, At: at}
	if subject != "" {
		n.When = Due(at, time.Now())
		if typ == "meeting" && at != nil {
			n.When.Label += at.Format(", 15:04")
		}
	}
	return n
}

// FieldName is a record field as a sentence names it: stage_id is "stage", close_date "close date".
func FieldName(field string) string {
	return strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(field, "custom."), "_id"), "_", " ")
}

// FieldValue is a field's value from a record's history as pages show it: amounts with thousands
// separators, dates as days, statuses as words; empty is a dash.
func FieldValue(field, value string) string {
	switch {
	case value == "":
		return "—"
	case field == "amount" || field == "annual_revenue":
		var n pgtype.Numeric
		if n.Scan(value) == nil {
			return Money(n)
		}
	case strings.HasSuffix(field, "_date"):
		if d, err := time.Parse(time.DateOnly, value); err == nil {
			return Date(d)
		}
	case field == "status":
		return Label(value)
	}
	return value
}

// Label is a stored name as people read it: sales_rep is "Sales rep", a status "Qualified".
func Label(name string) string {
	if name == "" {
		return ""
	}
	return strings.ToUpper(name[:1]) + strings.ReplaceAll(name[1:], "_", " ")
}

// Tel is a phone number as a tel: link dials it: the digits, and a leading plus.
func Tel(phone string) string {
	var b strings.Builder
	for i, r := range phone {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
