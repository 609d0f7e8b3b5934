package publish

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// A Patch changes a few files of a published site in place, for builds
// that know which output files changed: unchanged files are not touched,
// so they keep their bytes, inode and mtime.
//
// New files are first written into a patch folder beside the destination.
// Commit then writes a journal naming every file to move in and every file
// to remove, and renames it into place: that rename is the commit point.
// A build that fails or is killed before it leaves the destination exactly
// as it was (the patch folder is a leftover that the next build deletes).
// After it, the journal is applied: one rename per changed file. A build
// killed while applying leaves the journal, and the next Begin or
// BeginPatch finishes the job before anything else, so the destination
// never stays a mix of two builds.
type Patch struct {
	dest string // the destination folder, absolute; it exists
	dir  string // the patch folder beside it

	mu      sync.Mutex
	written map[string]bool // site-relative paths written into dir
	removed []string        // site-relative paths to delete
}

func patchPrefix(dest string) string { return "." + filepath.Base(dest) + ".patch-" }
func journalPath(dest string) string {
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".journal")
}

// BeginPatch prepares a change to the existing site at dest. It first
// finishes a patch that a killed build committed but did not apply, and
// deletes patch folders that killed builds left.
func BeginPatch(dest string) (*Patch, error) {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return nil, fmt.Errorf("destination %s: %w", dest, err)
	}
	if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("destination %s is not an existing folder", dest)
	}
	if err := Recover(abs); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(filepath.Dir(abs), patchPrefix(abs))
	if err != nil {
		return nil, fmt.Errorf("creating patch folder beside %s: %w", dest, err)
	}
	return &Patch{dest: abs, dir: dir, written: map[string]bool{}}, nil
}

// Recover finishes a patch of dest that was committed but not wholly
// applied, and deletes the patch folders of builds that never committed.
// Begin and BeginPatch call it; it is cheap when there is nothing to do.
func Recover(dest string) error {
	abs, err := filepath.Abs(dest)
	if err != nil {
		return err
	}
	j := journalPath(abs)
	if _, err := os.Stat(j); err == nil {
		if err := applyJournal(abs, j); err != nil {
			return fmt.Errorf("finishing the interrupted update of %s: %w", dest, err)
		}
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(abs), patchPrefix(abs)+"*"))
	for _, m := range matches {
		os.RemoveAll(m)
	}
	return nil
}

// WriteFile stages data as the new content of the site-relative path rel.
func (p *Patch) WriteFile(rel string, data []byte) error {
	if err := checkRel(rel); err != nil {
		return fmt.Errorf("refusing to write %q: not a path inside the site: %v", rel, err)
	}
	dst := filepath.Join(p.dir, filepath.FromSlash(rel))
	if err := writeFile(dst, data); err != nil {
		return writeError("writing", rel, err)
	}
	p.mu.Lock()
	p.written[rel] = true
	p.mu.Unlock()
	return nil
}

// Remove marks the site-relative path rel for deletion.
func (p *Patch) Remove(rel string) error {
	if err := checkRel(rel); err != nil {
		return fmt.Errorf("refusing to remove %q: not a path inside the site: %v", rel, err)
	}
	p.mu.Lock()
	p.removed = append(p.removed, rel)
	p.mu.Unlock()
	return nil
}

// Commit makes the staged changes the site: it writes the journal, renames
// it into place and applies it.
func (p *Patch) Commit() error {
	j := journalPath(p.dest)
	tmp := filepath.Join(p.dir, ".journal")
	f, err := os.Create(tmp)
	if err != nil {
		return writeError("writing", "the update journal", err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "sitegen patch v1\n%s\n", filepath.Base(p.dir))
	for rel := range p.written {
		fmt.Fprintf(w, "write %s\n", rel)
	}
	for _, rel := range p.removed {
		fmt.Fprintf(w, "remove %s\n", rel)
	}
	err = w.Flush()
	if err == nil {
		err = f.Sync() // the journal must be whole on disk before it is the commit point
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return writeError("writing", "the update journal", err)
	}
	if err := os.Rename(tmp, j); err != nil {
		return fmt.Errorf("committing the update of %s: %w", p.dest, err)
	}
	return applyJournal(p.dest, j)
}

// Cleanup deletes the patch folder. After a failed build it is all that
// is left of the patch; the destination was never touched.
func (p *Patch) Cleanup() error {
	return os.RemoveAll(p.dir)
}

// applyJournal moves every written file of the journal j into dest and
// deletes every removed one, then deletes the journal and the patch folder.
// It may run again after being interrupted: a file already moved is no
// longer in the patch folder and is skipped.
func applyJournal(dest, j string) error {
	data, err := os.ReadFile(j)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) < 2 || lines[0] != "sitegen patch v1" || !strings.HasPrefix(lines[1], patchPrefix(dest)) {
		return fmt.Errorf("%s is not a sitegen update journal; move it away and build again", j)
	}
	dir := filepath.Join(filepath.Dir(dest), lines[1])
	for _, l := range lines[2:] {
		op, rel, _ := strings.Cut(l, " ")
		if checkRel(rel) != nil {
			return fmt.Errorf("%s names %q, which is not a path inside the site", j, rel)
		}
		target := filepath.Join(dest, filepath.FromSlash(rel))
		switch op {
		case "write":
			src := filepath.Join(dir, filepath.FromSlash(rel))
			if _, err := os.Lstat(src); errors.Is(err, fs.ErrNotExist) {
				continue // moved before an interruption
			}
			if err := os.Rename(src, target); err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					return err
				}
				if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
					return err
				}
				if err := os.Rename(src, target); err != nil {
					return err
				}
			}
		case "remove":
			if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			removeEmptyParents(dest, filepath.Dir(target))
		default:
			return fmt.Errorf("%s: unknown line %q", j, l)
		}
	}
	if err := os.Remove(j); err != nil {
		return err
	}
	return os.RemoveAll(dir)
}

// removeEmptyParents deletes dir and its parents up to root while they are
// empty, so that a removed page leaves no empty folder behind.
func removeEmptyParents(root, dir string) {
	for dir != root && strings.HasPrefix(dir, root+string(filepath.Separator)) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}

// writeFile writes data to the file p, creating its folder if needed.
func writeFile(p string, data []byte) error {
	if err := mkdirFast(filepath.Dir(p)); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// writeFileStat writes data to the file p, creating its folder if needed,
// and returns the file's FileInfo as it was when written.
func writeFileStat(p string, data []byte, mkdir bool) (fs.FileInfo, error) {
	if mkdir {
		if err := mkdirFast(filepath.Dir(p)); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
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
