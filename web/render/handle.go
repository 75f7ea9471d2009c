package render

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/crm-team/crm/db"
)

// HTTPError is an error with the status and the message the user should see.
type HTTPError struct {
	Status  int
	Message string
}

func (e *HTTPError) Error() string { return e.Message }

// Forbidden is the error for an action the user's role does not grant.
func Forbidden(msg string) error { return &HTTPError{Status: http.StatusForbidden, Message: msg} }

// NotFound is the error for a record that does not exist or that the user may not see.
func NotFound() error {
	return &HTTPError{Status: http.StatusNotFound, Message: "This page does not exist, or you do not have access to it."}
}

// Refused turns a row-level security refusal into a 403 the user understands.
func Refused(err error, what string) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42501" {
		return &HTTPError{Status: http.StatusForbidden, Message: "Your role does not allow you to " + what + "."}
	}
	return err
}

// Busy is what a request that the database could not finish in time answers (503).
const Busy = "The database is busy or not answering, so nothing was saved. Try again in a moment."

// ErrHandled is returned by a handler whose answer is already written (a redirect from deep
// inside it); Handle then does nothing more.
var ErrHandled = errors.New("answered already")

// Handle adapts a handler that returns an error: no rows becomes a 404 page, an HTTPError its
// status and message, a database too busy to answer in time a 503 page, anything else is logged
// once with the request id and shown as a 500 page.
func (r *Renderer) Handle(fn func(c *gin.Context) error) gin.HandlerFunc {
	return func(c *gin.Context) {
		err := fn(c)
		if err == nil || errors.Is(err, ErrHandled) {
			return
		}
		var he *HTTPError
		switch {
		case db.IsNoRows(err):
			r.Error(c, http.StatusNotFound, NotFound().Error())
		case errors.As(err, &he):
			r.Error(c, he.Status, he.Message)
		case db.IsBusy(err):
			r.log.Warn("database busy", "err", err, "method", c.Request.Method, "path", c.Request.URL.Path,
				"request_id", c.GetString("request_id"))
			r.Error(c, http.StatusServiceUnavailable, Busy)
		default:
			r.log.Error("request failed", "err", err, "method", c.Request.Method, "path", c.Request.URL.Path,
				"request_id", c.GetString("request_id"))
			r.Error(c, http.StatusInternalServerError,
				"Something went wrong on our side. Try again; if it keeps happening, tell your admin the reference "+c.GetString("request_id")+".")
		}
	}
}

// PathID reads a numeric path parameter; anything else is a page that does not exist.
func PathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, NotFound()
	}
	return id, nil
}
