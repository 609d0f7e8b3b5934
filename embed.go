// Package sitegen holds the default theme that every build falls back on:
// the templates/, assets/ and i18n/ folders at the root of this repository,
// embedded in the binary.
package sitegen

import (
	"embed"
	"io/fs"
)

//go:embed templates assets i18n
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
