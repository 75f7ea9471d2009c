// Package admin serves the admin pages: users, roles, teams, pipelines, fields, history and automations.
package admin

import (
	"context"
	"errors"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Handler serves /admin/*. The route group lets only admins in; the database's policies refuse
// writes from anyone else as well.
type Handler struct {
	Pool  *pgxpool.Pool
	R     *render.Renderer
	Queue *river.Client[pgx.Tx] // enqueues automation runs again
}

// tx runs fn in a transaction carrying the admin's access context.
func (h *Handler) tx(c *gin.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return viewer.InTx(c, h.Pool, fn)
}

// errInvalid rolls a transaction back after a check failed; the form holds the message.
var errInvalid = errors.New("invalid form")
