package build

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// lockPath is the file that a build holds locked while it runs, beside
// the destination dest. It holds nothing, and goes when the build ends.
func lockPath(dest string) string { return besideDest(dest, ".sitegen-lock") }

// lockDest takes the lock of the destination dest for a build (see
// lockFile), waiting while another build holds it, until ctx is done, and
// returns what releases it. Two builds of one destination at once would
// fill the same spare and swap it in turn: the second could write into
// the site the first had just published, or delete the first's staging
// folder as a killed build's. Where the file system has no locks (some
// network file systems) the build goes on unlocked, as it did before
// there was a lock.
//
// The lock file is deleted, while still locked, when the build ends, so
// that nothing stays beside the destination; a build that was waiting on
// the deleted file then finds it is not the one at lockPath any more and
// locks the new one.
func lockDest(ctx context.Context, dest string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", filepath.Dir(dest), err)
	}
	p := lockPath(dest)
	for said := false; ; {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("locking %s for the build: %w", dest, err)
		}
		held, err := lockFile(f)
		switch {
		case err != nil:
			slog.Debug("building unlocked", "file", p, "err", err)
			return func() { f.Close() }, nil
		case held && isFileAt(f, p):
			return func() { os.Remove(p); f.Close() }, nil
		case !held && !said:
			slog.Info("waiting for another sitegen build of " + dest + " to finish")
			said = true
		}
		f.Close()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// isFileAt reports whether the open file f is the file at p.
func isFileAt(f *os.File, p string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(p)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}
