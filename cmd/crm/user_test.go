package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/crm-team/crm/db"
	"github.com/crm-team/crm/db/dbtest"
	"github.com/crm-team/crm/internal/password"
)

func TestUserCreateMakesTheFirstAdmin(t *testing.T) {
	t.Parallel()
	pool, url := dbtest.NewWithURL(t)
	ctx := context.Background()
	cfg := config{DatabaseURL: url}
	args := []string{"create", "--email", "owner@example.com", "--name", "Olive Owner", "--role", "admin", "--team", "Founders", "--password-stdin"}

	err := userCmd(ctx, cfg, args, strings.NewReader("short\n"))
	require.ErrorContains(t, err, "at least 10 characters")

	require.NoError(t, userCmd(ctx, cfg, args, strings.NewReader("correct horse battery\n")))
	u, err := db.Q.GetLoginUser(ctx, pool, "OWNER@example.com")
	require.NoError(t, err)
	ok, err := password.Check("correct horse battery", u.PasswordHash)
	require.NoError(t, err)
	require.True(t, ok)
	users, err := db.Q.ListUsers(ctx, pool)
	require.NoError(t, err)
	require.Len(t, users, 1)
	require.Equal(t, u.ID, users[0].ID)
	require.Equal(t, "admin", users[0].RoleName)
	require.Equal(t, "Founders", users[0].TeamName)

	err = userCmd(ctx, cfg, args, strings.NewReader("correct horse battery\n"))
	require.ErrorContains(t, err, "users_email_key", "the same email twice is refused")
	err = userCmd(ctx, cfg, []string{"create", "--email", "x@example.com", "--name", "X", "--role", "wizard", "--password-stdin"}, strings.NewReader("long enough pass\n"))
	require.ErrorContains(t, err, `no role named "wizard"`)
}
