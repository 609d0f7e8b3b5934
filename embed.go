// Package sitegen holds the default theme that every build falls back on:
// the templates/, assets/ and i18n/ folders at the root of this repository,
// embedded in the binary.
package sitegen

import (
	"embed"
	"io/fs"
)

// The templates are named by a pattern, not the folder, so that partials
// named _*.html are embedded too (a folder pattern leaves out "_" files).
//
//go:embed templates/*.html assets i18n
var theme embed.FS

// DefaultTemplates is the default templates/ folder.
func DefaultTemplates() fs.FS { return sub("templates") }

// DefaultAssets is the default assets/ folder.
func DefaultAssets() fs.FS { return sub("assets") }

// DefaultI18n is the default i18n/ folder: one LANG.yaml per language.
func DefaultI18n() fs.FS { return sub("i18n") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(theme, dir)
	if err != nil {
		panic(err) // unreachable: dir is embedded above
	}
	return f
}
