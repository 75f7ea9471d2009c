package middleware

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/crm-team/crm/web/render"
)

// Input bounds what a request may send and refuses what SQL cannot take, before any handler
// reads it: a body over max bytes (413), and a query parameter or form value that is not UTF-8
// or holds a NUL byte (400; PostgreSQL refuses both in text).
func Input(r *render.Renderer, max int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, max)
		}
		// A posted form is read here, once, within the limit. The query string is read leniently
		// (a pair that does not parse is dropped, as the lists ignore what they do not know).
		if err := c.Request.ParseForm(); err != nil && c.Request.Method != http.MethodGet {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				r.Error(c, http.StatusRequestEntityTooLarge, "This form is larger than the CRM accepts. Shorten the longest text and send it again.")
			} else {
				r.Error(c, http.StatusBadRequest, "This request could not be read. Go back, reload the page and try again.")
			}
			c.Abort()
			return
		}
		if !storable(c.Request.PostForm) || !storable(c.Request.URL.Query()) {
			r.Error(c, http.StatusBadRequest, "This request holds characters that cannot be stored (a NUL byte or broken UTF-8). Remove them and try again.")
			c.Abort()
			return
		}
		c.Next()
	}
}

func storable(values url.Values) bool {
	for k, vs := range values {
		if !utf8.ValidString(k) || strings.ContainsRune(k, 0) {
			return false
		}
		for _, v := range vs {
			if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
				return false
			}
		}
	}
	return true
}
