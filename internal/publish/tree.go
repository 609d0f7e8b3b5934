package publish

import (
	"errors"
	"iter"
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
	files []treeFile // sorted by name; recorded only when stamp is not zero
	dirs  []*treeDir // sorted by name; kept under a folder that is listed, for their own stamps

	// In a listing (treeListing): the number of the folder's first file,
	// and its index among the folders. Not recorded.
	first, at int32
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
// relative to it: its folders, each with its files, and the record of it
// for the next build. The listing's folders are the record's (Tree.root
// and below): a folder the record vouched for, with everything under it,
// is the record's very treeDir, so that a tree of 80,000 folders that
// changed in a few costs a few new ones. The files are numbered, a
// folder's from its first, for callers that note something of each; the
// folders below the top likewise (at). A nil listing holds nothing.
type treeListing struct {
	tree   *Tree
	dirs   []*treeDir       // the folders below the top, by their at
	rels   []string         // their paths
	dirAt  map[string]int32 // index in dirs by path
	nfiles int              // files listed, the top folder's first
}

// file returns the number and inode of the file at rel.
func (l *treeListing) file(rel string) (i int, ino uint64, ok bool) {
	if l == nil {
		return 0, 0, false
	}
	d, name := l.tree.root, rel
	if k := strings.LastIndexByte(rel, '/'); k >= 0 {
		at, ok := l.dirAt[rel[:k]]
		if !ok {
			return 0, 0, false
		}
		d, name = l.dirs[at], rel[k+1:]
	}
	j, ok := slices.BinarySearchFunc(d.files, name, func(f treeFile, n string) int { return strings.Compare(f.name, n) })
	if !ok {
		return 0, 0, false
	}
	return int(d.first) + j, d.files[j].ino, true
}

// dir returns the index in l.dirs of the folder at rel.
func (l *treeListing) dir(rel string) (int, bool) {
	if l == nil {
		return 0, false
	}
	i, ok := l.dirAt[rel]
	return int(i), ok
}

// folders yields every folder listed with its path, the top first (".").
func (l *treeListing) folders() iter.Seq2[string, *treeDir] {
	return func(yield func(string, *treeDir) bool) {
		if l == nil || !yield(".", l.tree.root) {
			return
		}
		for i, d := range l.dirs {
			if !yield(l.rels[i], d) {
				return
			}
		}
	}
}

// filePath returns the path of the file name in the folder at dir.
func filePath(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

// listTree returns every file under dir with its inode, and every folder,
// by forward-slash path relative to dir, taking from rec (which may be
// nil) the entries of every folder whose stamp it holds; the listing takes
// rec's folders over (see treeListing). The top-level folders are walked
// on all cores. Where the system's folder listing carries inode numbers
// (getdents on Linux) no file is stat'ed: a folder is listed with one read
// rather than a stat per file. The first file listed by each walk is
// stat'ed all the same, and when its listed inode is not lstat's the whole
// tree is listed again the slow way.
func listTree(dir string, rec *Tree) (*treeListing, error) { return listTreeSharing(dir, rec, nil) }

// listTreeSharing is listTree sharing the cores by slots (see ListSpare):
// each folder's stat takes one for its duration. nil: no sharing.
func listTreeSharing(dir string, rec *Tree, slots chan struct{}) (*treeListing, error) {
	l, err := walkTree(dir, true, rec, slots)
	if errors.Is(err, errInodesDiffer) {
		l, err = walkTree(dir, false, rec, slots)
	}
	return l, err
}

func walkTree(dir string, listed bool, rec *Tree, slots chan struct{}) (*treeListing, error) {
	now := time.Now()
	topStamp, err := statDir(dir)
	if err != nil {
		return nil, err
	}
	top, err := readDir(dir, listed)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(top, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	var recRoot *treeDir
	if rec != nil && rec.ino != 0 && rec.ino == topStamp.ino {
		recRoot = rec.root
	}
	fd := openDir(dir)
	defer closeDir(fd)
	raw := localDir(fd)
	root := &treeDir{name: "."} // never trusted: every swap renames it
	tw := &treeWalk{dir: dir, fd: fd, raw: raw, listed: listed, now: now, slots: slots}
	var subs []dirEntry
	for _, e := range top {
		e, err := tw.entry(e.name, e)
		if err != nil {
			return nil, err
		}
		if e.dir {
			subs = append(subs, e)
		} else {
			root.files = append(root.files, treeFile{e.name, e.ino})
		}
	}
	root.dirs = make([]*treeDir, len(subs))
	walks := make([]*treeWalk, len(subs))
	err = forEach(len(subs), func(i int) error {
		w := &treeWalk{dir: dir, fd: fd, raw: raw, listed: listed, now: now, slots: slots}
		walks[i] = w
		node, err := w.visit(subs[i].name, recRoot.child(subs[i].name))
		root.dirs[i] = node
		return err
	})
	if err != nil {
		return nil, err
	}
	// The folders numbered, and indexed by path, once the walks are done:
	// the map made at its size (growing it, or merging one per walk, cost
	// more than the walks' stats at 80,000 folders).
	nd := 0
	for _, w := range walks {
		nd += len(w.dirs)
	}
	l := &treeListing{dirs: make([]*treeDir, 0, nd), rels: make([]string, 0, nd), dirAt: make(map[string]int32, nd)}
	root.first, l.nfiles = 0, len(root.files)
	for _, w := range walks {
		for i, d := range w.dirs {
			d.at, d.first = int32(len(l.dirs)), int32(l.nfiles)
			l.nfiles += len(d.files)
			l.dirAt[w.rels[i]] = d.at
			l.dirs = append(l.dirs, d)
			l.rels = append(l.rels, w.rels[i])
		}
	}
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
	slots   chan struct{} // taken for each folder's stat; nil: none (see listTreeSharing)
	checked bool          // a listed file's inode was compared with lstat's
	dirs    []*treeDir    // the folders visited, in no particular order
	rels    []string      // their paths
}

// entry returns e, the entry at rel as its folder's listing gave it, with
// whether it is a folder and, for a file, its inode.
func (w *treeWalk) entry(rel string, e dirEntry) (dirEntry, error) {
	if !e.known {
		fi, err := os.Lstat(w.abs(rel))
		if err != nil {
			return e, err
		}
		e.dir, e.ino = fi.IsDir(), inode(fi)
	} else if !e.dir && w.listed && !w.checked {
		w.checked = true
		fi, err := os.Lstat(w.abs(rel))
		if err != nil {
			return e, err
		}
		if inode(fi) != e.ino {
			return e, errInodesDiffer
		}
	}
	return e, nil
}

// visit returns the folder at rel with everything under it, taking the
// entries of each folder whose stamp rec (its record, or nil) holds from
// rec: rec itself when the whole of it is as recorded.
func (w *treeWalk) visit(rel string, rec *treeDir) (*treeDir, error) {
	// The stamp before the entries: a change in between shows next time.
	if w.slots != nil {
		w.slots <- struct{}{}
	}
	st, err := statDirAt(w.fd, w.raw, w.dir, rel)
	if w.slots != nil {
		<-w.slots
	}
	if err != nil {
		return nil, err
	}
	if rec != nil && rec.stamp != (dirStamp{}) && rec.stamp == st {
		var dirs []*treeDir // made once a folder under it is not the record's
		for i, sub := range rec.dirs {
			c, err := w.visit(rel+"/"+sub.name, sub)
			if err != nil {
				return nil, err
			}
			if c != sub && dirs == nil {
				dirs = append(make([]*treeDir, 0, len(rec.dirs)), rec.dirs[:i]...)
			}
			if dirs != nil {
				dirs = append(dirs, c)
			}
		}
		node := rec
		if dirs != nil {
			node = &treeDir{name: rec.name, stamp: st, files: rec.files, dirs: dirs}
		}
		w.note(rel, node)
		return node, nil
	}
	listedFolders.Add(1)
	ents, err := readDir(w.abs(rel), w.listed)
	if err != nil {
		return nil, err
	}
	node := &treeDir{name: path.Base(rel)}
	if w.settled(st) {
		node.stamp = st
	}
	slices.SortFunc(ents, func(a, b dirEntry) int { return strings.Compare(a.name, b.name) })
	for _, c := range ents {
		crel := rel + "/" + c.name
		c, err := w.entry(crel, c)
		if err != nil {
			return nil, err
		}
		if !c.dir {
			node.files = append(node.files, treeFile{c.name, c.ino})
			continue
		}
		sub, err := w.visit(crel, rec.child(c.name))
		if err != nil {
			return nil, err
		}
		node.dirs = append(node.dirs, sub)
	}
	w.note(rel, node)
	return node, nil
}

// note adds the folder d at rel to the walk's.
func (w *treeWalk) note(rel string, d *treeDir) {
	w.dirs = append(w.dirs, d)
	w.rels = append(w.rels, rel)
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
