// Package web is the HTTP side of the CRM: the route table and the middleware order.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/internal/automation"
	"github.com/crm-team/crm/static"
	"github.com/crm-team/crm/web/accounts"
	"github.com/crm-team/crm/web/admin"
	"github.com/crm-team/crm/web/auth"
	"github.com/crm-team/crm/web/contacts"
	"github.com/crm-team/crm/web/dashboard"
	"github.com/crm-team/crm/web/leads"
	mw "github.com/crm-team/crm/web/middleware"
	"github.com/crm-team/crm/web/notifications"
	"github.com/crm-team/crm/web/opportunities"
	"github.com/crm-team/crm/web/people"
	"github.com/crm-team/crm/web/pipeline"
	"github.com/crm-team/crm/web/profile"
	"github.com/crm-team/crm/web/render"
	"github.com/crm-team/crm/web/search"
	"github.com/crm-team/crm/web/session"
	"github.com/crm-team/crm/web/tasks"
	"github.com/crm-team/crm/web/timeline"
)

// Config is the web server's part of the configuration.
type Config struct {
	SecureCookies   bool          // CRM_SECURE_COOKIES: cookies only over HTTPS
	SessionIdle     time.Duration // CRM_SESSION_IDLE: signed out after this long without a request
	SessionLifetime time.Duration // CRM_SESSION_LIFETIME: signed out this long after signing in
	TrustedProxies  []string      // CRM_TRUSTED_PROXIES: proxies whose X-Forwarded-For is believed
	RequestTimeout  time.Duration // CRM_REQUEST_TIMEOUT: a request's work is cancelled after this long
	MaxBody         int64         // CRM_MAX_BODY: the largest request body read, in bytes (DefaultMaxBody if 0)
}

// DefaultMaxBody is the largest request body read when the configuration says nothing: 1 MiB,
// far more than any form of the CRM sends.
const DefaultMaxBody = 1 << 20

