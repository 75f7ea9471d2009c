// Package static embeds the stylesheets and vendored scripts served under /static/.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

// FS holds css/ and js/ (js/VERSIONS and js/SHA256SUMS say where each vendored file came from).
//
//go:embed css js
var FS embed.FS

// Version is a content hash of every embedded file; it goes in asset URLs so browsers can cache
// them forever and still fetch new ones after an upgrade.
var Version = func() string {
	h := sha256.New()
	_ = fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()
