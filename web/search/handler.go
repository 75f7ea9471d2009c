// Package search serves /search: one box that finds leads, accounts, contacts, deals and
// activities the user may see, as a page and as the header's as-you-type suggestions.
package search

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
	"github.com/crm-team/crm/web/form"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /search.
type Handler struct {
	Pool *pgxpool.Pool
	R    *render.Renderer
}

// SuggestTarget is the id of the header's suggestion box; an HTMX request aimed at it gets the
// short list.
const SuggestTarget = "search-suggest"

const (
	maxQuery   = 100 // runes; longer text is cut, as in the list search
	candidates = 20  // each type's newest matches that are ranked
	perPage    = 10  // hits of each type on the page
	perSuggest = 3   // hits of each type as you type
)

// Page is the search page, or (block search-suggest) the header's suggestions.
type Page struct {
	render.Page
	Q         string
	Corrected string // nothing matched Q: these are the hits of this instead (a typo fixed)
	Groups    []Group
	Hits      int
}

// Group is one record type's hits, best first.
type Group struct {
	Kind, Label string
	Hits        []Hit
	More        string // the type's list searched for the same words, when it may hold more
	best        float32
}

// Hit is one found record.
type Hit struct {
	Title, Detail, URL string
}

var labels = map[string]string{"leads": "Leads", "accounts": "Accounts", "contacts": "Contacts",
	"opportunities": "Opportunities", "activities": "Activities"}

// Show searches everything the user may see for q.
func (h *Handler) Show(c *gin.Context) error {
	page := Page{Page: h.R.Page(c, "Search", "search"), Q: query(c.Query("q"))}
	if page.Q != "" {
		page.Title = "Search: " + page.Q
		limit := perPage
		if render.Target(c) == SuggestTarget {
			limit = perSuggest
		}
		var err error
		if page.Groups, page.Corrected, err = h.find(c, page.Q, limit); err != nil {
			return err
		}
		for _, g := range page.Groups {
			page.Hits += len(g.Hits)
		}
	}
	h.R.HTML(c, http.StatusOK, "search/page", page)
	return nil
}

// query is what was typed, trimmed and cut to a sensible length.
func query(q string) string {
	q = strings.TrimSpace(q)
	if r := []rune(q); len(r) > maxQuery {
		q = string(r[:maxQuery])
	}
	return q
}

// find returns the hits grouped by type, the group with the best hit first. When nothing
// matches it tries again with the typed words corrected to words of record names, and says so.
// Its plans are cached (InTx): the find functions' statements are written to plan alike for
// every user (migration 00022), and planning them per request cost more than running them.
func (h *Handler) find(c *gin.Context, q string, limit int) (groups []Group, corrected string, err error) {
	err = viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := db.Q.SearchEverything(ctx, tx, store.SearchEverythingParams{Q: q, Candidates: candidates, PerType: int32(limit)})
		if err != nil || len(rows) > 0 {
			groups = grouped(rows)
			return err
		}
		fixed, err := db.Q.CorrectWords(ctx, tx, q)
		if err != nil || fixed == "" {
			return err
		}
		if rows, err = db.Q.SearchEverything(ctx, tx, store.SearchEverythingParams{Q: fixed, Candidates: candidates, PerType: int32(limit)}); len(rows) > 0 {
			groups, corrected = grouped(rows), fixed
		}
		return err
	})
	for i, g := range groups {
		if g.Kind != "activities" && len(g.Hits) == limit {
			groups[i].More = "/" + g.Kind + "?q=" + url.QueryEscape(cmp.Or(corrected, q))
		}
	}
	return groups, corrected, err
}

// grouped collects the hits of each type, the type with the best hit first.
func grouped(rows []store.SearchEverythingRow) []Group {
	var groups []Group
	for _, r := range rows {
		groups = add(groups, r.Kind, r.Rank, Hit{Title: r.Title, Detail: r.Detail, URL: link(r.Kind, r.ID, r.ParentKind, r.ParentID)})
	}
	slices.SortStableFunc(groups, func(a, b Group) int { return cmp.Compare(b.best, a.best) })
	return groups
}

func add(groups []Group, kind string, rank float32, hit Hit) []Group {
	i := slices.IndexFunc(groups, func(g Group) bool { return g.Kind == kind })
	if i < 0 {
		groups = append(groups, Group{Kind: kind, Label: labels[kind], best: rank})
		i = len(groups) - 1
	}
	groups[i].Hits = append(groups[i].Hits, hit)
	groups[i].best = max(groups[i].best, rank)
	return groups
}

// link is where a hit opens: its record page, or for an activity the record it belongs to.
func link(kind string, id int64, parentKind string, parentID *int64) string {
	if parentID != nil {
		return "/" + parentKind + "/" + strconv.FormatInt(*parentID, 10) + "#activity-" + strconv.FormatInt(id, 10)
	}
	return "/" + kind + "/" + strconv.FormatInt(id, 10)
}

// kinds name each record type in a picker's hints.
var kinds = map[string]string{"leads": "Lead", "accounts": "Account", "contacts": "Contact", "opportunities": "Deal"}

// Pick answers a picker over every record type (a new task's "For"): the best few of each, as
// "kind:id".
func (h *Handler) Pick(c *gin.Context) error {
	var opts []form.Choice
	if q := query(c.Query("q")); q != "" {
		err := viewer.InTx(c, h.Pool, func(ctx context.Context, tx pgx.Tx) error {
			rows, err := db.Q.SearchEverything(ctx, tx, store.SearchEverythingParams{Q: q, Candidates: candidates, PerType: perSuggest})
			for _, r := range rows {
				if kind, ok := kinds[r.Kind]; ok {
					hint := kind
					if r.Detail != "" {
						hint += " · " + r.Detail
					}
					opts = append(opts, form.Choice{Key: r.Kind + ":" + strconv.FormatInt(r.ID, 10), Label: r.Title, Hint: hint})
				}
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	h.R.Fragment(c, http.StatusOK, "search/page", "choices", form.Choices{Options: opts})
	return nil
}
