// Package publish writes a built site to its destination folder atomically.
//
// A build writes every file into a staging folder beside the destination and
// swaps it in only when the whole build succeeded, so that a failed, killed or
// interrupted build leaves the previous site exactly as it was, and a reader
// of the destination sees at every instant one whole site. A build that
// changes few files hard-links the unchanged ones from the previous site
// (LinkFiles) instead of writing them, so they keep their inode and mtime.
// The package knows nothing of pages or templates: it writes bytes under
// relative paths.
package publish

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A Staging is a folder being filled with the next version of a site.
// Its methods may be called from several goroutines at once.
type Staging struct {
	dest string // the destination folder, absolute
	dir  string // the staging folder beside it
	old  string // after Commit: where the previous site went, "" if none

	// leftovers are the staging and old folders that earlier builds left
	// beside the destination (killed, or still being deleted in the
	// background), and a spare that a whole new site makes useless:
	// deleted after Commit, not before, so that deleting them is off the
	// build's path.
	leftovers []string

	// Filling the spare (BeginReuse) instead of a fresh folder.
	reuse bool
	spare *treeListing // the files and folders the spare held
	// staged notes, by index in spare.files, the spare's files staged so
	// far (taken as they are, or replaced); needed, by index in
	// spare.dirs, the spare's folders the new site needs (MakeDirs). Each
	// entry is written only by the goroutine staging that path.
	staged, needed []bool
	mu             sync.Mutex
	linked         atomic.Bool     // LinkFiles linked files of the previous site
	tree           *Tree           // the record of the spare as listed; after Commit, of the site at dest
	touched        map[string]bool // the spare's folders whose entries the build changed or tried to, under mu

	committed       bool
	previousIsSpare bool // after Commit: see PreviousIsSpare
	dirsMade        bool // MakeDirs made every folder WriteFileStat needs

	// In a fresh staging folder: every file staged, by path, with its
	// inode, 0 where it is not known (noted by claim, which every write
	// makes first), for the record of the new site (madeTree). Under mu.
	made    map[string]uint64
	swapped time.Time // when Commit swapped the site in
}

// Begin creates a fresh staging folder beside dest. It first finishes an
// update journal an older sitegen left (Recover), and notes what earlier
// builds left beside dest for Cleanup or Detach; a spare folder (see
// BeginReuse) is among them, since it shares no files with a site written
// whole.
func Begin(dest string) (*Staging, error) {
	return begin(dest, false, nil)
}

// BeginReuse is Begin for a site most of whose files the previous one
// holds, to be staged with LinkFiles: it stages into the spare beside dest
// (".NAME.spare"), the site before the previous one that an earlier
// BeginReuse build kept, if there is one, instead of a fresh folder. Most
// of the spare's files are then already links to the previous site's and
// stay as they are, so a build that changes a few files costs a few
// writes, where a fresh folder costs a folder per page and a link per
// file. Commit deletes the spare's files that the new site lacks before
// the swap, and keeps the previous site as the next spare. The spare is
// never trusted: every file is checked against the previous site's, by
// inode, so one that a killed build left half updated is as good.
func BeginReuse(dest string) (*Staging, error) {
	return begin(dest, true, nil)
}

// A SpareListing is the listing of the spare beside a destination, made in
// the background by ListSpare while the caller does other work.
type SpareListing struct {
	dir      string
	done     chan struct{}
	stop     chan struct{} // closed by Stop
	stopOnce sync.Once
	making   atomic.Bool // a MakeSpare held the spare when the listing began
	listing  *treeListing
	err      error
}

