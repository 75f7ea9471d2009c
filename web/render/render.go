// Package render turns view models into HTML: a whole page normally, only its content (or a
// named fragment) for HTMX requests, and error pages that look like the rest of the app.
package render

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"github.com/crm-team/crm/web/templates"
	"github.com/crm-team/crm/web/viewer"
)

// Page is what every page's view model embeds: the layout's title, user, flash and active nav.
type Page struct {
	Title string
	Nav   string
	User  *viewer.User
	Flash string
}

// Renderer holds one template set per page: the layout, every partial, and the page.
type Renderer struct {
	pages    map[string]*template.Template
	sessions *scs.SessionManager
	log      *slog.Logger
}

// New parses every template; a syntax error stops the server from starting.
func New(sessions *scs.SessionManager, log *slog.Logger) (*Renderer, error) {
	base := template.New("").Funcs(funcs)
	for _, dir := range []string{"layouts/*.html", "partials/*.html"} {
		if _, err := base.ParseFS(templates.FS, dir); err != nil {
			return nil, fmt.Errorf("parse %s: %w", dir, err)
		}
	}
	r := &Renderer{pages: map[string]*template.Template{}, sessions: sessions, log: log}
	err := fs.WalkDir(templates.FS, "pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		t, err := template.Must(base.Clone()).ParseFS(templates.FS, p)
		if err != nil {
			return fmt.Errorf("parse %s: %w", p, err)
		}
		r.pages[strings.TrimSuffix(strings.TrimPrefix(p, "pages/"), path.Ext(p))] = t
		return nil
	})
	return r, err
}

// Log is where handlers report what they cannot show the user.
func (r *Renderer) Log() *slog.Logger { return r.log }

// Page returns the layout fields for a page: the signed-in user and the flash message, if any.
func (r *Renderer) Page(c *gin.Context, title, nav string) Page {
	return Page{Title: title, Nav: nav, User: viewer.From(c), Flash: r.sessions.PopString(c.Request.Context(), "flash")}
}

// Flash keeps a message for the next page the user sees (after a redirect).
func (r *Renderer) Flash(c *gin.Context, msg string) {
	r.sessions.Put(c.Request.Context(), "flash", msg)
}

// HTML renders a page: whole, or for an HTMX request that is not boosted, only the part it
// swaps: the block named like the target's id when the page defines one (hx-target="#results"
// renders "results"), else the page's "content". This is the one page-or-fragment decision.
func (r *Renderer) HTML(c *gin.Context, status int, page string, data any) {
	block := "layout"
	if IsHTMX(c) {
		block = "content"
		if t, ok := r.pages[page]; ok {
			if id := Target(c); id != "" && t.Lookup(id) != nil {
				block = id
			}
		}
	}
	r.Fragment(c, status, page, block, data)
}

// Target is the id of the element an HTMX request swaps into (HX-Target: "div#results"), or "".
func Target(c *gin.Context) string {
	if !IsHTMX(c) {
		return ""
	}
	_, id, _ := strings.Cut(c.GetHeader("HX-Target"), "#")
	return id
}

// Fragment renders one named template of a page, for HTMX swaps of part of it.
func (r *Renderer) Fragment(c *gin.Context, status int, page, block string, data any) {
	t, ok := r.pages[page]
	if !ok {
		r.fail(c, fmt.Errorf("no page template %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, data); err != nil {
		r.fail(c, fmt.Errorf("render %s/%s: %w", page, block, err))
		return
	}
	c.Writer.Header().Add("Vary", "HX-Request, HX-Target")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// Redirect sends the browser to url after a form post (303, so the next request is a GET).
// HTMX requests get HX-Location so only the content area changes.
func Redirect(c *gin.Context, url string) {
	if IsHTMX(c) {
		c.Header("HX-Redirect", url)
		c.Status(http.StatusNoContent)
		return
	}
	c.Redirect(http.StatusSeeOther, url)
}

// IsHTMX reports whether the request came from htmx and wants a partial (boosted requests
// want whole pages).
func IsHTMX(c *gin.Context) bool {
	return c.GetHeader("HX-Request") == "true" && c.GetHeader("HX-Boosted") != "true"
}

// ErrorPage is the view model of the 403, 404 and 500 pages.
type ErrorPage struct {
	Page
	Status  int
	Message string
}

// Error renders an error page with the given status and a message that says what to do.
func (r *Renderer) Error(c *gin.Context, status int, msg string) {
	title := http.StatusText(status)
	r.HTML(c, status, "error", ErrorPage{Page: r.Page(c, title, ""), Status: status, Message: msg})
}

func (r *Renderer) fail(c *gin.Context, err error) {
	r.log.Error("render", "err", err, "request_id", c.GetString("request_id"))
	c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Something went wrong showing this page. Please reload."))
}
