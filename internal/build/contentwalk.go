package build

import (
	"io/fs"
	"slices"
	"sync/atomic"
	"time"

	"github.com/sitegen/sitegen/internal/content"
)

// A contentRecord is what a build's walk of content/ found, for the next
// build to take instead of listing every folder again: each folder the
// walk listed, with its stamp taken before the listing, and the walk's
// problems. The files it found are the build's sources, which the cache
// lists (cachedStamp). The next build stamps the folders; when each has
// the stamp recorded, no name was added to, removed from or renamed in
// any of them (each moves its folder's modification and change times), so
// a walk would find what this one found. A walk that met a folder changed
// within racyWindow (its stamp is not trusted), a folder it could not
// list, or a symbolic link (whose target may change where no folder shows
// it) leaves no record, and the next build walks again.
type contentRecord struct {
	Dirs  []cachedDir
	Probs content.Problems
}

// contentWalks counts the walks of content/ scanContent made, for tests.
var contentWalks atomic.Int64

// A cachedDir is one folder of content/ and its stamp.
type cachedDir struct {
	Path  string // slash-separated, relative to content/; "." for content/ itself
	Stamp stamp
}

// scanContent walks content/ (contentF, at b.contentDir), or, when rec,
// the last build's record, still holds, takes the walk from it: the files
// are then last's, the last build's sources. The scan carries the record
// for the next build.
func (b *Builder) scanContent(contentF fs.FS, rec *contentRecord, last []cachedStamp) (*contentScan, error) {
	if b.contentDir == "" { // not a build to disk: no cache to keep a record
		paths, probs, err := b.theme.loader(contentF).Paths()
		if err != nil {
			return nil, err
		}
		return &contentScan{paths: slices.Sorted(slices.Values(paths)), probs: probs}, nil
	}
	now := time.Now()
	dirs := openFolderStat(b.contentDir)
	defer dirs.close()
	if rec.holds(dirs, now) {
		paths := make([]string, len(last))
		for i := range last {
			paths[i] = last[i].Path
		}
		return &contentScan{paths: paths, probs: rec.Probs, record: rec}, nil
	}
	contentWalks.Add(1)
	rfs := &recordingFS{FS: contentF, dirs: dirs, now: now}
	paths, probs, err := b.theme.loader(rfs).Paths()
	if err != nil {
		return nil, err
	}
	scan := &contentScan{paths: slices.Sorted(slices.Values(paths)), probs: probs}
	if !rfs.untrusted {
		scan.record = &contentRecord{Dirs: rfs.listed, Probs: probs}
	}
	return scan, nil
}

// same reports whether rec and o record the same walk.
func (rec *contentRecord) same(o *contentRecord) bool {
	if rec == nil || o == nil {
		return rec == o
	}
	return slices.Equal(rec.Dirs, o.Dirs) &&
		slices.EqualFunc(rec.Probs, o.Probs, func(p, q *content.Problem) bool { return *p == *q })
}

// holds reports whether every folder rec lists has the stamp recorded.
func (rec *contentRecord) holds(dirs *folderStat, now time.Time) bool {
	if rec == nil || len(rec.Dirs) == 0 {
		return false
	}
	for _, d := range rec.Dirs {
		st, _, err := dirs.stamp(d.Path, false)
		if err != nil || st != d.Stamp || now.Sub(time.Unix(0, st.Mtime)) < racyWindow {
			return false
		}
	}
	return true
}

// A recordingFS is a content folder that stamps each folder a walk lists,
// before listing it.
type recordingFS struct {
	fs.FS
	dirs      *folderStat
	now       time.Time
	listed    []cachedDir
	untrusted bool // a folder not stamped or listed, or a symbolic link
}

func (r *recordingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	st, _, err := r.dirs.stamp(name, false)
	if err != nil || r.now.Sub(time.Unix(0, st.Mtime)) < racyWindow {
		r.untrusted = true
	}
	ents, err := fs.ReadDir(r.FS, name)
	if err != nil {
		r.untrusted = true
	}
	for _, e := range ents {
		if e.Type()&fs.ModeSymlink != 0 {
			r.untrusted = true
		}
	}
	if !r.untrusted {
		r.listed = append(r.listed, cachedDir{name, st})
	}
	return ents, err
}
