// Package session keeps scs sessions in PostgreSQL, loading the signed-in user in the same query
// as the session and writing a session back only when it changed or its expiry moved on.
package session

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/store"
)

// Touch is how far a session's expiry must move on before it is written again. Sliding the idle
// timeout on every request would write every request; this writes at most once a minute.
const Touch = time.Minute

// Store is an scs.CtxStore on the sessions table.
type Store struct {
	Pool *pgxpool.Pool
	// UserKey is the session value that holds the signed-in user's id, kept in its own column
	// so that loading a session also loads its user.
	UserKey string
}

// loaded is what Find read for this request, for LoadUser and for Commit's "unchanged" check.
type loaded struct {
	token string
	row   *store.FindSessionRow
}

type loadedKey struct{}

// Loaded makes room in each request for what the store finds; it wraps scs's LoadAndSave.
func Loaded(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), loadedKey{}, &loaded{})))
	})
}

func loadedFrom(ctx context.Context) *loaded {
	l, _ := ctx.Value(loadedKey{}).(*loaded)
	return l
}

// User is the request's session row with its user, or nil when the session has no user.
func User(ctx context.Context) *store.FindSessionRow {
	if l := loadedFrom(ctx); l != nil && l.row != nil && l.row.UserID != nil {
		return l.row
	}
	return nil
}

// FindCtx implements scs.CtxStore.
func (s *Store) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	row, err := db.Q.FindSession(ctx, s.Pool, token)
	if db.IsNoRows(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if l := loadedFrom(ctx); l != nil {
		l.token, l.row = token, &row
	}
	return row.Data, true, nil
}

// CommitCtx implements scs.CtxStore. A session that reads as it was loaded, with an expiry that
// moved on by less than Touch, is not written again.
func (s *Store) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	if l := loadedFrom(ctx); l != nil && l.row != nil && l.token == token &&
		bytes.Equal(l.row.Data, b) && expiry.Sub(l.row.Expiry) < Touch {
		return nil
	}
	return db.Q.SaveSession(ctx, s.Pool, store.SaveSessionParams{Token: token, Data: b, Expiry: expiry, UserID: userID(b, s.UserKey)})
}

// DeleteCtx implements scs.CtxStore.
func (s *Store) DeleteCtx(ctx context.Context, token string) error {
	return db.Q.DeleteSession(ctx, s.Pool, token)
}

// Find implements scs.Store.
func (s *Store) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *Store) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *Store) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }
