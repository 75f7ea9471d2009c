package format

import (
	"math/big"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"
)

func TestMoneyShowsThousandsAndCentsOnlyWhenThereAreSome(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "12500": "12,500", "12500.00": "12,500", "1234567.5": "1,234,567.50", "999.99": "999.99",
		"0.05": "0.05", "-1500.25": "-1,500.25", "2.675": "2.68", "2.6749": "2.67", "-2.675": "-2.68",
		"0.004": "0", "123456789012.34": "123,456,789,012.34", "7500.0000000000000000": "7,500",
	} {
		var n pgtype.Numeric
		require.NoError(t, n.Scan(in))
		require.Equal(t, want, Money(n), in)
	}
	require.Equal(t, "0", Money(pgtype.Numeric{}))
}

func TestMoneyOfAPositiveExponent(t *testing.T) {
	require.Equal(t, "12,000", Money(pgtype.Numeric{Int: big.NewInt(12), Exp: 3, Valid: true}))
}

func TestAmountsShowTheirCurrencyOneWay(t *testing.T) {
	n := pgtype.Numeric{Int: big.NewInt(1500000), Exp: -2, Valid: true}
	require.Equal(t, "$15,000", Amount(n))
	require.Equal(t, "$15,000", Amount(n, "USD"))
	require.Equal(t, "€15,000", Amount(n, "EUR"))
	require.Equal(t, "CHF 15,000", Amount(n, "CHF"))
}

func TestDueDaysAreSaidTheWayPeopleSayThem(t *testing.T) {
	loc := time.FixedZone("UTC+10", 10*3600)
	now := time.Date(2026, 12, 2, 23, 30, 0, 0, loc)
	at := func(d, h int) *time.Time { t := time.Date(2026, 12, d, h, 0, 0, 0, loc); return &t }
	require.Equal(t, When{Label: "today"}, Due(at(2, 9), now))
	require.Equal(t, When{Label: "tomorrow"}, Due(at(3, 9), now))
	require.Equal(t, When{Label: "Fri 4 Dec"}, Due(at(4, 0), now))
	require.Equal(t, When{Label: "Tue 1 Dec", Overdue: true}, Due(at(1, 23), now))
	require.Equal(t, When{Label: "no date"}, Due(nil, now))
	require.Equal(t, "today", Due(at(2, 9), now.UTC()).Label, "the day is the user's, not the server's")
	jan := time.Date(2027, 1, 5, 9, 0, 0, 0, loc)
	require.Equal(t, "5 Jan 2027", Due(&jan, now).Label)
}

func TestHistorySpeaksInWords(t *testing.T) {
	require.Equal(t, "stage", FieldName("stage_id"))
	require.Equal(t, "close date", FieldName("close_date"))
	require.Equal(t, "35,000", FieldValue("amount", "35000.00"))
	require.Equal(t, "18 Jan 2027", FieldValue("close_date", "2027-01-18"))
	require.Equal(t, "Qualified", FieldValue("status", "qualified"))
	require.Equal(t, "—", FieldValue("title", ""))
}

func TestPhoneLinksDialTheDigits(t *testing.T) {
	require.Equal(t, "+442079460077", Tel("+44 20 7946 0077"))
	require.Equal(t, "2125550100", Tel("(212) 555-0100 ext"))
}
