package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sitegen/sitegen/internal/build"
)

// A snapshot is one complete build of the site as the preview serves it.
// It is never changed once published; a rebuild makes a new one.
type snapshot struct {
	files    *fileSet // site-relative file ("2019/12/30/slug/index.html", "style.css") -> bytes
	base     string   // path of baseURL ("/" or "/archive/"): the prefix of every link
	articles int      // articles published
	rendered int      // pages this rebuild rendered or deferred; the other files are the previous snapshot's
	outputs  *outputs // the feeds, sitemap and search index, made on first request
}

// outputs are the files a site publishes besides its pages and assets: the
// feeds, sitemap, robots.txt and search index. At 10,000 articles they take
// a second or more to make, several times a whole rebuild after an edit,
// and an editor rarely looks at them; so they are made only when a request
// needs one, once per snapshot, off the path from a save to the reload.
type outputs struct {
	once  sync.Once
	make  func() (map[string][]byte, error)
	made  atomic.Bool // files and err are set
	files map[string][]byte
	err   error
}

// get makes the outputs on first use and returns them.
func (o *outputs) get() (map[string][]byte, error) {
	o.once.Do(func() {
		o.files, o.err = o.make()
		o.made.Store(true)
	})
	return o.files, o.err
}

// A siteBuilder turns the site's sources into snapshots. It keeps the
// loaded, indexed site in a build.Builder between rebuilds, so that a
// rebuild reads only the changed sources and renders only the pages whose
// bytes they change. It is used by one rebuild at a time.
type siteBuilder struct {
	root string
	b    *build.Builder // nil until a build succeeds in loading the site

	// What changed since the last snapshot: a build whose articles had
	// problems, or that was cancelled, moves the Builder on but not the
	// snapshot, so the pages it changed wait here for the next one.
	dirty    map[string]bool // output files to render again, or to drop when they are no longer pages
	dirtyAll bool            // render everything and read the assets again

	// The pages of the last snapshot drawn when first requested or by the
	// drawing in the background (see deferPagesAbove); every one is drawn
	// before the Builder changes again.
	deferred []deferredFile
	drawing  sync.WaitGroup

	// Work done while the server is idle: warmHeap after the first
	// snapshot's pages are drawn, and collect after each later one's.
	idle     sync.WaitGroup
	rebuilds atomic.Int64            // snapshots begun: a collection after one is not started once the next has begun
	allocs   uint64                  // heapAllocs when the last snapshot was begun
	collect  func(alloc uint64) bool // when set, told after each later snapshot what it allocated until served: collectIfDue

	// report, when not nil, is told of the deferred pages that could not
	// be drawn, once the background has drawn them all.
	report func(format string, args ...any)

	stopped atomic.Bool // the server is stopping: the background draws no more (see stopDrawing)
}

// A deferredFile is a page of a snapshot that was served before it was
// drawn.
type deferredFile struct {
	file string
	page *deferredPage
}

// deferPagesAbove is how many changed pages a rebuild draws before it
// serves the new snapshot; when more change, they are drawn on first
// request and in the background after it is served. An article added to
// an archive of 50,000 moves every page of the home list, 2,500 pages,
// about 0.35 s of drawing on these 2 cores: the editor's tab shows one of
// them. A tag added to an article changes some 23 pages, among them the
// tag index and the search page, which list every tag: 12-14 ms of
// drawing before the edited article's page was served, when 64 were drawn
// first. A body edit changes the article's page and its neighbours'.
// Tests set it to -1, to draw every changed page that way.
var deferPagesAbove = 8

// drawBehind is whether deferred pages are drawn in the background; tests
// turn it off to see that a snapshot's pages are its own however late
// they are drawn.
var drawBehind = true

// next brings the site up to date with the changes in cs and returns the
// snapshot that follows prev (nil: none yet). When articles are bad it
// returns an error wrapping their content.Problems and, only when there is
// no prev, the snapshot of the good articles; otherwise prev stays the site
// to serve.
func (sb *siteBuilder) next(ctx context.Context, prev *snapshot, cs changeSet) (*snapshot, error) {
	sb.rebuilds.Add(1)
	sb.finishDrawing()
	sb.allocs = heapAllocs()
	if err := sb.update(ctx, cs); err != nil {
		return nil, err
	}
	probs := sb.b.Problems()
	if len(probs) > 0 && prev != nil {
		return nil, probs
	}
	snap, err := sb.render(ctx, prev)
	if err != nil {
		return nil, err
	}
	if len(probs) > 0 {
		return snap, probs
	}
	return snap, nil
}