// ListSpare starts listing the spare beside dest, which BeginReuse would
// list, and returns at once; nil when there is no spare. rec, when not
// nil, is the record of the spare that the build which made it left
// (Staging.Tree): the entries of every folder whose stamp is still the one
// recorded are taken from it, so that a spare of 78,000 folders costs a
// stat of each instead of reading each one, and the listing takes its
// folders over (rec is the listing's from then on). Even so it takes a
// good part of a second of system calls, which a build can overlap with
// reading its cache and indexing its site. The spare is checked file by
// file against the previous site all the same, as BeginReuse checks it: a
// listing made earlier is as good as one made later. A spare that
// MakeSpare is still making is waited for first (see spare.go), and listed
// with the record MakeSpare left when rec is not that folder's.
//
// slots, when not nil, shares the cores between the listing and the
// caller's own work: each folder's stat takes a slot of it (a send) for
// its duration, so that a caller holding one slot of as many as there are
// cores keeps a core for itself while the listing uses the others. The
// caller must leave a slot free while it waits for the listing.
func ListSpare(dest string, rec *Tree, slots chan struct{}) *SpareListing {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return nil
	}
	if fi, err := os.Lstat(sparePath(abs)); err != nil || !fi.IsDir() {
		return nil
	}
	l := &SpareListing{dir: sparePath(abs), done: make(chan struct{}), stop: make(chan struct{})}
	go func() {
		defer close(l.done)
		l.listing, l.err = listSpare(abs, l.dir, rec, slots, l.stop, &l.making)
	}()
	return l
}

// Making reports whether the listing is waiting for a MakeSpare that is
// still making the spare, for a caller that would say why it waits.
func (l *SpareListing) Making() bool {
	if l == nil {
		return false
	}
	select {
	case <-l.done:
		return false
	default:
		return l.making.Load()
	}
}

// Wait waits for the listing to end. It may be called any number of times.
func (l *SpareListing) Wait() {
	if l != nil {
		<-l.done
	}
}

// Stop ends the listing early, should it still be waiting for a spare
// being made, and waits for it to end: for a build that returns without
// staging.
func (l *SpareListing) Stop() {
	if l != nil {
		l.stopOnce.Do(func() { close(l.stop) })
		<-l.done
	}
}

// BeginReuseListed is BeginReuse with the spare's listing made by
// ListSpare (nil: list it now).
func BeginReuseListed(dest string, l *SpareListing) (*Staging, error) {
	return begin(dest, true, l)
}

func begin(dest string, reuse bool, listed *SpareListing) (*Staging, error) {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return nil, fmt.Errorf("destination %s: %w", dest, err)
	}
	if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("destination %s exists and is not a folder; remove it or choose another --dest", dest)
	}
	parent := filepath.Dir(abs)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", parent, err)
	}
	if err := Recover(abs); err != nil {
		return nil, err
	}
	s := &Staging{dest: abs, leftovers: findLeftovers(abs), reuse: reuse}
	if reuse {
		if fi, err := os.Lstat(sparePath(abs)); err == nil && fi.IsDir() {
			s.dir, s.touched = sparePath(abs), map[string]bool{}
			var l *treeListing
			if listed != nil && listed.dir == s.dir {
				listed.Wait()
				l, err = listed.listing, listed.err
			}
			if listed == nil || listed.dir != s.dir || errors.Is(err, errStopped) {
				l, err = listSpare(abs, s.dir, nil, nil, nil, nil)
			}
			if err == nil {
				s.spare, s.tree = l, l.tree
				s.staged, s.needed = make([]bool, l.nfiles), make([]bool, len(l.dirs))
				return s, nil
			}
		}
	}
	if aside := moveAside(abs, sparePath(abs)); aside != "" {
		s.leftovers = append(s.leftovers, aside)
	}
	s.dir, err = os.MkdirTemp(parent, stagingPrefix(abs))
	if err != nil {
		return nil, fmt.Errorf("creating staging folder beside %s: %w", dest, err)
	}
	if err := os.Chmod(s.dir, 0o755); err != nil {
		os.RemoveAll(s.dir)
		return nil, fmt.Errorf("creating staging folder: %w", err)
	}
	s.reuse, s.spare, s.touched = false, nil, nil
	s.made = map[string]uint64{}
	return s, nil
}

