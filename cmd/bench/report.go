package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Report is one scale's run, written as JSON and Markdown.
type Report struct {
	Scale       int       `json:"scale"`
	When        time.Time `json:"when"`
	Machine     string    `json:"machine"`
	Concurrency int       `json:"concurrency"`
	DurationS   float64   `json:"duration_s"`
	SeedSeconds float64   `json:"seed_s,omitempty"` // 0 when an earlier load was reused
	StartupMs   float64   `json:"startup_ms"`
	PeakRSSMB   float64   `json:"peak_rss_mb"` // over the pages, before the export
	Export      *Export   `json:"export,omitempty"`
	Rows        []Row     `json:"rows"`
}

// Row is one page for one role: through HTTP, and its SQL alone.
type Row struct {
	Role       string   `json:"role"`
	Page       string   `json:"page"`
	Kind       string   `json:"kind"`
	Statements int      `json:"statements"`
	HTTP       Stats    `json:"http"`
	SQL        Stats    `json:"sql"`
	Ratio      float64  `json:"ratio"` // page req/s over SQL-alone req/s
	Misses     []string `json:"misses,omitempty"`
}

// The targets of issue #9 (2 cores, 1,000,000 contacts, 8 clients).
const (
	targetP50       = 5.0  // ms, every page
	targetP99       = 25.0 // ms, every page
	targetListRate  = 1100 // req/s, list pages
	targetRecRate   = 4000 // req/s, record pages
	targetRatio     = 0.40 // list and record pages over their SQL alone
	targetRSS       = 100  // MB
	targetStartupMs = 1000
	targetGlobalP50 = 20.0 // ms, the global search (issue #11)
)

// judge works out the ratio and which targets the row misses.
func (r *Row) judge() {
	if r.SQL.PerSec > 0 {
		r.Ratio = r.HTTP.PerSec / r.SQL.PerSec
	}
	miss := func(cond bool, what string) {
		if cond {
			r.Misses = append(r.Misses, what)
		}
	}
	miss(r.HTTP.Errors > 0, "errors")
	miss(r.HTTP.P50 >= targetP50, "p50")
	miss(r.HTTP.P99 >= targetP99, "p99")
	switch r.Kind {
	case kindGlobal:
		miss(r.HTTP.P50 >= targetGlobalP50, "search p50")
	case kindList:
		miss(r.HTTP.PerSec < targetListRate, "req/s")
	case kindRecord:
		miss(r.HTTP.PerSec < targetRecRate, "req/s")
	}
	if (r.Kind == kindList || r.Kind == kindRecord) && r.SQL.PerSec > 0 {
		miss(r.Ratio < targetRatio, "ratio")
	}
}

const rowFormat = "%-8s %-32s %8s %7s %7s %7s %4s │ %3s %8s %7s %6s  %s\n"

func printHeader() {
	fmt.Printf(rowFormat, "role", "page", "req/s", "p50", "p95", "p99", "err", "sql", "SQL/s", "SQL p50", "ratio", "misses")
}

func printRow(r Row) {
	fmt.Printf(rowFormat, r.Role, r.Page, fmt.Sprintf("%.0f", r.HTTP.PerSec), ms(r.HTTP.P50), ms(r.HTTP.P95), ms(r.HTTP.P99),
		fmt.Sprint(r.HTTP.Errors), fmt.Sprint(r.Statements), fmt.Sprintf("%.0f", r.SQL.PerSec), ms(r.SQL.P50),
		fmt.Sprintf("%.0f%%", r.Ratio*100), strings.Join(r.Misses, " "))
	if r.HTTP.FirstErr != "" {
		fmt.Printf("         first error: %s\n", r.HTTP.FirstErr)
	}
	if r.SQL.FirstErr != "" {
		fmt.Printf("         first SQL error: %s\n", r.SQL.FirstErr)
	}
}

func ms(v float64) string { return fmt.Sprintf("%.2f", v) }

