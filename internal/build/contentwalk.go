package build

import (
	"io/fs"
	"path"
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
// a walk would find what this one found. A folder changed within
// racyWindow is recorded with no stamp (its stamp is not trusted): the
// next build lists it again, and the folders whose stamps hold it takes
// from the record. A walk that met a folder it could not stamp or list, or
// a symbolic link (whose target may change where no folder shows it)
// leaves no record, and the next build walks again.
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
// are then last's, the last build's sources. When only some folders
// changed (an editor that saves by renaming a new file over the old
// changes its folder), the walk lists those and takes the others' entries
// from the record. The scan carries the record for the next build.
func (b *Builder) scanContent(contentF fs.FS, rec *contentRecord, last []cachedStamp) (*contentScan, error) {
	if b.contentDir == "" { // not a build to disk: no cache to keep a record
		paths, probs, err := b.theme.loader(contentF).Paths()
		if err != nil {
			return nil, err
		}
		slices.Sort(paths) // the walk's order, but for names that sort before "/"
		return &contentScan{paths: paths, probs: probs}, nil
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
	rfs := &recordingFS{FS: contentF, dirs: dirs, now: now, last: recordedEntries(rec, last)}
	paths, probs, err := b.theme.loader(rfs).Paths()
	if err != nil {
		return nil, err
	}
	slices.Sort(paths)
	scan := &contentScan{paths: paths, probs: probs}
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

	// The folders of the last walk's record, with what the walk used of
	// their entries (see recordedEntries): a folder with the stamp
	// recorded is not listed again.
	last map[string]*recordedDir
}

// contentDirsRead counts the folders of content/ a walk listed, for tests.
var contentDirsRead atomic.Int64

func (r *recordingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	st, _, err := r.dirs.stamp(name, false)
	if err != nil {
		r.untrusted = true
	}
	racy := err == nil && r.now.Sub(time.Unix(0, st.Mtime)) < racyWindow
	if d := r.last[name]; err == nil && !racy && d != nil && d.stamp == st {
		// No name was added, removed or renamed in it since the last walk.
		r.listed = append(r.listed, cachedDir{name, st})
		return d.entries(r.FS, name), nil
	}
	contentDirsRead.Add(1)
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
		if racy {
			// Changed just now, it may change again within its clock
			// tick unseen: recorded with no stamp, it is listed again.
			st = stamp{}
		}
		r.listed = append(r.listed, cachedDir{name, st})
	}
	return ents, err
}

// A recordedDir is a folder of the last walk: its stamp then, and the
// names of the entries that walk used, each list sorted: its subfolders
// and its articles (a skipped name gives the walk nothing).
type recordedDir struct {
	stamp stamp
	dirs  []string
	files []string
}

// recordedEntries returns the folders of rec, the last walk's record, that
// a walk may take from it, with their entries: the subfolders rec lists and
// the files last, that walk's sources, holds. A folder with a problem of
// its own entries (a file that is not an article, or not a regular file)
// is listed again: the record does not say what kind of entry it was.
func recordedEntries(rec *contentRecord, last []cachedStamp) map[string]*recordedDir {
	if rec == nil || len(rec.Dirs) == 0 {
		return nil
	}
	dirs := make(map[string]*recordedDir, len(rec.Dirs))
	for _, d := range rec.Dirs {
		dirs[d.Path] = &recordedDir{stamp: d.Stamp}
	}
	parent := func(p string) (*recordedDir, string) {
		dir, name := path.Split(p)
		if dir == "" {
			return dirs["."], name
		}
		return dirs[dir[:len(dir)-1]], name
	}
	for _, d := range rec.Dirs {
		if d.Path == "." {
			continue
		}
		if pd, name := parent(d.Path); pd != nil {
			pd.dirs = append(pd.dirs, name)
		}
	}
	for _, s := range last {
		pd, name := parent(s.Path)
		if pd == nil {
			return nil // a source outside the folders recorded: the record is not the walk's
		}
		pd.files = append(pd.files, name)
	}
	for _, p := range rec.Probs {
		if pd, _ := parent(p.Path); pd != nil {
			pd.stamp = stamp{} // never a folder's stamp: listed again
		}
	}
	return dirs
}

// entries returns d's entries, sorted by name as fs.ReadDir sorts them
// (merging its subfolders and files, each sorted); name is d's path in
// fsys.
func (d *recordedDir) entries(fsys fs.FS, name string) []fs.DirEntry {
	ents := make([]fs.DirEntry, 0, len(d.dirs)+len(d.files))
	recs := make([]recordedEntry, 0, cap(ents)) // one allocation, not one per entry
	dirs, files := d.dirs, d.files
	for len(dirs) > 0 || len(files) > 0 {
		if len(files) == 0 || len(dirs) > 0 && dirs[0] < files[0] {
			recs = append(recs, recordedEntry{fsys, name, dirs[0], true})
			dirs = dirs[1:]
		} else {
			recs = append(recs, recordedEntry{fsys, name, files[0], false})
			files = files[1:]
		}
		ents = append(ents, &recs[len(recs)-1])
	}
	return ents
}

// A recordedEntry is a folder or regular file a walk takes from the record.
type recordedEntry struct {
	fsys         fs.FS
	parent, name string
	dir          bool
}

func (e recordedEntry) Name() string { return e.name }
func (e recordedEntry) IsDir() bool  { return e.dir }

func (e recordedEntry) Type() fs.FileMode {
	if e.dir {
		return fs.ModeDir
	}
	return 0
}

func (e recordedEntry) Info() (fs.FileInfo, error) {
	return fs.Stat(e.fsys, path.Join(e.parent, e.name))
}
