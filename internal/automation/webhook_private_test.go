package automation

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// A webhook may not reach the server's own machine or network unless allowed, and does not
// follow a redirect there.
func TestWebhooksStayOffPrivateAddresses(t *testing.T) {
	local := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hop" {
			http.Redirect(w, r, "/", http.StatusTemporaryRedirect)
		}
	}))
	defer local.Close()
	_, err := webhookClient(false).Post(local.URL, "application/json", nil)
	require.True(t, errors.Is(err, errPrivate), "%v", err)
	res, err := webhookClient(true).Post(local.URL+"/hop", "application/json", nil)
	require.NoError(t, err, "allowed, it reaches the intranet")
	res.Body.Close()
	require.Equal(t, http.StatusTemporaryRedirect, res.StatusCode, "a redirect is an answer, not followed")
}