// write saves the report as JSON and Markdown, and as the latest of its scale.
func (rep *Report) write(dir string) error {
	fmt.Printf("\nScale %d: start-up %.0f ms, peak RSS %.1f MB", rep.Scale, rep.StartupMs, rep.PeakRSSMB)
	if rep.SeedSeconds > 0 {
		fmt.Printf(", loaded in %.0f s", rep.SeedSeconds)
	}
	fmt.Println(".")
	misses := 0
	for _, r := range rep.Rows {
		if len(r.Misses) > 0 {
			misses++
		}
	}
	fmt.Printf("%d of %d pages miss a target.\n", misses, len(rep.Rows))
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	md := rep.markdown()
	stamp := rep.When.Format("20060102-150405")
	for name, data := range map[string][]byte{
		fmt.Sprintf("%d-%s.json", rep.Scale, stamp): js, fmt.Sprintf("latest-%d.json", rep.Scale): js,
		fmt.Sprintf("%d-%s.md", rep.Scale, stamp): md, fmt.Sprintf("latest-%d.md", rep.Scale): md,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("Written to %s/latest-%d.md and .json.\n", dir, rep.Scale)
	return nil
}

func (rep *Report) markdown() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "### %d contacts, %d clients, %s per page (%s)\n\n", rep.Scale, rep.Concurrency,
		time.Duration(rep.DurationS*float64(time.Second)), rep.When.Format("2006-01-02"))
	fmt.Fprintf(&b, "%s. Start-up %.0f ms, peak RSS %.1f MB", rep.Machine, rep.StartupMs, rep.PeakRSSMB)
	if rep.SeedSeconds > 0 {
		fmt.Fprintf(&b, ", `crm seed --scale %d` %.0f s", rep.Scale, rep.SeedSeconds)
	}
	b.WriteString(".\n\n")
	if ex := rep.Export; ex != nil {
		fmt.Fprintf(&b, "Export of all %d contacts as admin: %.0f MB of CSV in %.1f s; peak RSS %.1f MB before it, %.1f MB after.\n\n",
			ex.Rows, ex.MB, ex.Seconds, ex.PeakBeforeMB, ex.PeakAfterMB)
	}
	b.WriteString("| role | page | req/s | p50 ms | p95 ms | p99 ms | errors | statements | SQL alone req/s | ratio | misses |\n")
	b.WriteString("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n")
	for _, r := range rep.Rows {
		fmt.Fprintf(&b, "| %s | %s | %.0f | %.2f | %.2f | %.2f | %d | %d | %.0f | %.0f%% | %s |\n", r.Role, r.Page, r.HTTP.PerSec,
			r.HTTP.P50, r.HTTP.P95, r.HTTP.P99, r.HTTP.Errors, r.Statements, r.SQL.PerSec, r.Ratio*100, strings.Join(r.Misses, ", "))
	}
	return []byte(b.String())
}

// printGrowth compares p50, page by page, between the smallest and the largest scale measured.
func printGrowth(dir string) error {
	files, _ := filepath.Glob(filepath.Join(dir, "latest-*.json"))
	var reps []Report
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var r Report
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		reps = append(reps, r)
	}
	if len(reps) < 2 {
		return nil
	}
	slices.SortFunc(reps, func(a, b Report) int { return a.Scale - b.Scale })
	small, large := reps[0], reps[len(reps)-1]
	p50 := map[string]float64{}
	for _, r := range small.Rows {
		p50[r.Role+"|"+r.Page] = r.HTTP.P50
	}
	var b strings.Builder
	fmt.Fprintf(&b, "### p50 growth from %d to %d contacts (target: at most 1.5x)\n\n| role | page | p50 at %d | p50 at %d | growth |\n| --- | --- | ---: | ---: | ---: |\n",
		small.Scale, large.Scale, small.Scale, large.Scale)
	for _, r := range large.Rows {
		if base, ok := p50[r.Role+"|"+r.Page]; ok && base > 0 {
			flag := ""
			if r.HTTP.P50/base > 1.5 {
				flag = " (miss)"
			}
			fmt.Fprintf(&b, "| %s | %s | %.2f | %.2f | %.2fx%s |\n", r.Role, r.Page, base, r.HTTP.P50, r.HTTP.P50/base, flag)
		}
	}
	fmt.Println()
	fmt.Print(b.String())
	return os.WriteFile(filepath.Join(dir, "growth.md"), []byte(b.String()), 0o644)
}

// machine describes where the bench ran.
func machine(ctx context.Context, pool *pgxpool.Pool) string {
	model, mem := "unknown CPU", ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		if sc.Scan() {
			var kb int
			fmt.Sscanf(strings.TrimPrefix(sc.Text(), "MemTotal:"), "%d", &kb)
			mem = fmt.Sprintf(", %.0f GB", float64(kb)/1024/1024)
		}
		f.Close()
	}
	var pg string
	_ = pool.QueryRow(ctx, "SHOW server_version").Scan(&pg)
	return fmt.Sprintf("%d × %s%s, PostgreSQL %s, %s, server and load on the same machine",
		runtime.NumCPU(), model, mem, strings.Fields(pg + " ?")[0], runtime.Version())
}
