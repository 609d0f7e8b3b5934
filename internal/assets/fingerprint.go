// Package assets gives a site's stylesheets and scripts content-hashed
// names ("style.css" -> "style.3f9a2c71d0.css"), so that a host may cache
// them for a year: a changed file gets a new name, and pages link to it.
//
// It reads the asset folders and hands out names and bytes; copying the
// folders into the output is left to the build.
package assets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// hashedExt are the extensions that get a hashed copy: the files that
// templates link to and browsers cache. Images keep their names, since
// stylesheets refer to them by name.
var hashedExt = map[string]bool{".css": true, ".js": true, ".mjs": true}

// Fingerprints maps asset paths to their content-hashed copies.
type Fingerprints struct {
	names map[string]string // "style.css" -> "style.3f9a2c71d0.css"
	files map[string][]byte // "style.3f9a2c71d0.css" -> content
}

// Fingerprint hashes the stylesheets and scripts of the asset folders,
// where a file in a later folder replaces the file of the same path in an
// earlier one (the site's assets/ over the theme's).
func Fingerprint(layers ...fs.FS) (*Fingerprints, error) {
	top := map[string]fs.FS{}
	for _, fsys := range layers {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.Type().IsRegular() && hashedExt[path.Ext(p)] {
				top[p] = fsys
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading assets: %w", err)
		}
	}
	f := &Fingerprints{names: map[string]string{}, files: map[string][]byte{}}
	for p, fsys := range top {
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("reading asset %s: %w", p, err)
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		f.names[p] = hashed
		f.files[hashed] = data
	}
	return f, nil
}

// Path returns the hashed site path of the asset at site path p
// ("/style.css" -> "/style.3f9a2c71d0.css"), or p itself for a file
// without a hashed copy.
func (f *Fingerprints) Path(p string) string {
	if h, ok := f.names[strings.TrimPrefix(p, "/")]; ok {
		return "/" + h
	}
	return p
}

// Files returns the hashed copies' paths, relative to the site root, sorted.
func (f *Fingerprints) Files() []string {
	names := make([]string, 0, len(f.files))
	for n := range f.files {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Content returns the bytes of the hashed copy at path, as Files names it.
func (f *Fingerprints) Content(path string) []byte { return f.files[path] }
