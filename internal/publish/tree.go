package publish

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// A dirEntry is one name in a folder as readDir reports it.
type dirEntry struct {
	name  string
	dir   bool
	ino   uint64 // the inode the folder's listing gives; 0 when it gives none
	known bool   // dir and ino are known from the listing alone
}

// errInodesDiffer says that a folder listing's inode numbers are not the
// ones lstat gives (some overlay file systems), so they cannot be used.
var errInodesDiffer = errors.New("listed inode numbers differ from lstat's")

// A Tree records what a folder tree held when a build last looked at it:
// each folder's stamp (inode, modification and change time), its files
// with their inodes, and its folders. A later build takes a folder's
// entries from the record instead of listing it only when the folder's
// stamp is still the recorded one. Any name added to, removed from or
// renamed in a folder moves its modification and change times (and a
// change time cannot be set back), so an unchanged stamp means unchanged
// entries: a file replaced, deleted or added by hand, or by a build killed
// while filling the folder, is seen as surely as by listing it. What
// happens to a file's bytes in place is not a folder's business: a spare's
// file counts as the site's only when it is the very inode the site holds,
// whose own stamp the caller checks.
//
// A folder is recorded with its stamp only when it had not changed for
// dirRacyWindow when it was looked at (a change within the same clock
// tick would keep its times), and only when the build that records it did
// not change it itself; every other folder is listed again next time. The
// top folder, renamed by every swap, is always listed.
type Tree struct {
	ino  uint64   // the top folder's inode: the record holds for that folder only
	root *treeDir // the top folder, "."
}

type treeDir struct {
	name  string
	stamp dirStamp   // zero: not to be trusted; list the folder
	files []treeFile // when stamp is not zero, sorted by name
	dirs  []*treeDir // sorted by name; kept under a folder that is listed, for their own stamps
}

type treeFile struct {
	name string
	ino  uint64
}

// A dirStamp identifies one state of a folder's entries. The zero stamp
// matches nothing.
type dirStamp struct {
	ino          uint64
	mtime, ctime int64
}

// dirRacyWindow is how long a folder must have stayed unchanged to be
// recorded with its stamp: times move in clock ticks (a second or two on
// some file systems), so a change within the tick of the look would not
// show. Where a stamp's times have a fraction of a second, the file system
// keeps nanoseconds (ext4, XFS, Btrfs, tmpfs) and its times move with the
// kernel's clock tick, at most 10 ms: dirRacyWindowFine, ten times that,
// is enough there. Tests set both to 0.
var (
	dirRacyWindow     = 2 * time.Second
	dirRacyWindowFine = 100 * time.Millisecond
)

// settledAt reports whether a folder with stamp st had not changed for
// its racy window at the time t, so that its stamp can be trusted.
func settledAt(st dirStamp, t time.Time) bool {
	if st == (dirStamp{}) {
		return false
	}
	window := dirRacyWindow
	if st.mtime%int64(time.Second) != 0 || st.ctime%int64(time.Second) != 0 {
		window = dirRacyWindowFine
	}
	limit := t.Add(-window).UnixNano()
	return st.mtime < limit && st.ctime < limit
}

// child returns d's folder named name, or nil.
func (d *treeDir) child(name string) *treeDir {
	if d == nil {
		return nil
	}
	i, ok := slices.BinarySearchFunc(d.dirs, name, func(c *treeDir, n string) int { return strings.Compare(c.name, n) })
	if !ok {
		return nil
	}
	return d.dirs[i]
}

// find returns the folder at the forward-slash path rel, or nil.
func (d *treeDir) find(rel string) *treeDir {
	for _, part := range strings.Split(rel, "/") {
		if d = d.child(part); d == nil {
			return nil
		}
	}
	return d
}

// distrust marks the folder at rel, if the record has it, as one to list
// again.
func (t *Tree) distrust(rel string) {
	if t == nil {
		return
	}
	if rel == "." {
		t.root.stamp, t.root.files = dirStamp{}, nil
		return
	}
	if d := t.root.find(rel); d != nil {
		d.stamp, d.files = dirStamp{}, nil
	}
}

// A treeListing is what a folder tree holds, by forward-slash path
// relative to it: every file with its inode and every folder below the
// top, in no particular order; and the record of it for the next build.
// A nil listing holds nothing.
type treeListing struct {
	files  []listedFile
	dirs   []string
	fileAt map[string]int32 // index in files by path
	dirAt  map[string]int32 // index in dirs by path
	tree   *Tree
}

// file returns the index in l.files of the file at rel.
func (l *treeListing) file(rel string) (int, bool) {
	if l == nil {
		return 0, false
	}
	i, ok := l.fileAt[rel]
	return int(i), ok
}

// dir returns the index in l.dirs of the folder at rel.
func (l *treeListing) dir(rel string) (int, bool) {
	if l == nil {
		return 0, false
	}
	i, ok := l.dirAt[rel]
	return int(i), ok
}

// listTree returns every file under dir with its inode, and every folder,
// by forward-slash path relative to dir, taking from rec (which may be
// nil) the entries of every folder whose stamp it holds. The top-level
// folders are walked on all cores. Where the system's folder listing
// carries inode numbers (getdents on Linux) no file is stat'ed: a folder
// is listed with one read rather than a stat per file. The first file
// listed by each walk is stat'ed all the same, and when its listed inode
// is not lstat's the whole tree is listed again the slow way.
func listTree(dir string, rec *Tree) (*treeListing, error) {
	l, err := walkTree(dir, true, rec)
	if errors.Is(err, errInodesDiffer) {
		l, err = walkTree(dir, false, rec)
	}
	return l, err
}