// update loads the changes into the Builder and notes the pages they touch.
func (sb *siteBuilder) update(ctx context.Context, cs changeSet) error {
	if sb.b == nil || cs.all {
		b, err := build.NewBuilder(ctx, sb.root)
		if err != nil {
			return err
		}
		sb.b, sb.dirtyAll = b, true
		return nil
	}
	ch, err := sb.b.Update(ctx, cs.sorted())
	if err != nil {
		return err
	}
	if ch.All || len(ch.Assets) > 0 {
		sb.dirtyAll = true
	}
	if sb.dirty == nil {
		sb.dirty = map[string]bool{}
	}
	for _, f := range ch.Pages {
		sb.dirty[f] = true
	}
	for _, f := range ch.Removed {
		sb.dirty[f] = true
	}
	return nil
}

// render makes the next snapshot: prev with the dirty pages rendered again,
// or everything afresh. When more than deferPagesAbove pages changed, they
// are drawn on first request and in the background once the snapshot is
// served; the next call of next waits for them before it changes the site.
// So are the first snapshot's pages, but for one page of each template and
// kind (build.Builder.Samples), drawn before it is served.
func (sb *siteBuilder) render(ctx context.Context, prev *snapshot) (*snapshot, error) {
	site := sb.b.Site()
	snap := &snapshot{base: site.Config.BasePath(), articles: len(site.Articles)}
	var todo []string
	var files map[string][]byte // everything afresh; nil: prev's files with todo changed
	if prev == nil || sb.dirtyAll {
		files = map[string][]byte{}
		if err := readAssets(files, sb.b.Assets()); err != nil {
			return nil, err
		}
		h := sb.b.Hashed()
		for _, name := range h.Files() {
			files[name] = h.Content(name)
		}
		todo = sb.b.Files()
	} else {
		for f := range sb.dirty {
			todo = append(todo, f)
		}
	}
	var later []deferredFile // pages drawn after the snapshot is served
	if prev == nil && len(todo) > deferPagesAbove {
		// The first snapshot is served once a page of each template and
		// kind is drawn: a template that fails on every page of a kind
		// fails the build as drawing them all would, and the preview is
		// up in the time it takes to load the site (at 50,000 articles,
		// drawing every page is more than half of the first build).
		samples := sb.b.Samples()
		sampled := make(map[string]bool, len(samples))
		for _, f := range samples {
			sampled[f] = true
		}
		for _, f := range todo {
			if !sampled[f] {
				later = append(later, deferredFile{f, &deferredPage{draw: drawFunc(sb.b, f)}})
			}
		}
		todo = samples
	} else if files == nil && len(todo) > deferPagesAbove {
		now := todo[:0:0] // pages no longer there, to drop now
		for _, f := range todo {
			if sb.b.HasPage(f) {
				later = append(later, deferredFile{f, &deferredPage{draw: drawFunc(sb.b, f)}})
			} else {
				now = append(now, f)
			}
		}
		todo = now
	}
	out, err := renderFiles(ctx, sb.b.Render, todo)
	if err != nil {
		return nil, err
	}
	if files != nil {
		for i, f := range todo {
			if out[i] != nil {
				files[f] = out[i]
			}
		}
		snap.files = newFileSet(files)
		if len(later) > 0 {
			snap.files = snap.files.with(deferredChanges(make(map[string]fileChange, len(later)), later))
		}
	} else {
		changes := make(map[string]fileChange, len(todo)+len(later))
		for i, f := range todo {
			changes[f] = fileChange{data: out[i], removed: out[i] == nil} // nil: no longer a page
		}
		snap.files = prev.files.with(deferredChanges(changes, later))
	}
	drawn := sb.drawInBackground(later)
	if prev == nil {
		// Once the first snapshot's pages are drawn the heap is as big as
		// a rebuild leaves it: the memory it grows into during the next
		// ones is made resident meanwhile. An edit does not wait for it.
		sb.idle.Go(func() {
			drawn.Wait()
			if !sb.stopped.Load() {
				warmHeap(sb.stopped.Load)
			}
		})
	} else if sb.collect != nil {
		// Once this snapshot's pages are drawn and the server has been
		// left alone for collectAfter, a collection that the next rebuild
		// could start is run instead, unless that rebuild has begun.
		n, alloc := sb.rebuilds.Load(), heapAllocs()-sb.allocs
		sb.idle.Go(func() {
			drawn.Wait()
			if sb.unchangedFor(n, collectAfter) {
				sb.collect(alloc)
			}
		})
	}
	// Made from the Builder as it is when first asked: the state of this
	// snapshot, or of a newer one that is about to replace it.
	b := sb.b
	snap.outputs = &outputs{make: func() (map[string][]byte, error) { return b.Outputs(context.Background()) }}
	snap.rendered = len(todo) + len(later)
	sb.dirty, sb.dirtyAll = nil, false
	return snap, nil
}

// collectAfter is how long after a snapshot's pages are drawn the server
// waits before it may collect: the tab that asked for the rebuild reloads
// meanwhile, and its requests are served without a collection beside
// them.
const collectAfter = 200 * time.Millisecond

