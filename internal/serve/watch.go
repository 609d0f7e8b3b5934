package serve

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/topics"
)

// sourceDirs are the folders of a site whose files a build reads.
var sourceDirs = []string{"content", "templates", "assets", "i18n"}

// A changeSet is what changed in a site's sources since the last build.
type changeSet struct {
	paths map[string]bool // changed files and folders, slash-separated and relative to the site root ("content/a.md")
	all   bool            // the watcher lost events (queue overflow): assume everything changed
}

func (c *changeSet) add(rel string) {
	if c.paths == nil {
		c.paths = map[string]bool{}
	}
	c.paths[rel] = true
}

func (c *changeSet) merge(o changeSet) {
	for p := range o.paths {
		c.add(p)
	}
	c.all = c.all || o.all
}

func (c *changeSet) empty() bool { return len(c.paths) == 0 && !c.all }

// sorted returns the changed paths in order.
func (c *changeSet) sorted() []string {
	ps := make([]string, 0, len(c.paths))
	for p := range c.paths {
		ps = append(ps, p)
	}
	sort.Strings(ps)
	return ps
}

// A watcher reports changes to a site's sources: sitegen.yaml, tags.yaml and every file
// under content/, templates/, assets/ and i18n/. fsnotify watches one folder at a
// time, so the watcher adds every folder of those trees, including folders
// created later. It reports a batch only after the sources have been quiet
// for a moment, so that an editor's save (often several events) and a burst
// such as a git checkout of a thousand files each lead to one rebuild.
type watcher struct {
	root  string            // site root, absolute
	quiet time.Duration     // how long the sources must stay unchanged before a batch is reported
	fsw   *fsnotify.Watcher // nil after close
}

// newWatcher starts watching the site at root.
func newWatcher(root string, quiet time.Duration) (*watcher, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	w := &watcher{root: root, quiet: quiet, fsw: fsw}
	// The root itself, for sitegen.yaml and for source folders created later.
	if err := fsw.Add(root); err != nil {
		fsw.Close()
		return nil, err
	}
	for _, d := range sourceDirs {
		w.addTree(filepath.Join(root, d), nil)
	}
	return w, nil
}

// addTree watches dir and every folder below it. Files found are added to
// cs, when it is not nil: in a folder that was just created they may have
// been written before the folder's watch existed, so no event told of them.
func (w *watcher) addTree(dir string, cs *changeSet) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // gone already, or unreadable: the build will say so
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if err := w.fsw.Add(p); err != nil {
				slog.Warn("cannot watch folder; changes in it will not trigger rebuilds", "dir", p, "err", err)
			}
			return nil
		}
		if cs != nil {
			if rel, ok := w.rel(p); ok {
				cs.add(rel)
			}
		}
		return nil
	})
}

// rel returns the site-relative path of a file the watcher reported, and
// whether a build reads it. Hidden files (editor swap and backup files such
// as .a.md.swp) never matter.
func (w *watcher) rel(name string) (string, bool) {
	r, err := filepath.Rel(w.root, name)
	if err != nil || !filepath.IsLocal(r) {
		return "", false
	}
	r = filepath.ToSlash(r)
	if r == config.FileName || r == topics.RulesFile {
		return r, true
	}
	first, _, _ := strings.Cut(r, "/")
	known := false
	for _, d := range sourceDirs {
		known = known || first == d
	}
	if !known {
		return "", false // public/, .git/, README.md...
	}
	for _, seg := range strings.Split(r, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", false
		}
	}
	return r, true
}

// run reports batches of changes on out until ctx is done or the watcher is
// closed. It owns out and closes it on return.
func (w *watcher) run(ctx context.Context, out chan<- changeSet) {
	defer close(out)
	var pending changeSet
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if w.note(ev, &pending) {
				timer.Reset(w.quiet)
			}
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Too many changes at once for the kernel's queue: some are
				// lost, so the next build must not trust the list.
				pending.all = true
				timer.Reset(w.quiet)
				continue
			}
			slog.Warn("watching sources", "err", err)
		case <-timer.C:
			// On a busy machine this goroutine may run late: events that
			// came while it waited to run are part of the burst, not the
			// start of the next one.
			if w.drain(&pending) {
				timer.Reset(w.quiet)
				continue
			}
			if pending.empty() {
				continue
			}
			select {
			case out <- pending:
				pending = changeSet{}
			case <-ctx.Done():
				return
			}
		}
	}
}

// drain notes the events already waiting, without waiting for more, and
// reports whether any of them mattered.
func (w *watcher) drain(cs *changeSet) bool {
	mattered := false
	for {
		select {
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return mattered
			}
			mattered = w.note(ev, cs) || mattered
		default:
			return mattered
		}
	}
}

// note records one event in cs and reports whether it mattered.
func (w *watcher) note(ev fsnotify.Event, cs *changeSet) bool {
	if ev.Op == fsnotify.Chmod {
		return false // permissions and times: the bytes are the same
	}
	rel, ok := w.rel(ev.Name)
	if !ok {
		return false
	}
	cs.add(rel)
	if ev.Has(fsnotify.Create) {
		// A new folder (or one moved in) is watched with all it holds.
		if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
			w.addTree(ev.Name, cs)
		}
	}
	return true
}

// close stops watching; run then returns.
func (w *watcher) close() error { return w.fsw.Close() }
