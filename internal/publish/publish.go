// Package publish writes a built site to its destination folder atomically.
//
// A build writes every file into a staging folder beside the destination and
// swaps it in only when the whole build succeeded, so that a failed, killed or
// interrupted build leaves the previous site exactly as it was. The package
// knows nothing of pages or templates: it writes bytes under relative paths.
package publish

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// A Staging is a folder being filled with the next version of a site.
// Its methods may be called from several goroutines at once.
type Staging struct {
	dest string // the destination folder, absolute
	dir  string // the staging folder beside it
	old  string // after Commit: where the previous site went, "" if none

	committed bool
	dirsMade  bool // MakeDirs made every folder WriteFileStat needs
}

// Begin creates a fresh staging folder beside dest. Leftovers of earlier
// builds that were killed before they finished are removed first.
func Begin(dest string) (*Staging, error) {
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
	removeLeftovers(abs)
	dir, err := os.MkdirTemp(parent, stagingPrefix(abs))
	if err != nil {
		return nil, fmt.Errorf("creating staging folder beside %s: %w", dest, err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("creating staging folder: %w", err)
	}
	return &Staging{dest: abs, dir: dir}, nil
}

func stagingPrefix(dest string) string { return "." + filepath.Base(dest) + ".staging-" }
func oldPrefix(dest string) string     { return "." + filepath.Base(dest) + ".old-" }

// removeLeftovers deletes staging and old folders that a killed build left.
func removeLeftovers(dest string) {
	for _, prefix := range []string{stagingPrefix(dest), oldPrefix(dest)} {
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), prefix+"*"))
		for _, m := range matches {
			os.RemoveAll(m)
		}
	}
}

// Dir returns the staging folder's path.
func (s *Staging) Dir() string { return s.dir }

// path checks that rel names a file inside the site and returns its path in
// the staging folder. No write can land outside the staging folder.
func (s *Staging) path(rel string) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", fmt.Errorf("refusing to write %q: not a path inside the site: %v", rel, err)
	}
	return filepath.Join(s.dir, filepath.FromSlash(rel)), nil
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
	for _, seg := range strings.Split(rel, "/") {
		if len(seg) > maxName {
			return fmt.Errorf("a name of %d bytes; file systems allow %d", len(seg), maxName)
		}
		if seg == ".." {
			return errors.New(`".." in the path`)
		}
	}
	return nil
}

// WriteFile writes data to the site-relative path rel, creating folders.
func (s *Staging) WriteFile(rel string, data []byte) error {
	p, err := s.path(rel)
	if err != nil {
		return err
	}
	if err := writeFile(p, data); err != nil {
		return writeError("writing", rel, err)
	}
	return nil
}

// MakeDirs creates the folders of the given site-relative files, all at
// once and parents first, before they are written: on ext4 this is much
// faster than making each folder just before its file, and the writes then
// need no mkdir of their own. After MakeDirs, WriteFileStat writes only
// files whose folders it made.
func (s *Staging) MakeDirs(files []string) error {
	seen := map[string]bool{".": true}
	var dirs []string
	for _, f := range files {
		for d := path.Dir(f); !seen[d]; d = path.Dir(d) {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	sort.Strings(dirs) // parents sort before their children
	for _, d := range dirs {
		p, err := s.path(d)
		if err != nil {
			return err
		}
		if err := os.Mkdir(p, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return writeError("creating folder", d, err)
		}
	}
	s.dirsMade = true
	return nil
}

// WriteFileStat is WriteFile that also returns the written file's
// FileInfo, for build caches that recognise the file later by its size,
// times and inode. Swapping the staging folder in keeps all of these.
func (s *Staging) WriteFileStat(rel string, data []byte) (fs.FileInfo, error) {
	p, err := s.path(rel)
	if err != nil {
		return nil, err
	}
	fi, err := writeFileStat(p, data, !s.dirsMade)
	if err != nil {
		return nil, writeError("writing", rel, err)
	}
	return fi, nil
}

// Link makes the site-relative path rel a hard link to the file at target,
// typically the same file of the previous site, and returns its FileInfo.
// An unchanged file then keeps its inode and mtime across the swap.
func (s *Staging) Link(rel, target string) (fs.FileInfo, error) {
	p, err := s.path(rel)
	if err != nil {
		return nil, err
	}
	if err := mkdirFast(filepath.Dir(p)); err != nil {
		return nil, writeError("writing", rel, err)
	}
	if err := os.Link(target, p); err != nil {
		return nil, writeError("linking", rel, err)
	}
	return os.Lstat(p)
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
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
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
// site or the whole new one. The previous site is left in a folder beside
// it for Cleanup to delete.
func (s *Staging) Commit() error {
	old, err := swap(s.dir, s.dest, oldPrefix(s.dest))
	if err != nil {
		return fmt.Errorf("publishing %s: %w", s.dest, err)
	}
	s.old, s.committed = old, true
	return nil
}

// DetachOld hands the previous site, which Commit moved aside, to the
// caller to delete when it suits, such as in a background process, so that
// deleting a large tree is not on the build's critical path. Cleanup then
// leaves it alone. It returns "" when there was no previous site.
func (s *Staging) DetachOld() string {
	old := s.old
	s.old = ""
	return old
}

// Cleanup deletes what the build no longer needs: the previous site after
// Commit, or the staging folder after a failed build.
func (s *Staging) Cleanup() error {
	if s.old != "" {
		return os.RemoveAll(s.old)
	}
	if s.committed {
		return nil
	}
	if _, err := os.Stat(s.dir); err == nil && s.dir != s.dest {
		return os.RemoveAll(s.dir)
	}
	return nil
}
