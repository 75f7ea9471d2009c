package web_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/web/webtest"
)

func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	require.NoError(t, err)
	return rows
}

// A rep's export holds every contact they may export (their own), however many batches that
// takes, each once, with a header row, UTF-8 intact and formulas defused; other reps' contacts,
// visible to the rep on the list, stay out because reps export only their own.
func TestExportStreamsWhatTheRoleMayExport(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep1 := app.Scalar(t, "SELECT id::text FROM users WHERE email = 'rep1@demo.test'")
	app.Exec(t, "INSERT INTO contacts (owner_id, first_name, last_name) SELECT $1, 'Bulk', 'Row ' || n FROM generate_series(1, 4500) n", rep1)
	app.Exec(t, `INSERT INTO contacts (owner_id, first_name, last_name, phone) VALUES ($1, 'Zoë', 'Ødegård', ''), ($1, 'Eve', '=HYPERLINK("http://evil.example")', '+1 555 0100')`, rep1)
	app.Exec(t, "INSERT INTO contacts (owner_id, last_name) SELECT id, 'Teammate' FROM users WHERE email = 'rep2@demo.test'")
	rep := app.Login(t, "rep1@demo.test")

	r := rep.Get("/contacts/export.csv?sort=-created")
	require.Equal(t, http.StatusOK, r.Status)
	require.Equal(t, "text/csv; charset=utf-8", r.Header.Get("Content-Type"))
	require.Contains(t, r.Header.Get("Content-Disposition"), `attachment; filename="contacts-`)
	rows := readCSV(t, r.Body)
	require.Equal(t, []string{"ID", "First name", "Last name", "Email", "Phone", "Title", "Account", "Owner", "Created"}, rows[0])
	want := app.Scalar(t, "SELECT count(*)::text FROM contacts WHERE owner_id = $1", rep1)
	ids := map[string]bool{}
	for _, row := range rows[1:] {
		require.False(t, ids[row[0]], "row %s exported twice", row[0])
		ids[row[0]] = true
		require.NotEqual(t, "Teammate", row[2], "another rep's contact")
	}
	require.Equal(t, want, app.Scalar(t, "SELECT $1::int::text", len(ids)))
	require.Contains(t, r.Body, "Zoë,Ødegård")
	require.Contains(t, r.Body, `"'=HYPERLINK(""http://evil.example"")"`)
	require.Contains(t, r.Body, "'+1 555 0100")

	admin := app.Login(t, "admin@demo.test")
	r = admin.Get("/contacts/export.csv?q=teammate")
	rows = readCSV(t, r.Body)
	require.Len(t, rows, 2, "the export follows the list's search")
	require.Equal(t, "Teammate", rows[1][2])
}

func TestExportNeedsTheExportPermission(t *testing.T) {
	t.Parallel()
	app := webtest.New(t)
	rep := app.Login(t, "rep1@demo.test")
	page := rep.Get("/leads?status=new")
	require.Contains(t, page.Body, `href="/leads/export.csv?status=new"`)

	app.Exec(t, "UPDATE role_permissions SET scope = 'none' WHERE entity = 'leads' AND action = 'export' AND role_id = (SELECT id FROM roles WHERE name = 'sales_rep')")
	rep = app.Login(t, "rep1@demo.test")
	page = rep.Get("/leads")
	require.Equal(t, http.StatusOK, page.Status)
	require.NotContains(t, page.Body, "Export CSV")
	r := rep.Get("/leads/export.csv")
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Contains(t, r.Body, "Ask an admin for the Export permission.")
}
