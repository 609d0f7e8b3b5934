package serve

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sitegen/sitegen/internal/build"
	"github.com/sitegen/sitegen/internal/render"
)

// A snapshot is one complete build of the site as the preview serves it.
// It is never changed once published; a rebuild makes a new one.
type snapshot struct {
	files    map[string][]byte // site-relative file ("2019/12/30/slug/index.html", "style.css") -> bytes
	base     string            // path of baseURL ("/" or "/archive/"): the prefix of every link
	articles int               // articles published
}

// buildSnapshot loads, indexes and renders the whole site at root into
// memory. When articles are bad it still returns the snapshot of the good
// ones, with an error wrapping their content.Problems.
func buildSnapshot(ctx context.Context, root string) (*snapshot, error) {
	s, err := build.Load(ctx, root)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{files: map[string][]byte{}, base: s.Site.Config.BasePath(), articles: len(s.Site.Articles)}
	if err := readAssets(snap.files, s.Assets); err != nil {
		return nil, err
	}
	for _, name := range s.Hashed.Files() {
		snap.files[name] = s.Hashed.Content(name)
	}
	pages := render.Pages(s.Site, s.Lang)
	out, err := renderPages(ctx, s.Renderer, pages)
	if err != nil {
		return nil, err
	}
	for i, p := range pages {
		snap.files[p.File()] = out[i]
	}
	if len(s.Problems) > 0 {
		return snap, s.Problems
	}
	return snap, nil
}

// readAssets reads every file that `sitegen build` would copy from the
// asset folders, later folders winning. Like the build it takes regular
// files only, so a symbolic link in assets/ cannot expose a file outside the
// site, and leaves out names starting with ".".
func readAssets(files map[string][]byte, assets []fs.FS) error {
	for _, fsys := range assets {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("reading assets: %w", err)
			}
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return fmt.Errorf("reading asset %s: %w", p, err)
			}
			files[p] = data
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// renderPages renders pages on all cores and returns their bytes in the same
// order. It stops early when ctx is cancelled or a page fails.
func renderPages(ctx context.Context, r *render.Renderer, pages []*render.Page) ([][]byte, error) {
	out := make([][]byte, len(pages))
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	stop := func(err error) { once.Do(func() { firstErr = err }) }
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			var buf bytes.Buffer
			for {
				i := int(next.Add(1) - 1)
				if i >= len(pages) {
					return
				}
				if err := ctx.Err(); err != nil {
					stop(err)
					return
				}
				buf.Reset()
				if err := r.Render(&buf, pages[i]); err != nil {
					stop(err)
					next.Store(int64(len(pages))) // the others stop at their next page
					return
				}
				out[i] = bytes.Clone(buf.Bytes())
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}
