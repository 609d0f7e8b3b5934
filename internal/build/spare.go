package build

import (
	"fmt"
	"path/filepath"

	"github.com/sitegen/sitegen/internal/publish"
)

// spareAheadMin is the number of output files from which a build that
// left no spare asks for one to be made ahead (Options.MakeSpare): a
// smaller site's staging folder is made in a blink.
var spareAheadMin = 2000

// MakeSpare makes, beside the site a build wrote to dest, the spare that
// the next build fills instead of making a fresh staging folder: every
// folder of the site, and every file a hard link to the site's
// (publish.MakeSpare), listed with the record of the site that the build
// cache holds. It does nothing when there is a spare already, and the
// next build waits for it to end (a spare being made is the work that
// build would otherwise do). Meant to run in the background after a cold
// build; see Options.MakeSpare.
func MakeSpare(dest string) error {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("making the spare of %s: %w", dest, err)
	}
	return publish.MakeSpare(abs, readPublicTree(abs))
}

// readPublicTree returns the record of the site at dest that the build
// cache holds (cacheState.PublicTree), or nil. Only the header and that
// section are read: the record is checked folder by folder against the
// site's own stamps wherever it is used, so nothing else in the cache
// need vouch for it.
func readPublicTree(dest string) *publish.Tree {
	cf, err := openCacheFile(cachePath(dest), nil)
	if err != nil {
		return nil
	}
	defer cf.f.Close()
	header, err := cf.str(cf.off[secHeader], cf.len[secHeader])
	if err != nil {
		return nil
	}
	r := newCacheReader(header)
	if h := r.header(); r.err != nil || h.Format != cacheFormat || h.Dest != dest {
		return nil
	}
	data, err := cf.bytes(cf.off[secPublicTree], cf.len[secPublicTree])
	if err != nil || len(data) == 0 {
		return nil
	}
	t := new(publish.Tree)
	if t.UnmarshalBinary(data) != nil {
		return nil
	}
	return t
}
