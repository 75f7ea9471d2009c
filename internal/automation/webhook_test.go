package automation_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/internal/automation"
	"github.com/crm-team/crm/web/webtest"
)

// A webhook whose target fails twice and then answers 200 is delivered once, signed, with the
// same delivery id on every attempt; the run shows the delivery.
func TestWebhookRetriedUntilDelivered(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var attempts, delivered int
	var deliveries []string
	var record map[string]any
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		attempts++
		deliveries = append(deliveries, r.Header.Get("X-CRM-Delivery"))
		if r.Header.Get("X-CRM-Signature") != automation.Sign("s3cret", body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if attempts <= 2 {
			http.Error(w, "try later", http.StatusServiceUnavailable)
			return
		}
		var payload struct{ Record map[string]any }
		_ = json.Unmarshal(body, &payload)
		record = payload.Record
		delivered++
	}))
	defer target.Close()

	app := webtest.New(t)
	app.Exec(t, `UPDATE automations SET enabled = false`) // the shipped rules stay out of the way
	app.StartWorker(t)
	app.Exec(t, `INSERT INTO automations (name, entity, trigger, actions) VALUES ('Tell the ERP', 'accounts', 'created',
		jsonb_build_array(jsonb_build_object('type', 'webhook', 'url', $1::text, 'secret', 's3cret')))`, target.URL)
	account := app.Scalar(t, `INSERT INTO accounts (owner_id, name) SELECT id, 'Hooked Ltd' FROM users WHERE email = 'rep1@demo.test' RETURNING id::text`)

	app.Eventually(t, "delivered 3", `SELECT coalesce(max(status || ' ' || attempts), '') FROM webhook_deliveries`)
	mu.Lock()
	require.Equal(t, 3, attempts)
	require.Equal(t, 1, delivered, "one success")
	require.Equal(t, deliveries[0], deliveries[2], "a retry says it is the same delivery")
	require.Equal(t, "Hooked Ltd", record["name"])
	mu.Unlock()
	app.Eventually(t, "done|Sending the record to "+target.URL, `SELECT coalesce(max(status || '|' || array_to_string(outcome, ';')), '') FROM automation_runs r
		JOIN automations a ON a.id = r.automation_id WHERE a.name = 'Tell the ERP' AND r.record_id = $1`, account)
}
