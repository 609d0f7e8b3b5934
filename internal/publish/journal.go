package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Versions of sitegen before the one that added Staging.LinkFiles patched
// a published site in place for small builds: new files went into a patch
// folder beside the destination, a journal naming them was renamed into
// place as the commit point, then applied one rename at a time. A build of
// such a version killed while applying left the destination a mix of two
// builds with the journal beside it. Every build now swaps a whole staging
// folder in, so nothing writes journals any more; Recover only finishes one
// that an older sitegen left, so that upgrading right after a killed build
// still leaves a complete site, and removes the patch folders of builds
// that never committed. It can go once no such version is in use.

func patchPrefix(dest string) string { return "." + filepath.Base(dest) + ".patch-" }
func journalPath(dest string) string {
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".journal")
}

// Recover finishes an update of dest that an older sitegen committed
// through a journal but did not wholly apply, and deletes the patch
// folders of its builds that never committed. Begin calls it; it is cheap
// when there is nothing to do. (Such a build deleted the build cache before
// its commit point, and a new sitegen never trusts an older one's cache, so
// the build that follows rewrites every file anyway.)
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
			if err := mkdirFast(filepath.Dir(target)); err != nil {
				return err
			}
			if err := os.Rename(src, target); err != nil {
				return err
			}
		case "remove":
			if err := removeFile(target); err != nil {
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