// New returns the whole application as one http.Handler, and a function that stops its
// background work (the janitor).
func New(pool *pgxpool.Pool, cfg Config, log *slog.Logger) (http.Handler, func(), error) {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	store := &session.Store{Pool: pool, UserKey: mw.SessionUserID}
	sessions := scs.New()
	sessions.Store = store
	sessions.Codec = session.Codec{}
	sessions.IdleTimeout = cfg.SessionIdle
	sessions.Lifetime = cfg.SessionLifetime
	sessions.Cookie.Name = "crm_session"
	sessions.Cookie.HttpOnly = true
	sessions.Cookie.SameSite = http.SameSiteLaxMode
	sessions.Cookie.Secure = cfg.SecureCookies
	sessions.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		log.Error("session store", "err", err, "path", r.URL.Path)
		http.Error(w, render.Busy, http.StatusServiceUnavailable)
	}

	r, err := render.New(sessions, log)
	if err != nil {
		return nil, nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, nil, err
	}
	e.Use(mw.RequestLog(log), mw.Recover(r, log), mw.SecurityHeaders(cfg.SecureCookies), mw.CrossOrigin(r), mw.Input(r, cfg.MaxBody))

	assets, _ := fs.Sub(static.FS, ".")
	e.GET("/static/:version/*path", serveStatic(http.FS(assets)))
	e.GET("/healthz", health(pool))

	// Everything below has a session and, when signed in, a user.
	loadUser := mw.LoadUser(sessions, r)
	app := e.Group("/", loadUser)
	e.NoRoute(loadUser, func(c *gin.Context) { r.Error(c, http.StatusNotFound, render.NotFound().Error()) })
	login := &auth.Handler{Pool: pool, Sessions: sessions, R: r}
	app.GET("/login", login.Show)
	app.POST("/login", r.Handle(login.Login))
	app.POST("/logout", r.Handle(login.Logout))

	in := app.Group("/", mw.RequireLogin)
	home := &dashboard.Handler{Pool: pool, R: r}
	in.GET("/", r.Handle(home.Show))

	in.GET("/people/pick", people.Picker(pool, r))

	me := &profile.Handler{Pool: pool, Sessions: sessions, R: r}
	in.GET("/profile", r.Handle(me.Show))
	in.POST("/profile", r.Handle(me.Update))
	in.POST("/profile/password", r.Handle(me.ChangePassword))

	bell := &notifications.Handler{Pool: pool, R: r}
	in.GET("/notifications", r.Handle(bell.List))
	in.GET("/notifications/bell", r.Handle(bell.Bell))
	in.GET("/notifications/:id", r.Handle(bell.Open))
	in.POST("/notifications/read-all", r.Handle(bell.ReadAll))
	in.POST("/notifications/preferences", r.Handle(bell.Prefs))

	find := &search.Handler{Pool: pool, R: r}
	in.GET("/search", r.Handle(find.Show))
	in.GET("/search/pick", r.Handle(find.Pick))

	lds := &leads.Handler{Pool: pool, R: r}
	in.GET("/leads", r.Handle(lds.List))
	in.GET("/leads/export.csv", r.Handle(lds.Export))
	in.POST("/leads/bulk", r.Handle(lds.Bulk))
	lv := lds.Views()
	in.POST("/leads/views", r.Handle(lv.Save))
	in.POST("/leads/views/:view/default", r.Handle(lv.Default))
	in.POST("/leads/views/:view/delete", r.Handle(lv.Delete))
	in.GET("/leads/new", r.Handle(lds.New))
	in.GET("/leads/pick", r.Handle(lds.Pick))
	in.POST("/leads", r.Handle(lds.Create))
	in.GET("/leads/:id", r.Handle(lds.Show))
	in.GET("/leads/:id/edit", r.Handle(lds.Edit))
	in.GET("/leads/:id/history", r.Handle(lds.History().Show))
	lm := lds.Merger()
	in.GET("/leads/:id/merge", r.Handle(lm.Show))
	in.POST("/leads/:id/merge", r.Handle(lm.Merge))
	in.POST("/leads/:id", r.Handle(lds.Update))
	in.POST("/leads/:id/delete", r.Handle(lds.Delete))
	in.GET("/leads/:id/fields/:field", r.Handle(lds.Inline().Edit))
	in.POST("/leads/:id/fields/:field", r.Handle(lds.Inline().Save))
	in.GET("/leads/:id/convert", r.Handle(lds.ConvertForm))
	in.POST("/leads/:id/convert", r.Handle(lds.Convert))

	accs := &accounts.Handler{Pool: pool, R: r}
	in.GET("/accounts", r.Handle(accs.List))
	in.GET("/accounts/export.csv", r.Handle(accs.Export))
	in.POST("/accounts/bulk", r.Handle(accs.Bulk))
	av := accs.Views()
	in.POST("/accounts/views", r.Handle(av.Save))
	in.POST("/accounts/views/:view/default", r.Handle(av.Default))
	in.POST("/accounts/views/:view/delete", r.Handle(av.Delete))
	in.GET("/accounts/new", r.Handle(accs.New))
	in.GET("/accounts/pick", r.Handle(accs.Pick))
	in.POST("/accounts", r.Handle(accs.Create))
	in.GET("/accounts/:id", r.Handle(accs.Show))
	in.GET("/accounts/:id/edit", r.Handle(accs.Edit))
	in.GET("/accounts/:id/history", r.Handle(accs.History().Show))
	am := accs.Merger()
	in.GET("/accounts/:id/merge", r.Handle(am.Show))
	in.POST("/accounts/:id/merge", r.Handle(am.Merge))
	in.POST("/accounts/:id", r.Handle(accs.Update))
	in.POST("/accounts/:id/delete", r.Handle(accs.Delete))
	in.GET("/accounts/:id/fields/:field", r.Handle(accs.Inline().Edit))
	in.POST("/accounts/:id/fields/:field", r.Handle(accs.Inline().Save))

	cons := &contacts.Handler{Pool: pool, R: r}
	in.GET("/contacts", r.Handle(cons.List))
	in.GET("/contacts/export.csv", r.Handle(cons.Export))
	in.POST("/contacts/bulk", r.Handle(cons.Bulk))
	cv := cons.Views()
	in.POST("/contacts/views", r.Handle(cv.Save))
	in.POST("/contacts/views/:view/default", r.Handle(cv.Default))
	in.POST("/contacts/views/:view/delete", r.Handle(cv.Delete))
	in.GET("/contacts/new", r.Handle(cons.New))
	in.GET("/contacts/pick", r.Handle(cons.Pick))
	in.POST("/contacts", r.Handle(cons.Create))
	in.GET("/contacts/:id", r.Handle(cons.Show))
	in.GET("/contacts/:id/edit", r.Handle(cons.Edit))
	in.GET("/contacts/:id/history", r.Handle(cons.History().Show))
	cm := cons.Merger()
	in.GET("/contacts/:id/merge", r.Handle(cm.Show))
	in.POST("/contacts/:id/merge", r.Handle(cm.Merge))
	in.POST("/contacts/:id", r.Handle(cons.Update))
	in.POST("/contacts/:id/delete", r.Handle(cons.Delete))
	in.GET("/contacts/:id/fields/:field", r.Handle(cons.Inline().Edit))
	in.POST("/contacts/:id/fields/:field", r.Handle(cons.Inline().Save))

	opps := &opportunities.Handler{Pool: pool, R: r}
	in.GET("/opportunities", r.Handle(opps.List))
	in.GET("/opportunities/export.csv", r.Handle(opps.Export))
	in.POST("/opportunities/bulk", r.Handle(opps.Bulk))
	ov := opps.Views()
	in.POST("/opportunities/views", r.Handle(ov.Save))
	in.POST("/opportunities/views/:view/default", r.Handle(ov.Default))
	in.POST("/opportunities/views/:view/delete", r.Handle(ov.Delete))
	in.GET("/opportunities/new", r.Handle(opps.New))
	in.POST("/opportunities", r.Handle(opps.Create))
	in.GET("/opportunities/:id", r.Handle(opps.Show))
	in.GET("/opportunities/:id/edit", r.Handle(opps.Edit))
	in.GET("/opportunities/:id/history", r.Handle(opps.History().Show))
	in.POST("/opportunities/:id", r.Handle(opps.Update))
	in.POST("/opportunities/:id/delete", r.Handle(opps.Delete))
	in.GET("/opportunities/:id/fields/:field", r.Handle(opps.Inline().Edit))
	in.POST("/opportunities/:id/fields/:field", r.Handle(opps.Inline().Save))

	tl := &timeline.Handler{Pool: pool, R: r}
	in.GET("/leads/:id/timeline", r.Handle(tl.Show("leads")))
	in.POST("/leads/:id/activities", r.Handle(tl.Log("leads")))
	in.GET("/accounts/:id/timeline", r.Handle(tl.Show("accounts")))
	in.POST("/accounts/:id/activities", r.Handle(tl.Log("accounts")))
	in.GET("/contacts/:id/timeline", r.Handle(tl.Show("contacts")))
	in.POST("/contacts/:id/activities", r.Handle(tl.Log("contacts")))
	in.GET("/opportunities/:id/timeline", r.Handle(tl.Show("opportunities")))
	in.POST("/opportunities/:id/activities", r.Handle(tl.Log("opportunities")))
	in.POST("/activities/:id/delete", r.Handle(tl.Delete))
	in.GET("/activities/:id/edit", r.Handle(tl.Edit))
	in.POST("/activities/:id", r.Handle(tl.Update))
	todo := &tasks.Handler{Pool: pool, R: r}
	in.GET("/activities", r.Handle(todo.List))
	in.GET("/activities/new", r.Handle(tl.NewTask))
	in.POST("/activities/new", r.Handle(tl.CreateTask))
	in.POST("/activities/:id/done", r.Handle(todo.Done))
	in.GET("/activities/:id/assign", r.Handle(todo.AssignForm))
	in.POST("/activities/:id/assign", r.Handle(todo.Assign))

	board := &pipeline.Handler{Pool: pool, R: r}
	in.GET("/pipeline", r.Handle(board.Show))
	in.GET("/pipeline/stages/:id/cards", r.Handle(board.More))
	in.GET("/pipeline/move", r.Handle(board.MoveForm))
	in.POST("/pipeline/move", r.Handle(board.Move))

	queue, err := automation.NewClient(pool, false, automation.Options{Logger: log})
	if err != nil {
		return nil, nil, err
	}
	ad := &admin.Handler{Pool: pool, R: r, Queue: queue}
	a := in.Group("/admin", mw.RequireAdmin(r))
	a.GET("", func(c *gin.Context) { c.Redirect(http.StatusFound, "/admin/users") })
	a.GET("/history", r.Handle(ad.History))
	a.GET("/automations", r.Handle(ad.Automations))
	a.GET("/automations/new", r.Handle(ad.NewAutomation))
	a.POST("/automations", r.Handle(ad.CreateAutomation))
	a.GET("/automations/:id", r.Handle(ad.Automation))
	a.POST("/automations/:id", r.Handle(ad.UpdateAutomation))
	a.POST("/automations/:id/enabled", r.Handle(ad.ToggleAutomation))
	a.POST("/automations/:id/delete", r.Handle(ad.DeleteAutomation))
	a.GET("/automations/:id/runs", r.Handle(ad.Runs))
	a.POST("/automations/:id/runs/:run/retry", r.Handle(ad.RetryRun))
	a.GET("/fields", r.Handle(ad.Fields))
	a.POST("/fields", r.Handle(ad.CreateField))
	a.GET("/fields/:id", r.Handle(ad.Field))
	a.POST("/fields/:id", r.Handle(ad.UpdateField))
	a.POST("/fields/:id/archive", r.Handle(ad.ArchiveField))
	a.POST("/fields/:id/restore", r.Handle(ad.RestoreField))
	a.GET("/users", r.Handle(ad.Users))
	a.GET("/users/new", r.Handle(ad.NewUser))
	a.POST("/users", r.Handle(ad.CreateUser))
	a.GET("/users/:id/edit", r.Handle(ad.EditUser))
	a.POST("/users/:id", r.Handle(ad.UpdateUser))
	a.POST("/users/:id/password", r.Handle(ad.ResetPassword))
	a.GET("/roles", r.Handle(ad.Roles))
	a.POST("/roles", r.Handle(ad.CreateRole))
	a.GET("/roles/:id", r.Handle(ad.Role))
	a.POST("/roles/:id", r.Handle(ad.UpdateRole))
	a.POST("/roles/:id/delete", r.Handle(ad.DeleteRole))
	a.GET("/teams", r.Handle(ad.Teams))
	a.POST("/teams", r.Handle(ad.CreateTeam))
	a.POST("/teams/:id", r.Handle(ad.RenameTeam))
	a.POST("/teams/:id/delete", r.Handle(ad.DeleteTeam))
	a.GET("/pipelines", r.Handle(ad.Pipelines))
	a.POST("/pipelines", r.Handle(ad.CreatePipeline))
	a.GET("/pipelines/:id", r.Handle(ad.Pipeline))
	a.POST("/pipelines/:id", r.Handle(ad.UpdatePipeline))
	a.POST("/pipelines/:id/delete", r.Handle(ad.DeletePipeline))
	a.POST("/pipelines/:id/stages", r.Handle(ad.CreateStage))
	a.POST("/pipelines/:id/stages/:stage", r.Handle(ad.UpdateStage))
	a.POST("/pipelines/:id/stages/:stage/move", r.Handle(ad.MoveStage))
	a.POST("/pipelines/:id/stages/:stage/delete", r.Handle(ad.DeleteStage))

	// scs must wrap the whole engine so it can save the session after the handler ran; the
	// store finds the signed-in user with the session and keeps it for LoadUser.
	stopJanitor := janitor(pool, 10*time.Minute, log)
	return withDeadline(session.Loaded(sessions.LoadAndSave(e)), cfg.RequestTimeout), stopJanitor, nil
}

