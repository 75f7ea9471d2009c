package middleware

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/viewer"
)

// Session keys.
const (
	SessionUserID  = "user_id"
	SessionVersion = "session_version"
)

// LoadUser loads the signed-in user, if any. A session of a deactivated user, or one older than
// the user's last password reset, is destroyed.
func LoadUser(pool *pgxpool.Pool, sessions *scs.SessionManager, r *render.Renderer) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		id := sessions.GetInt64(ctx, SessionUserID)
		if id == 0 {
			c.Next()
			return
		}
		u, err := db.Q.GetSessionUser(ctx, pool, id)
		if err != nil && !db.IsNoRows(err) {
			r.Error(c, http.StatusServiceUnavailable, "The database is not answering. Try again in a moment.")
			c.Abort()
			return
		}
		if err != nil || !u.Active || int(u.SessionVersion) != sessions.GetInt(ctx, SessionVersion) {
			_ = sessions.Destroy(ctx)
			c.Next()
			return
		}
		var scopes map[string]string
		if err := json.Unmarshal([]byte(u.Scopes), &scopes); err != nil {
			_ = c.Error(err)
		}
		access := db.Access{UserID: u.ID, Scopes: scopes}
		if u.TeamID != nil {
			access.TeamID = *u.TeamID
		}
		viewer.Set(c, &viewer.User{ID: u.ID, Email: u.Email, Name: u.Name, RoleName: u.RoleName,
			TeamName: u.TeamName, TimeZone: u.TimeZone, Access: access, OpenTasks: u.OpenTasks})
		c.Next()
	}
}

// RequireLogin sends anonymous visitors to the login page, remembering where they were going.
func RequireLogin(c *gin.Context) {
	if viewer.From(c) != nil {
		c.Next()
		return
	}
	target := "/login"
	if c.Request.Method == http.MethodGet && c.Request.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(c.Request.URL.RequestURI())
	}
	render.Redirect(c, target)
	c.Abort()
}

// RequireAdmin lets only users whose role administers the CRM through.
func RequireAdmin(r *render.Renderer) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !viewer.From(c).IsAdmin() {
			r.Error(c, http.StatusForbidden, "Only admins can open this page. Ask an admin if you need something changed here.")
			c.Abort()
			return
		}
		c.Next()
	}
}
