// Package middleware holds what runs around every handler: request logging, recovery, security
// headers, cross-origin protection, and loading and checking the signed-in user.
package middleware

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/crm-team/crm/web/render"
)

// RequestLog writes one line per request with its status and duration, and gives each request
// an id that error pages and logs share.
func RequestLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		c.Set("request_id", id)
		c.Header("X-Request-Id", id)
		c.Next()
		log.Info("request", "method", c.Request.Method, "path", c.Request.URL.Path, "status", c.Writer.Status(),
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "bytes", c.Writer.Size(),
			"request_id", id, "htmx", c.GetHeader("HX-Request") == "true")
	}
}

// Recover turns a panic into a logged error and the 500 page.
func Recover(r *render.Renderer, log *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecovery(func(c *gin.Context, err any) {
		log.Error("panic", "err", err, "path", c.Request.URL.Path, "request_id", c.GetString("request_id"))
		r.Error(c, http.StatusInternalServerError, "Something went wrong on our side. Try again in a moment.")
		c.Abort()
	})
}

// SecurityHeaders allows only the app's own scripts and styles, forbids framing, and keeps
// pages (which show one user's records) out of shared and browser caches; static files set
// their own caching. With secure cookies the site is HTTPS only, so browsers are told to stay so.
func SecurityHeaders(secure bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Cache-Control", "private, no-store")
		if secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		c.Next()
	}
}

// CrossOrigin rejects state-changing requests that a browser sends from another site.
func CrossOrigin(r *render.Renderer) gin.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c *gin.Context) {
		if err := cop.Check(c.Request); err != nil {
			r.Error(c, http.StatusForbidden, "This request came from another site and was refused. Go back to the CRM and try again.")
			c.Abort()
			return
		}
		c.Next()
	}
}
