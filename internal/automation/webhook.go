package automation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

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

// errPrivate refuses a webhook to this machine or its private network: a rule's URL must not
// become a way to reach what only the server can (Options.AllowPrivateWebhooks lifts it).
var errPrivate = errors.New("webhooks may not call a local or private address")

// webhookClient posts webhooks: 15 s per call, no redirects followed (a 3xx is a failure), and
// unless allowed, no connection to a loopback, private or link-local address, checked on the
// address actually dialled (after DNS).
func webhookClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			ip := net.ParseIP(host)
			if err != nil || ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
				ip.IsUnspecified() || ip.IsMulticast() {
				return fmt.Errorf("%w (%s)", errPrivate, host)
			}
			return nil
		}
	}
	return &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	pool   *pgxpool.Pool
	client *http.Client
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
	res, err := w.client.Do(req)
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
		if errors.Is(err, errPrivate) {
			attempt.Status = "failed" // it never will be allowed
		}
		ctx := context.WithoutCancel(ctx)
		_ = db.InTx(ctx, w.pool, system(), func(tx pgx.Tx) error {
			return db.Q.DeliveryAttempt(ctx, tx, attempt)
		})
		if errors.Is(err, errPrivate) {
			return river.JobCancel(err)
		}
		return err
	}
	return db.InTx(ctx, w.pool, system(), func(tx pgx.Tx) error {
		if err := db.Q.DeliveryAttempt(ctx, tx, attempt); err != nil {
			return err
		}
		return complete(ctx, tx, job)
	})
}
