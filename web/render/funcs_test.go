package render

import (
	"math/big"
	"testing"

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