func walkTree(dir string, listed bool, rec *Tree) (*treeListing, error) {
	now := time.Now()
	topStamp, err := statDir(dir)
	if err != nil {
		return nil, err
	}
	top, err := readDir(dir, listed)
	if err != nil {
		return nil, err
	}
	var recRoot *treeDir
	if rec != nil && rec.ino != 0 && rec.ino == topStamp.ino {
		recRoot = rec.root
	}
	nodes := make([]*treeDir, len(top))
	walks := make([]*treeWalk, len(top))
	fd := openDir(dir)
	defer closeDir(fd)
	raw := localDir(fd)
	err = forEach(len(top), func(i int) error {
		w := &treeWalk{dir: dir, fd: fd, raw: raw, listed: listed, now: now}
		walks[i] = w
		node, err := w.visit(top[i].name, top[i], recRoot.child(top[i].name))
		nodes[i] = node
		return err
	})
	if err != nil {
		return nil, err
	}
	// The listing's maps are made once, at their size, from what the
	// walks found: at 80,000 files and folders, growing them, or merging
	// one map per walk into them, cost more than the walks' stats.
	nf, nd := 0, 0
	for _, w := range walks {
		nf, nd = nf+len(w.files), nd+len(w.dirs)
	}
	l := &treeListing{files: make([]listedFile, 0, nf), dirs: make([]string, 0, nd),
		fileAt: make(map[string]int32, nf), dirAt: make(map[string]int32, nd)}
	for _, w := range walks {
		for _, f := range w.files {
			l.fileAt[f.rel] = int32(len(l.files))
			l.files = append(l.files, f)
		}
		for _, d := range w.dirs {
			l.dirAt[d] = int32(len(l.dirs))
			l.dirs = append(l.dirs, d)
		}
	}
	root := &treeDir{name: "."} // never trusted: every swap renames it
	for _, n := range nodes {
		if n != nil {
			root.dirs = append(root.dirs, n)
		}
	}
	slices.SortFunc(root.dirs, func(a, b *treeDir) int { return strings.Compare(a.name, b.name) })
	l.tree = &Tree{ino: topStamp.ino, root: root}
	return l, nil
}

// listedFolders counts the folders below the top that walks listed rather
// than took from a record, for tests.
var listedFolders atomic.Int64

// A treeWalk walks one top-level folder of a tree.
type treeWalk struct {
	dir     string
	fd      int  // dir open for statDirAt, or -1
	raw     bool // statDirAt's
	listed  bool
	now     time.Time
	checked bool // a listed file's inode was compared with lstat's
	files   []listedFile
	dirs    []string
}

// A listedFile is a file a treeWalk found: its path from the top and inode.
type listedFile struct {
	rel string
	ino uint64
}

// visit notes the entry e at rel and, for a folder, everything under it,
// taking the entries of each folder whose stamp rec records from rec. It
// returns the folder's record for the next build, or nil for a file.
func (w *treeWalk) visit(rel string, e dirEntry, rec *treeDir) (*treeDir, error) {
	if !e.known {
		fi, err := os.Lstat(w.abs(rel))
		if err != nil {
			return nil, err
		}
		e.dir, e.ino = fi.IsDir(), inode(fi)
	} else if !e.dir && w.listed && !w.checked {
		w.checked = true
		fi, err := os.Lstat(w.abs(rel))
		if err != nil {
			return nil, err
		}
		if inode(fi) != e.ino {
			return nil, errInodesDiffer
		}
	}
	if !e.dir {
		w.files = append(w.files, listedFile{rel, e.ino})
		return nil, nil
	}
	w.dirs = append(w.dirs, rel)
	// The stamp before the entries: a change in between shows next time.
	st, err := statDirAt(w.fd, w.raw, w.dir, rel)
	if err != nil {
		return nil, err
	}
	node := &treeDir{name: path.Base(rel)}
	if rec != nil && rec.stamp != (dirStamp{}) && rec.stamp == st {
		node.stamp, node.files = st, rec.files
		for _, f := range rec.files {
			w.files = append(w.files, listedFile{rel + "/" + f.name, f.ino})
		}
		for _, sub := range rec.dirs {
			c, err := w.visit(rel+"/"+sub.name, dirEntry{name: sub.name, dir: true, known: true}, sub)
			if err != nil {
				return nil, err
			}
			node.dirs = append(node.dirs, c)
		}
		return node, nil
	}
	listedFolders.Add(1)
	ents, err := readDir(w.abs(rel), w.listed)
	if err != nil {
		return nil, err
	}
	if w.settled(st) {
		node.stamp = st
	}
	slices.SortFunc(ents, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	for _, c := range ents {
		crel := rel + "/" + c.name
		sub, err := w.visit(crel, c, rec.child(c.name))
		if err != nil {
			return nil, err
		}
		switch {
		case sub != nil:
			node.dirs = append(node.dirs, sub)
		case node.stamp != (dirStamp{}):
			node.files = append(node.files, treeFile{c.name, w.files[len(w.files)-1].ino})
		}
	}
	return node, nil
}

// abs returns the path of the entry at rel.
func (w *treeWalk) abs(rel string) string { return filepath.Join(w.dir, filepath.FromSlash(rel)) }

// settled reports whether a folder with stamp st had not changed for its
// racy window when the walk began, so that its stamp can be trusted.
func (w *treeWalk) settled(st dirStamp) bool { return settledAt(st, w.now) }

// readDirPortable lists a folder through os.ReadDir: names and types, no
// inodes.
func readDirPortable(dir string) ([]dirEntry, error) {
	ents, err := os.ReadDir(dir)
	out := make([]dirEntry, 0, len(ents))
	for _, e := range ents {
		// A folder needs nothing more; a file's inode needs a stat.
		out = append(out, dirEntry{name: e.Name(), dir: e.IsDir(), known: e.IsDir()})
	}
	return out, err
}
