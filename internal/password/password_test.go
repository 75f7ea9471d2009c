package password

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHashChecksTheRightPasswordOnly(t *testing.T) {
	h, err := Hash("correct horse battery")
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$"))
	ok, err := Check("correct horse battery", h)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = Check("correct horse batterz", h)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = Check("x", "$bcrypt$nope")
	require.Error(t, err)
}

func TestHashesWithOtherParametersStillCheck(t *testing.T) {
	// Made with the earlier 64 MiB, 3-pass, 2-lane parameters.
	old := "$argon2id$v=19$m=65536,t=3,p=2$AAECAwQFBgcICQoLDA0ODw$"
	_, err := Check("x", old+"AAAA")
	require.NoError(t, err, "the parameters are read from the hash")
}

func TestTheDummyHashIsWellFormed(t *testing.T) {
	_, err := Check("anything", dummy)
	require.NoError(t, err)
}
