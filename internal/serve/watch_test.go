package serve

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

func TestWatcherKnowsWhatABuildReads(t *testing.T) {
	w := &watcher{root: "/site"}
	for name, want := range map[string]string{
		"/site/sitegen.yaml":                "sitegen.yaml",
		"/site/tags.yaml":                   "tags.yaml",
		"/site/content/a.md":                "content/a.md",
		"/site/content/deep/er/b.txt":       "content/deep/er/b.txt",
		"/site/templates/list.html":         "templates/list.html",
		"/site/assets/css/x.css":            "assets/css/x.css",
		"/site/i18n/de.yaml":                "i18n/de.yaml",
		"/site/content":                     "content",
		"/site/content/.a.md.swp":           "", // editor swap file
		"/site/content/.git/index":          "", // hidden folder
		"/site/public/index.html":           "", // the output
		"/site/README.md":                   "",
		"/site/sitegen.yaml.bak":            "",
		"/elsewhere/content/a.md":           "",
		"/site/../site2/content/a.md":       "",
		"/site/contentious/a.md":            "",
		"/site/content/.hidden/visible.md":  "",
		"/site/assets/img/.DS_Store":        "",
		"/site/templates/partials/nav.html": "templates/partials/nav.html",
	} {
		got, ok := w.rel(filepath.FromSlash(name))
		if got != want || ok != (want != "") {
			t.Errorf("rel(%s) = %q, %v; want %q", name, got, ok, want)
		}
	}
}

// When the kernel's event queue overflows, changes were lost, so the next
// batch says that everything may have changed.
func TestWatcherOverflowMeansRebuildEverything(t *testing.T) {
	w, err := newWatcher(newSite(t), time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer w.close()
	ctx, cancel := context.WithCancel(context.Background())
	out := make(chan changeSet)
	done := make(chan struct{})
	go func() { w.run(ctx, out); close(done) }()
	defer func() { cancel(); <-done }()
	w.fsw.Errors <- fsnotify.ErrEventOverflow
	select {
	case cs := <-out:
		if !cs.all {
			t.Errorf("batch after an overflow: %+v, want all", cs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no batch after an overflow")
	}
}
