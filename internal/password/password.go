// Package password hashes and checks passwords with argon2id.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"
)

// OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane). RFC 9106's 64 MiB cost a small server
// 64 MiB per sign-in in flight: a few at once took the process past 150 MB. Hashes made with
// other parameters still check, with the parameters they carry.
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	keyLen    = 32
	saltLen   = 16
)

// MinLength is the shortest password accepted.
const MinLength = 10

var errFormat = errors.New("password hash: unknown format")

// Hash returns an encoded argon2id hash in the PHC string format.
func Hash(plain string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(plain), salt, passes, memoryKiB, lanes, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, memoryKiB, passes, lanes, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Check reports whether plain matches the encoded hash.
func Check(plain, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errFormat
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false, errFormat
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, errFormat
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false, errFormat
	}
	got := argon2.IDKey([]byte(plain), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummy is checked against when an email is unknown, so a failed login takes as long either way;
// a fixed hash with today's parameters, so starting the server computes none.
const dummy = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$S7aGsbY0V1v6dTA0QQi6S9TcrfVE2d7d93Z/aM8W1Ss"

// CheckNothing spends the time of one Check, for unknown accounts.
func CheckNothing(plain string) { _, _ = Check(plain, dummy) }

// slots bound the hashes requests compute at once: each takes 19 MiB and a core for tens of
// milliseconds, so a burst of sign-ins waits its turn instead of starving the server.
var slots = make(chan struct{}, runtime.NumCPU())

// bounded runs fn once a hashing slot is free, or fails when ctx ends first.
func bounded(ctx context.Context, fn func()) error {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-slots }()
	fn()
	return nil
}

// HashWithin is Hash in a hashing slot shared by every request.
func HashWithin(ctx context.Context, plain string) (hash string, err error) {
	if berr := bounded(ctx, func() { hash, err = Hash(plain) }); berr != nil {
		return "", berr
	}
	return hash, err
}

// CheckWithin is Check in a hashing slot shared by every request; for an account that does not
// exist (known false) it spends the same time and reports no match.
func CheckWithin(ctx context.Context, plain, encoded string, known bool) (ok bool, err error) {
	if berr := bounded(ctx, func() {
		if !known {
			CheckNothing(plain)
			return
		}
		ok, err = Check(plain, encoded)
	}); berr != nil {
		return false, berr
	}
	return ok, err
}