func stagingPrefix(dest string) string { return "." + filepath.Base(dest) + ".staging-" }
func oldPrefix(dest string) string     { return "." + filepath.Base(dest) + ".old-" }
func sparePath(dest string) string {
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".spare")
}

// findLeftovers returns the staging and old folders beside dest: those of
// builds that were killed, and previous sites still being deleted.
func findLeftovers(dest string) []string {
	var found []string
	for _, prefix := range []string{stagingPrefix(dest), oldPrefix(dest)} {
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), prefix+"*"))
		found = append(found, matches...)
	}
	// A spare that a killed MakeSpare made but never named the spare.
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), spareMakingPrefix(dest)+"*"))
	for _, m := range matches {
		if aside := moveAside(dest, m); aside != "" {
			found = append(found, aside)
		}
	}
	return found
}

// Dir returns the staging folder's path.
func (s *Staging) Dir() string { return s.dir }

// path checks that rel names a file inside the site and returns its path in
// the staging folder. No write can land outside the staging folder.
func (s *Staging) path(rel string) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", relError(rel, err)
	}
	return filepath.Join(s.dir, filepath.FromSlash(rel)), nil
}

// relError is the error for a site-relative path rel that checkRel
// refused with err.
func relError(rel string, err error) error {
	return fmt.Errorf("refusing to write %q: not a path inside the site: %v", rel, err)
}

// maxName is the longest file name, in bytes, that common file systems hold.
const maxName = 255

