package automation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
)

// WebhookArgs is one webhook call: a JSON body POSTed to a URL, signed with the rule's secret.
type WebhookArgs struct {
	URL    string          `json:"url"`
	Secret string          `json:"secret"`
	Body   json.RawMessage `json:"body"`
}

// Kind names webhook jobs.
func (WebhookArgs) Kind() string { return "webhook" }

// InsertOpts gives a webhook eight attempts (with the default backoff, over about two hours).
func (WebhookArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: 8} }

// Sign is the X-CRM-Signature header of a body: "sha256=" and the hex HMAC-SHA256 of the
// body with the secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

var webhookClient = &http.Client{Timeout: 15 * time.Second}

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	pool *pgxpool.Pool
}

// Work POSTs the body. A 2xx answer is delivered: recorded with the job's completion in one
// transaction. Anything else is recorded on the delivery and retried with backoff; receivers
// tell a retry by its X-CRM-Delivery header, the same on every attempt.
func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.Args.URL, bytes.NewReader(job.Args.Body))
	if err != nil {
		return river.JobCancel(err) // a URL that cannot be called never will be
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "crm-webhook/1")
	req.Header.Set("X-CRM-Delivery", strconv.FormatInt(job.ID, 10))
	req.Header.Set("X-CRM-Attempt", strconv.Itoa(job.Attempt))
	req.Header.Set("X-CRM-Signature", Sign(job.Args.Secret, job.Args.Body))
	res, err := webhookClient.Do(req)
	if err == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		res.Body.Close()
		if res.StatusCode >= 300 {
			err = fmt.Errorf("the server answered %s", res.Status)
		}
	}
	attempt := store.DeliveryAttemptParams{JobID: job.ID, Attempts: int32(job.Attempt), Status: "delivered"}
	if err != nil {
		attempt.Status, attempt.LastError = "pending", err.Error()
		if job.Attempt >= job.MaxAttempts {
			attempt.Status = "failed"
		}
		_ = db.InTx(context.WithoutCancel(ctx), w.pool, system(), func(tx pgx.Tx) error {
			return db.Q.DeliveryAttempt(ctx, tx, attempt)
		})
		return err
	}
	return db.InTx(ctx, w.pool, system(), func(tx pgx.Tx) error {
		if err := db.Q.DeliveryAttempt(ctx, tx, attempt); err != nil {
			return err
		}
		_, err := river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
}
