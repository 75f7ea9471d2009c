// Package viewer holds the signed-in user of a request.
package viewer

import (
	"context"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/crm-team/crm/db"
)

// User is the signed-in user, loaded once per request.
type User struct {
	ID       int64
	Email    string
	Name     string
	RoleName string
	TeamName string
	TimeZone string
	Access   db.Access
	// OpenTasks counts the user's open tasks, for the badge in the navigation.
	OpenTasks int64
}

// IsAdmin reports whether the user may administer users, roles, teams and pipelines.
func (u *User) IsAdmin() bool { return u != nil && u.Access.Scope("admin", "edit") == "all" }

// Can reports whether the user's role grants entity.action at any scope.
func (u *User) Can(entity, action string) bool { return u != nil && u.Access.Can(entity, action) }

// CanTouch reports whether the user's scope for entity.action covers a record with this owner and team.
// Row-level security enforces the same rule; this decides which buttons to show and lets a
// visible record the user may not change answer 403 instead of 404.
func (u *User) CanTouch(entity, action string, ownerID int64, teamID *int64) bool {
	switch u.Access.Scope(entity, action) {
	case "all":
		return true
	case "team":
		return ownerID == u.ID || (teamID != nil && *teamID == u.Access.TeamID)
	case "own":
		return ownerID == u.ID
	}
	return false
}

// TimeZones are the time zones a user may work in: days, due dates and "today" follow them.
var TimeZones = []string{"UTC", "Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Berlin", "Europe/Warsaw",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto",
	"America/Sao_Paulo", "Asia/Dubai", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney"}

// Location is the user's time zone (UTC when it is not one Go knows).
func (u *User) Location() *time.Location {
	if loc, ok := zones.Load(u.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(u.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	zones.Store(u.TimeZone, loc)
	return loc
}

// zones caches the time zones users have, so a page does not read the zone database.
var zones sync.Map

// Initials are shown in the avatar.
func (u *User) Initials() string { return Initials(u.Name) }

// Initials returns up to two capital letters for a name.
func Initials(name string) string {
	var out []rune
	start := true
	for _, r := range name {
		if r == ' ' || r == '-' {
			start = true
			continue
		}
		if start && len(out) < 2 {
			out = append(out, r)
		}
		start = false
	}
	return string(out)
}

const key = "crm.viewer"

// Set stores the signed-in user on the request.
func Set(c *gin.Context, u *User) { c.Set(key, u) }

// From returns the signed-in user, or nil for an anonymous request.
func From(c *gin.Context) *User {
	if u, ok := c.Get(key); ok {
		return u.(*User)
	}
	return nil
}

// Access returns the access context of the request (anonymous when nobody is signed in).
func Access(c *gin.Context) db.Access {
	if u := From(c); u != nil {
		return u.Access
	}
	return db.Access{}
}

// InTx runs fn in one transaction carrying the signed-in user's access context (anonymous when
// nobody is signed in): the way every handler reaches the database (see db.InTx).
func InTx(c *gin.Context, pool *pgxpool.Pool, fn func(ctx context.Context, tx pgx.Tx) error) error {
	ctx := c.Request.Context()
	return db.InTx(ctx, pool, Access(c), func(tx pgx.Tx) error { return fn(ctx, tx) })
}

// InTxCustomPlans is InTx for lists (their searches too) and boards, whose statements are
// planned with their values (see db.InTxCustomPlans).
func InTxCustomPlans(c *gin.Context, pool *pgxpool.Pool, fn func(ctx context.Context, tx pgx.Tx) error) error {
	ctx := c.Request.Context()
	return db.InTxCustomPlans(ctx, pool, Access(c), func(tx pgx.Tx) error { return fn(ctx, tx) })
}
