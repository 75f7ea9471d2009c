package session

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCodecKeepsEachValuesTypeAndEncodesTheSameValuesAlike(t *testing.T) {
	deadline := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	values := map[string]any{"user_id": int64(42), "session_version": 3, "flash": "Saved.", "remember": true, "ratio": 0.5}
	b, err := Codec{}.Encode(deadline, values)
	require.NoError(t, err)
	again, err := Codec{}.Encode(deadline, map[string]any{"ratio": 0.5, "remember": true, "flash": "Saved.", "session_version": 3, "user_id": int64(42)})
	require.NoError(t, err)
	require.Equal(t, string(b), string(again), "the same values encode to the same bytes, so an unchanged session is not written")

	gotDeadline, got, err := Codec{}.Decode(b)
	require.NoError(t, err)
	require.True(t, deadline.Equal(gotDeadline))
	require.Equal(t, values, got, "scs reads values back with type assertions")
	require.Equal(t, int64(42), *userID(b, "user_id"))
	require.Nil(t, userID(b, "nobody"))

	_, err = Codec{}.Encode(deadline, map[string]any{"when": time.Now()})
	require.ErrorContains(t, err, "cannot be stored")
	_, _, err = Codec{}.Decode([]byte("\x0f\xff gob"))
	require.Error(t, err)
}