// janitor deletes expired sessions and day-old failed sign-ins every interval, until stopped.
func janitor(pool *pgxpool.Pool, interval time.Duration, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := db.Q.DeleteExpiredSessions(ctx, pool); err != nil && ctx.Err() == nil {
				log.Error("delete expired sessions", "err", err)
			}
			if err := db.Q.PruneLoginFailures(ctx, pool); err != nil && ctx.Err() == nil {
				log.Error("prune failed sign-ins", "err", err)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// withDeadline gives each request's work at most d (none when d is 0): a database that stops
// answering fails the request instead of holding it, and its connection, open.
func withDeadline(next http.Handler, d time.Duration) http.Handler {
	if d <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// health answers 200 "ok" while the database answers, 503 otherwise.
func health(pool *pgxpool.Pool) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := pool.Ping(ctx); err != nil {
			c.String(http.StatusServiceUnavailable, "database unavailable")
			return
		}
		c.String(http.StatusOK, "ok")
	}
}

// serveStatic serves embedded assets. URLs carry the content version, so a matching version is
// cached for a year; an old version still gets the file, but only briefly cached.
func serveStatic(files http.FileSystem) gin.HandlerFunc {
	fileServer := http.FileServer(files)
	return func(c *gin.Context) {
		if c.Param("version") == static.Version {
			c.Header("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Header("Cache-Control", "public, max-age=300")
		}
		p := c.Param("path")
		if strings.HasSuffix(p, "/") { // no directory listings
			c.Status(http.StatusNotFound)
			return
		}
		c.Request.URL.Path = p
		fileServer.ServeHTTP(c.Writer, c.Request)
	}
}
