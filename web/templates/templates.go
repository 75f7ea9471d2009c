// Package templates embeds the HTML templates: layouts/, partials/ (named fragments pages and
// HTMX responses share) and pages/.
package templates

import "embed"

//go:embed layouts partials pages
var FS embed.FS