// checkRel says why rel is not a forward-slash path to a file inside the
// site, or returns nil. Everything a build writes passes through it, so it
// is the last guard whatever slugs, aliases or templates produce.
func checkRel(rel string) error {
	switch {
	case strings.ContainsRune(rel, 0):
		return errors.New("NUL byte in the path")
	case strings.Contains(rel, `\`):
		return errors.New("backslash in the path; site paths use /")
	case path.IsAbs(rel) || filepath.IsAbs(rel) || filepath.VolumeName(rel) != "":
		return errors.New("absolute path; site paths are relative to the site root")
	case rel == "" || !filepath.IsLocal(filepath.FromSlash(rel)):
		return errors.New("not a path inside the site (empty, or \"..\" leads out)")
	}
	for rest := rel; rest != ""; {
		seg, after, _ := strings.Cut(rest, "/")
		if len(seg) > maxName {
			return fmt.Errorf("a name of %d bytes; file systems allow %d", len(seg), maxName)
		}
		if seg == ".." {
			return errors.New(`".." in the path`)
		}
		rest = after
	}
	return nil
}

// WriteFile writes data to the site-relative path rel, creating folders.
func (s *Staging) WriteFile(rel string, data []byte) error {
	p, err := s.path(rel)
	if err != nil {
		return err
	}
	if err := s.claim(rel, p); err != nil {
		return writeError("writing", rel, err)
	}
	if err := writeFile(p, data); err != nil {
		return writeError("writing", rel, err)
	}
	return nil
}

// MakeDirs creates the folders of the given site-relative files before
// they are written or linked, parents first, each level of the tree on all
// cores: on ext4 this is much faster than making each folder just before
// its file, and the writes then need no mkdir of their own. After
// MakeDirs, WriteFileStat and LinkFiles handle only files whose folders it
// made. In the spare (BeginReuse) it makes only the folders the spare
// lacks, and notes which folders the new site needs.
func (s *Staging) MakeDirs(files []string) error {
	made := map[string]bool{} // the folders to make
	var levels [][]string     // levels[n]: the folders n+1 deep
	for _, f := range files {
		// Up from the file's folder to the first one noted already.
		for d := path.Dir(f); d != "."; d = path.Dir(d) {
			if i, ok := s.spare.dir(d); ok {
				if s.needed[i] {
					break
				}
				s.needed[i] = true
				continue
			}
			if made[d] {
				break
			}
			made[d] = true
			levels = appendByDepth(levels, d)
		}
	}
	for _, dirs := range levels {
		err := forEachBySiblings(dirs, func(d string) error {
			p, err := s.path(d)
			if err != nil {
				return err
			}
			s.touch(d)
			if _, _, ok := s.spare.file(d); ok {
				os.Remove(p) // a file of the spare where the new site has a folder
			}
			if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return writeError("creating folder", d, err)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	s.dirsMade = true
	return nil
}

// forEachBySiblings calls f for each of dirs, folders of one depth, on all
// cores, the folders of one parent on one core, one after the other (see
// siblingRuns), and returns the first error; after an error the remaining
// runs are skipped. It sorts dirs.
func forEachBySiblings(dirs []string, f func(dir string) error) error {
	siblings := siblingRuns(dirs)
	return forEach(len(siblings)-1, func(k int) error {
		for _, d := range dirs[siblings[k]:siblings[k+1]] {
			if err := f(d); err != nil {
				return err
			}
		}
		return nil
	})
}

// siblingRuns sorts dirs, folders of one depth, and returns where each run
// of folders with the same parent starts, and len(dirs) last. Folders are
// made a run per core: a mkdir holds its parent folder's lock, and
// two cores making folders in the same parent, as when they took
// neighbouring folders in turn, spun on it (rwsem_spin_on_owner, 21% of
// the CPU in perf). At 50,000 articles (78,000 folders) the folders took
// 1.6-2.8 s and 2.4-3.6 s of CPU made so, against 2.1-3.4 s and 3.5-5.2 s
// in turn (four alternating runs; docs/performance.md).
func siblingRuns(dirs []string) []int {
	sort.Strings(dirs) // same depth: a parent's folders are next to each other
	var starts []int
	for i, d := range dirs {
		if i == 0 || path.Dir(d) != path.Dir(dirs[i-1]) {
			starts = append(starts, i)
		}
	}
	return append(starts, len(dirs))
}

// appendByDepth appends the folder d to levels[n], where n+1 is its depth:
// folders made level by level, parents first, can be made on all cores.
func appendByDepth(levels [][]string, d string) [][]string {
	n := strings.Count(d, "/")
	for len(levels) <= n {
		levels = append(levels, nil)
	}
	levels[n] = append(levels[n], d)
	return levels
}

// claim notes that rel is staged and, in the spare, clears its place:
// whatever file the spare holds there goes, and so does a folder that the
// new site does not need.
func (s *Staging) claim(rel, p string) error {
	held, err := s.claimFile(rel, p)
	if held {
		err = removeFile(p)
	}
	return err
}

// removeFile removes the file p, which may be gone already.
func removeFile(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// claimFile is claim that leaves a file the spare holds at rel in place,
// for the caller to write over or remove, and reports whether there is one.
func (s *Staging) claimFile(rel, p string) (held bool, err error) {
	if s.made != nil {
		s.mu.Lock()
		s.made[rel] = 0 // its inode is noted once it is written (noteInode)
		s.mu.Unlock()
	}
	if !s.reuse {
		return false, nil
	}
	s.mu.Lock()
	s.touched[path.Dir(rel)] = true // a file goes in, and whatever stood there goes out
	s.mu.Unlock()
	if i, _, ok := s.spare.file(rel); ok {
		s.staged[i] = true
		return true, nil
	} else if i, ok := s.spare.dir(rel); ok && !s.needed[i] {
		err = os.RemoveAll(p)
	}
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	return false, err
}

// forEach calls f(0) ... f(n-1) on all cores and returns the first error;
// after an error the remaining calls are skipped.
func forEach(n int, f func(i int) error) error {
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for failed.Load() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := f(i); err != nil {
					failed.CompareAndSwap(nil, &err)
				}
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return *err
	}
	return nil
}

// WriteFileStat is WriteFile that also returns the written file's
// FileInfo, for build caches that recognise the file later by its size,
// times and inode. Swapping the staging folder in keeps all of these.
//
// In the spare, a file it holds at rel that has no other link (an old
// version that no site shares, never a link to a file of the previous
// site) is written over in place rather than deleted and made again: an
// edit that renumbers the search index rewrites a thousand term shards,
// and their deletions were most of the time it took to write them. The
// spare's files are never trusted for their bytes (see BeginReuse), so
// one left half written by a killed build is made again like any other.
func (s *Staging) WriteFileStat(rel string, data []byte) (fs.FileInfo, error) {
	p, err := s.path(rel)
	if err != nil {
		return nil, err
	}
	held, err := s.claimFile(rel, p)
	if err != nil {
		return nil, writeError("writing", rel, err)
	}
	var fi fs.FileInfo
	if held {
		fi, held, err = overwriteLone(p, data)
		if err == nil && !held {
			err = removeFile(p) // shared with a site, or not a file: made anew
		}
		if err != nil {
			return nil, writeError("writing", rel, err)
		}
	}
	if !held {
		fi, err = writeFileStat(p, data, !s.dirsMade)
	}
	if err != nil && s.dirsMade && folderMissing(err) {
		// A file MakeDirs was not told of, such as one whose name is
		// known only once it is made.
		if err = s.makeParents(rel); err == nil {
			fi, err = writeFileStat(p, data, false)
		}
	}
	if err != nil {
		return nil, writeError("writing", rel, err)
	}
	s.noteInode(rel, inode(fi))
	return fi, nil
}

// noteInode notes, in a fresh staging folder, the inode of the file
// staged at rel.
func (s *Staging) noteInode(rel string, ino uint64) {
	if s.made == nil {
		return
	}
	s.mu.Lock()
	s.made[rel] = ino
	s.mu.Unlock()
}

// folderMissing reports whether err, from creating a file, may mean that
// a folder of its path is missing or is a file.
func folderMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// makeParents makes the missing folders of rel after MakeDirs, removing a
// file of the spare where a folder goes.
func (s *Staging) makeParents(rel string) error {
	var missing []string
	for d := path.Dir(rel); d != "."; d = path.Dir(d) {
		p := filepath.Join(s.dir, filepath.FromSlash(d))
		fi, err := os.Lstat(p)
		if err == nil && fi.IsDir() {
			break
		}
		s.touch(d)
		if err == nil {
			os.Remove(p) // a file of the spare where the new site has a folder
		}
		missing = append(missing, p)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return nil
}

// Link makes the site-relative path rel a hard link to the file at target,
// typically the same file of the previous site: an unchanged file then
// keeps its inode and mtime across the swap. The previous site's file must
// never be written after this; WriteFileStat replaces a staged link rather
// than write through it.
func (s *Staging) Link(rel, target string) error {
	return s.LinkKnown(rel, target, 0)
}

// LinkKnown is Link for a caller that knows target's inode, ino, having
// stat'ed it a moment before (0: not known): a spare's file that is
// already that inode is then taken as it is, without a stat.
func (s *Staging) LinkKnown(rel, target string, ino uint64) error {
	if err := checkRel(rel); err != nil {
		return relError(rel, err)
	}
	if s.alreadyStaged(rel, target, ino) {
		return nil
	}
	if _, err := s.link(rel, filepath.Join(s.dir, filepath.FromSlash(rel)), target); err != nil {
		return writeError("linking", rel, err)
	}
	return nil
}

// alreadyStaged reports whether the spare's file at rel is already target's
// inode, and if so stages it as it is. known, when not 0, is target's
// inode as the caller found it; otherwise target is stat'ed.
func (s *Staging) alreadyStaged(rel, target string, known uint64) bool {
	i, ino, ok := s.spare.file(rel)
	if !ok || ino == 0 {
		return false
	}
	same := known == ino
	if known == 0 {
		fi, err := os.Lstat(target)
		same = err == nil && inode(fi) == ino
	}
	if same {
		s.staged[i] = true
	}
	return same
}

// link makes p, the staged path of rel, a hard link to target, which
// alreadyStaged did not find there. It reports whether target was
// missing.
func (s *Staging) link(rel, p, target string) (missing bool, err error) {
	if err := s.claim(rel, p); err != nil {
		return false, err
	}
	if !s.dirsMade {
		if err := mkdirFast(filepath.Dir(p)); err != nil {
			return false, err
		}
	}
	err = os.Link(target, p)
	if err != nil && s.dirsMade && folderMissing(err) {
		// The folder may be one MakeDirs was not told of.
		if err = s.makeParents(rel); err == nil {
			err = os.Link(target, p)
		}
	}
	if err == nil {
		if s.made != nil {
			// The inode linked, not known: should target have been
			// replaced since the caller found it, the record must name
			// the file the folder holds.
			var ino uint64
			if fi, err := os.Lstat(p); err == nil {
				ino = inode(fi)
			}
			s.noteInode(rel, ino)
		}
		return false, nil
	}
	if isDiskFull(err) {
		return false, err
	}
	// No hard links here (another device, a file system without them):
	// copy the bytes, if there are any.
	data, rerr := os.ReadFile(target)
	if rerr != nil {
		return true, err
	}
	fi, err := writeFileStat(p, data, false)
	if err == nil {
		s.noteInode(rel, inode(fi))
	}
	return false, err
}

// LinkFiles stages each site-relative path in rels as the file of the
// same path under from, typically the previous site, on all cores: a hard
// link, so the file keeps its inode and mtime across the swap and costs
// one system call (none in the spare, where it mostly is that link
// already). Where the file system cannot link it copies the bytes
// instead. It returns, in no particular order, the paths whose file under
// from could not be read, for the caller to write; it fails only when the
// staging folder cannot take them (a full disk, say) or a path is not one
// inside the site.
func (s *Staging) LinkFiles(rels []string, from string) (missing []string, err error) {
	return s.LinkKnownFiles(rels, nil, from)
}

// LinkKnownFiles is LinkFiles for a caller that knows the inode of each
// file under from, having stat'ed it a moment before (a build cache checks
// every output file's stamp): inodes[i] is rels[i]'s, or 0 when not known.
// A spare's file that is already that inode is then taken as it is,
// without a stat of its own. Should the file under from have been replaced
// since, the staged file is still the one the caller checked.
func (s *Staging) LinkKnownFiles(rels []string, inodes []uint64, from string) (missing []string, err error) {
	var mu sync.Mutex
	err = forEach(len(rels), func(i int) error {
		rel := rels[i]
		if err := checkRel(rel); err != nil {
			return relError(rel, err)
		}
		var known uint64
		if inodes != nil {
			known = inodes[i]
		}
		// Paths are joined only when needed: for the 80,000 kept files
		// of a 50k site, which the spare mostly holds already, making
		// both paths of each cost more than the rest.
		var target string
		if known == 0 {
			target = filepath.Join(from, filepath.FromSlash(rel))
		}
		if s.alreadyStaged(rel, target, known) {
			return nil
		}
		if target == "" {
			target = filepath.Join(from, filepath.FromSlash(rel))
		}
		gone, err := s.link(rel, filepath.Join(s.dir, filepath.FromSlash(rel)), target)
		switch {
		case gone:
			mu.Lock()
			missing = append(missing, rel)
			mu.Unlock()
		case err != nil:
			return writeError("linking", rel, err)
		}
		return nil
	})
	if len(missing) < len(rels) {
		s.linked.Store(true)
	}
	return missing, err
}

// CopyFS copies every regular file of fsys into the site, keeping paths.
// Files and folders whose names start with "." are left out.
func (s *Staging) CopyFS(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("copying assets: %w", err)
		}
		if p != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		dst, err := s.path(p)
		if err != nil {
			return err
		}
		if err := s.claim(p, dst); err != nil {
			return writeError("copying asset", p, err)
		}
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			s.touch(d) // MkdirAll may make it
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return writeError("copying asset", p, err)
		}
		return copyFile(fsys, p, dst)
	})
}

func copyFile(fsys fs.FS, src, dst string) error {
	in, err := fsys.Open(src)
	if err != nil {
		return fmt.Errorf("copying asset %s: %w", src, err)
	}
	defer in.Close()
	os.Remove(dst) // replace, never write through: it may be a link to the previous site's file
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("copying asset %s: %w", src, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return writeError("copying asset", src, err)
	}
	if err := out.Close(); err != nil {
		return writeError("copying asset", src, err)
	}
	return nil
}

// Commit swaps the staging folder in as the destination. The swap is one
// rename: at every instant the destination is either the whole previous
// site or the whole new one. Staged into the spare or with LinkFiles, the
// previous site becomes the next spare; otherwise it is left in a folder
// beside it for Cleanup to delete.
func (s *Staging) Commit() error {
	if s.reuse {
		s.prune()
	}
	s.swapped = time.Now()
	old, err := swap(s.dir, s.dest, oldPrefix(s.dest))
	if err != nil {
		return fmt.Errorf("publishing %s: %w", s.dest, err)
	}
	s.committed = true
	removeSpareRecord(s.dest) // of a folder that is the spare no longer, if any
	if s.reuse && s.tree != nil {
		// What the spare held as listed, but for the folders this build
		// changed (or tried to): the record of the site now at dest.
		for d := range s.touched {
			s.tree.distrust(d)
		}
	} else {
		s.tree = nil
	}
	if old == sparePath(s.dest) {
		old = "" // swapped, but not moved on: the previous site is the spare already
	}
	if old != "" && (s.reuse || s.linked.Load()) {
		if aside := moveAside(s.dest, sparePath(s.dest)); aside != "" {
			s.leftovers = append(s.leftovers, aside)
		}
		if os.Rename(old, sparePath(s.dest)) == nil {
			old = ""
		}
	}
	s.old = old
	s.previousIsSpare = (s.reuse || s.linked.Load()) && old == ""
	return nil
}

// PreviousIsSpare reports, after Commit, whether the site the destination
// held before is now the spare, for the next such build to fill.
func (s *Staging) PreviousIsSpare() bool { return s.previousIsSpare }

// prune deletes the files and folders of the spare that the new site
// does not have.
func (s *Staging) prune() {
	var dirs []string
	for rel, d := range s.spare.folders() {
		for j, f := range d.files {
			if !s.staged[int(d.first)+j] {
				p := filePath(rel, f.name)
				s.touch(p)
				os.Remove(filepath.Join(s.dir, filepath.FromSlash(p)))
			}
		}
		if rel != "." && !s.needed[d.at] {
			dirs = append(dirs, rel)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(dirs))) // children before their parents
	for _, d := range dirs {
		s.touch(d)
		s.touchDir(d) // the folder itself, should it stay, holding what the site does not name
		os.Remove(filepath.Join(s.dir, filepath.FromSlash(d)))
	}
}

// touch notes, in the spare, that the entry rel of its folder is about to
// be changed: that folder's entries are then no longer those its record
// holds (see Tree).
func (s *Staging) touch(rel string) { s.touchDir(path.Dir(rel)) }

// touchDir notes that the entries of the spare's folder dir are about to
// change.
func (s *Staging) touchDir(dir string) {
	if !s.reuse {
		return
	}
	s.mu.Lock()
	s.touched[dir] = true
	s.mu.Unlock()
}

// Tree returns, after Commit, the record of the site now at the
// destination for the build that will fill it as the spare (ListSpare),
// or nil when there is none. For a site staged into a fresh folder it is
// made from what the staging wrote (see madeTree), on the first call.
func (s *Staging) Tree() *Tree {
	if !s.committed {
		return nil
	}
	if s.tree == nil && s.made != nil {
		s.tree = s.madeTree()
		s.made = nil
	}
	return s.tree
}

// moveAside moves the folder p, if there is one, into a fresh folder whose
// name marks it for deletion, and returns that folder's name. Moved, it
// can be deleted in the background while a later build makes p anew. (It
// goes inside the fresh folder, not over it: os.Rename will not replace a
// folder, even an empty one.)
func moveAside(dest, p string) string {
	if _, err := os.Lstat(p); err != nil {
		return ""
	}
	aside, err := os.MkdirTemp(filepath.Dir(dest), oldPrefix(dest))
	if err != nil {
		return ""
	}
	if err := os.Rename(p, filepath.Join(aside, filepath.Base(p))); err != nil {
		os.Remove(aside)
		return ""
	}
	return aside
}

// Detach hands the folders Cleanup would delete to the caller to delete
// when it suits, such as in a background process, so that deleting large
// trees is on no one's path: after Commit, the previous site (which Commit
// moved aside) and what earlier builds left; after a failed or cancelled
// build, also the staging folder, which may hold a whole site's files. A
// spare being filled is not handed over: it stays a spare, however far its
// update got. Cleanup then leaves them alone.
func (s *Staging) Detach() []string {
	var dirs []string
	if s.old != "" {
		dirs = append(dirs, s.old)
	}
	if s.abandoned() {
		dirs = append(dirs, s.dir)
		s.dir = ""
	}
	dirs = append(dirs, s.leftovers...)
	s.old, s.leftovers = "", nil
	return dirs
}

// abandoned reports whether the staging folder is one this build made and
// did not publish.
func (s *Staging) abandoned() bool {
	if s.dir == "" || s.committed || s.reuse || s.dir == s.dest {
		return false
	}
	_, err := os.Stat(s.dir)
	return err == nil
}

// Cleanup deletes what the build no longer needs and was not detached: the
// previous site after Commit, the staging folder after a failed build, and
// the folders earlier builds left.
func (s *Staging) Cleanup() error {
	var errs []error
	for _, d := range s.Detach() {
		errs = append(errs, os.RemoveAll(d))
	}
	return errors.Join(errs...)
}

// writeFile writes data to the file p, creating its folder if needed.
func writeFile(p string, data []byte) error {
	_, err := writeFileStat(p, data, true)
	return err
}

// writeFileStat writes data to a new file p, creating its folder if asked,
// and returns the file's FileInfo as it was when written. A file already
// at p is replaced, never written through: in a staging folder it may be a
// hard link to the previous site's file, which must stay as it is.
func writeFileStat(p string, data []byte, mkdir bool) (fs.FileInfo, error) {
	if mkdir {
		if err := mkdirFast(filepath.Dir(p)); err != nil {
			return nil, err
		}
	}
	f, err := createNew(p)
	if errors.Is(err, fs.ErrExist) {
		if err := os.Remove(p); err != nil {
			return nil, err
		}
		f, err = createNew(p)
	}
	if err != nil {
		return nil, err
	}
	_, err = f.Write(data)
	var fi fs.FileInfo
	if err == nil {
		fi, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return fi, err
}

// mkdirFast creates dir, and its parents only when they are missing. In a
// build nearly every page has a folder of its own whose parent exists, so
// this is one mkdir where os.MkdirAll would stat the folder and its parent
// first.
func mkdirFast(dir string) error {
	err := os.Mkdir(dir, 0o755)
	switch {
	case err == nil || errors.Is(err, fs.ErrExist):
		return nil
	case errors.Is(err, fs.ErrNotExist):
		if err := mkdirFast(filepath.Dir(dir)); err != nil {
			return err
		}
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		return nil
	}
	return err
}
