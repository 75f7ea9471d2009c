package list

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/web/custom"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Columns is how a list's rows are exported: the CSV header and each row's cells, then each
// custom field's value from the row's custom JSON.
type Columns[R any] struct {
	Header []string
	Row    func(R) []string
	Custom func(R) []byte
}

const (
	exportBatch = 2000             // rows read in one transaction
	batchTime   = 30 * time.Second // the most one batch may take to read and send
)

// Export sends every row of the view the request describes (its filters, search and sort) as a
// CSV download, for users whose role may export the record type. It reads a batch at a time,
// each in its own short transaction under the user's row access, and writes it out before the
// next, so memory stays flat and no transaction waits on a slow client however many rows there
// are. The request deadline and the server's write timeout are renewed for each batch.
func (f Frame[R]) Export(c *gin.Context, pool *pgxpool.Pool, r *render.Renderer) error {
	u := viewer.From(c)
	if !u.Can(f.Entity, "export") {
		return render.Forbidden("Your role does not allow exporting. Ask an admin for the Export permission.")
	}
	p := Parse(c, f.Spec)
	p.PerPage = exportBatch
	base := context.WithoutCancel(c.Request.Context())
	rc := http.NewResponseController(c.Writer)
	w := csv.NewWriter(c.Writer)
	started := false
	var fields custom.Set
	for {
		ctx, cancel := context.WithTimeout(base, batchTime)
		c.Request = c.Request.WithContext(ctx)
		var rows []R
		q := p.query(u, f.Entity)
		q.Filter = u.Access.Filter(f.Entity, "export") // a role may export less than it sees
		err := viewer.InTxCustomPlans(c, pool, func(ctx context.Context, tx pgx.Tx) (err error) {
			if !started {
				if fields, err = custom.Load(ctx, tx, f.Entity); err != nil {
					return err
				}
			}
			q, _ = p.withFields(q, fields)
			rows, err = f.Rows(ctx, tx, q)
			return err
		})
		cancel()
		if err != nil {
			if !started {
				return err
			}
			// Part of the file is out: abort the connection so the download fails rather than
			// ending early as if complete.
			r.Log().Error("export failed", "err", err, "path", c.Request.URL.Path, "request_id", c.GetString("request_id"))
			panic(http.ErrAbortHandler)
		}
		if !started {
			started = true
			c.Header("Content-Type", "text/csv; charset=utf-8")
			c.Header("Content-Disposition", `attachment; filename="`+f.Entity+"-"+time.Now().In(u.Location()).Format("2006-01-02")+`.csv"`)
			c.Status(http.StatusOK)
			header := slices.Clone(f.CSV.Header)
			for _, fd := range fields.Fields {
				header = append(header, fd.Label)
			}
			_ = w.Write(header)
		}
		_ = rc.SetWriteDeadline(time.Now().Add(batchTime))
		more := len(rows) > exportBatch
		if more {
			rows = rows[:exportBatch]
		}
		for _, r := range rows {
			_ = w.Write(Neutralise(append(f.CSV.Row(r), fields.Cells(f.CSV.Custom(r))...)))
		}
		if w.Flush(); w.Error() != nil {
			return nil // the client went away
		}
		if !more {
			return nil
		}
		id, value := f.cursor(rows[len(rows)-1], p)
		p.AfterValue, p.AfterID = value, strconv.FormatInt(id, 10)
	}
}

// Neutralise keeps a spreadsheet from running a cell as a formula: a cell that starts with
// =, +, -, @, a tab or a carriage return gets a leading apostrophe (OWASP's advice).
func Neutralise(cells []string) []string {
	for i, s := range cells {
		if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
			cells[i] = "'" + s
		}
	}
	return cells
}

// Cell helpers: values as a spreadsheet reads them (ISO dates and times, plain decimals).

// Opt is an optional text, empty when missing.
func Opt(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// IDCell is a record id.
func IDCell(id int64) string { return strconv.FormatInt(id, 10) }

// Stamp is a moment in UTC.
func Stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// Day is a date, empty when missing.
func Day(d pgtype.Date) string {
	if !d.Valid {
		return ""
	}
	return d.Time.Format("2006-01-02")
}

// Decimal is a number as written in SQL, empty when missing.
func Decimal(n pgtype.Numeric) string {
	v, err := n.Value()
	if s, ok := v.(string); ok && err == nil {
		return s
	}
	return ""
}
