package middleware

import (
	"net/http"
	"net/url"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/session"
	"github.com/crm-team/crm/web/viewer"
)

// Session keys.
const (
	SessionUserID  = "user_id"
	SessionVersion = "session_version"
)

// LoadUser makes the session's user (loaded by the session store with the session itself) the
// signed-in user. A session of a deactivated user, or one older than the user's last password
// reset, is destroyed.
func LoadUser(sessions *scs.SessionManager, r *render.Renderer) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx := c.Request.Context()
		u := session.User(ctx)
		if u == nil {
			c.Next()
			return
		}
		if !u.Active || u.SessionVersion == nil || int(*u.SessionVersion) != sessions.GetInt(ctx, SessionVersion) {
			_ = sessions.Destroy(ctx)
			c.Next()
			return
		}
		var team int64
		if u.TeamID != nil {
			team = *u.TeamID
		}
		access, err := db.NewAccess(*u.UserID, team, u.Scopes)
		if err != nil {
			r.Error(c, http.StatusInternalServerError, "Your role's permissions could not be read. Ask an admin to check your role.")
			_ = c.Error(err)
			c.Abort()
			return
		}
		viewer.Set(c, &viewer.User{ID: *u.UserID, Email: deref(u.Email), Name: deref(u.Name), RoleName: deref(u.RoleName),
			TeamName: deref(u.TeamName), TimeZone: deref(u.TimeZone), Access: access, OpenTasks: u.OpenTasks})
		c.Next()
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
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