// unchangedFor waits d and reports whether, by then, the server is not
// stopping and no rebuild has begun since the n-th.
func (sb *siteBuilder) unchangedFor(n int64, d time.Duration) bool {
	const step = 10 * time.Millisecond
	for waited := time.Duration(0); ; waited += step {
		if sb.stopped.Load() || sb.rebuilds.Load() != n {
			return false
		}
		if waited >= d {
			return true
		}
		time.Sleep(step)
	}
}

// deferredChanges adds to changes the deferred pages in later, and returns
// it.
func deferredChanges(changes map[string]fileChange, later []deferredFile) map[string]fileChange {
	for _, d := range later {
		changes[d.file] = fileChange{page: d.page}
	}
	return changes
}

// drawFunc draws b's page whose output file is file.
func drawFunc(b *build.Builder, file string) func() ([]byte, error) {
	return func() ([]byte, error) {
		buf := bytes.NewBuffer(make([]byte, 0, drawBufferSize))
		if err := b.Render(buf, file); err != nil {
			return nil, err
		}
		return fitted(buf.Bytes()), nil
	}
}

// drawBufferSize is what a deferred page is drawn into at first: most
// pages of a news archive are 3-25 KB, and a buffer grown from empty to
// that size allocates, zeroes and copies twice its final size.
const drawBufferSize = 16 << 10

// fitted returns data, or a copy of it with no room to spare when data
// wastes more than an eighth of its length: a page's bytes are kept for
// as long as it is served, and a buffer grown by doubling can hold twice
// what was written.
func fitted(data []byte) []byte {
	if cap(data)-len(data) > len(data)/8 {
		return bytes.Clone(data)
	}
	return data
}

// drawInBackground draws the deferred pages of the snapshot just made,
// leaving a core to the requests that draw the one they ask for first, and
// returns what waits until the background has drawn them.
func (sb *siteBuilder) drawInBackground(pages []deferredFile) *sync.WaitGroup {
	sb.deferred = pages
	var drawn sync.WaitGroup
	if !drawBehind {
		return &drawn
	}
	workers := min(max(runtime.GOMAXPROCS(0)-1, 1), len(pages))
	for w := range workers {
		drawn.Go(func() {
			for i := w; i < len(pages) && !sb.stopped.Load(); i += workers {
				pages[i].page.get()
			}
		})
	}
	if sb.report == nil || len(pages) == 0 {
		sb.drawing.Go(drawn.Wait)
		return &drawn
	}
	sb.drawing.Go(func() {
		drawn.Wait()
		if sb.stopped.Load() {
			return // some pages left undrawn: the server is stopping
		}
		failed, first, firstErr := 0, "", error(nil)
		for _, d := range pages {
			if _, err := d.page.get(); err != nil {
				if failed++; failed == 1 {
					first, firstErr = d.file, err
				}
			}
		}
		if failed > 0 {
			sb.report("%s %d of %d pages drawn after serving could not be drawn; they answer with the error until an edit changes them; the first, %s: %v\n",
				now(), failed, len(pages), first, firstErr)
		}
	})
	return &drawn
}

// finishDrawing waits until every deferred page of the last snapshot is
// drawn, drawing those left itself, from the last (the background's
// workers draw from the first): an edit saved before they are done waits
// for them on every core. A page whose drawing failed is answered with the
// error until an edit changes it: drawn again from the same site it would
// fail again.
func (sb *siteBuilder) finishDrawing() {
	for i := len(sb.deferred) - 1; i >= 0; i-- {
		sb.deferred[i].page.get()
	}
	sb.drawing.Wait()
	sb.deferred = nil
}

// stopDrawing ends the drawing in the background, leaving the pages it
// has not drawn, and waits for it: the server is stopping. Nothing may be
// drawn for the siteBuilder after.
func (sb *siteBuilder) stopDrawing() {
	sb.stopped.Store(true)
	sb.drawing.Wait()
	sb.idle.Wait()
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

// renderFiles renders the pages whose output files are given on all cores
// and returns their bytes in the same order; nil for a file that is no
// longer a page. It stops early when ctx is cancelled or a page fails.
func renderFiles(ctx context.Context, render func(io.Writer, string) error, files []string) ([][]byte, error) {
	out := make([][]byte, len(files))
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	stop := func(err error) {
		once.Do(func() { firstErr = err })
		next.Store(int64(len(files))) // the others stop before their next page
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(files)) {
		wg.Go(func() {
			var buf bytes.Buffer
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				if err := ctx.Err(); err != nil {
					stop(err)
					return
				}
				buf.Reset()
				err := render(&buf, files[i])
				switch {
				case errors.Is(err, build.ErrNoPage):
				case err != nil:
					stop(err)
					return
				default:
					out[i] = bytes.Clone(buf.Bytes())
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}
