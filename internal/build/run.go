package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/publish"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/search"
)

// Run builds the site at opts.Source into opts.Dest. When any source file is
// bad it writes nothing and returns an error wrapping ErrProblems, unless
// opts.KeepGoing is set: then it publishes the rest and still returns that
// error. The previous destination is replaced only by a complete new site.
//
// With the build cache beside the destination (see cachePath) Run reads
// only the content files that changed, renders only the pages whose key
// changed and writes only the files whose bytes changed. Every build that
// changes anything stages a whole new site beside the destination, with
// the files it does not write hard-linked from the previous site (so they
// keep their inodes and mtimes), and swaps it in with one rename. A build
// holds a lock beside the destination (lockDest) while it runs: a second
// build of the same destination waits for the first to end.
func Run(ctx context.Context, opts Options) (rep *Report, err error) {
	// The files mapped (see fileMaps) are unmapped once the build is done,
	// the report holding copies of its strings. An error other than the
	// count of bad files may quote them: those are left mapped, until the
	// process, which mostly exits then, ends.
	fm := new(fileMaps)
	defer func() {
		if err == nil || errors.Unwrap(err) == ErrProblems {
			if rep != nil {
				rep.detach()
			}
			fm.release()
		}
	}()
	return run(ctx, opts, fm)
}

func run(ctx context.Context, opts Options, fm *fileMaps) (*Report, error) {
	start := time.Now()
	opts.Dest = destOf(opts.Source, opts.Dest)
	if err := checkDest(opts.Source, opts.Dest); err != nil {
		return nil, err
	}
	root, err1 := filepath.Abs(opts.Source)
	dest, err2 := filepath.Abs(opts.Dest)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	unlock, err := lockDest(ctx, dest)
	if err != nil {
		return nil, err
	}
	defer unlock()
	prog := startProgress(opts.Progress, start)
	defer prog.stop()

	go programKey() // hashed on the other core while the cache is read
	removeUnsavedFragments(dest)
	var man *manifest
	var otherOutputs []cachedOutput // another program's cache's (see readCache)
	if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
		if err := publish.Recover(dest); err != nil {
			return nil, err
		}
		man, otherOutputs = readCache(root, dest, fm)
	}
	defer man.close()
	b := &Builder{root: opts.Source, progress: &prog.read, contentDir: filepath.Join(root, "content"), maps: fm, onSources: opts.Sources}
	if err := b.loadTheme(); err != nil {
		return nil, err
	}
	world, err := b.worldKey()
	if err != nil {
		return nil, err
	}
	if man != nil && man.State.World == world {
		if opts.FromCache != nil {
			opts.FromCache(man.State.Articles)
		}
		rep, scan := b.unchanged(man, dest)
		if rep != nil {
			// Nothing changed, in the sources or the destination: the
			// site is what the cache says.
			rep.Elapsed = time.Since(start)
			if len(rep.Problems) > 0 {
				return rep, fmt.Errorf("%w: %d bad files", ErrProblems, len(rep.Problems))
			}
			return rep, nil
		}
		b.scan = scan
	}
	// What the staging needs, found in the background while the cache is
	// read and the site indexed, which mostly keep one core busy: which
	// of the previous build's files are as it left them (a stat of each),
	// and what the spare holds (publish.ListSpare).
	var checked chan map[string]*cachedOutput
	var spare *publish.SpareListing
	// Both share the cores with this goroutine's work, which the rest
	// waits for: they take a slot for each step (a run of stats, a
	// folder's stat), and this goroutine holds one until it needs their
	// results (free). With one core there is nothing to share.
	var slots chan struct{}
	free := func() {}
	if n := runtime.GOMAXPROCS(0); n > 1 {
		slots = make(chan struct{}, n)
		slots <- struct{}{}
		free = sync.OnceFunc(func() { <-slots })
	}
	if man != nil {
		if err := man.readTrees(); err != nil {
			slog.Debug("ignoring unreadable build cache", "file", cachePath(dest), "err", err)
			man.close()
			man = nil
		}
	}
	if man != nil {
		checked = make(chan map[string]*cachedOutput, 1)
		outs := man.Outputs
		fm.Go(func() { checked <- checkOutputs(dest, outs, slots) })
		spare = publish.ListSpare(dest, man.spareTree, slots)
		defer spare.Stop() // a build that stops early leaves no goroutine behind
	} else if otherOutputs != nil {
		// A new sitegen: every page is drawn again, and those whose bytes
		// did not change are linked from the previous site.
		checked = make(chan map[string]*cachedOutput, 1)
		fm.Go(func() { checked <- checkOutputs(dest, otherOutputs, slots) })
	}
	defer free() // before spare.Stop waits
	if man != nil && !man.readRest() {
		free()
		<-checked
		man, checked = nil, nil
	}
	if man != nil {
		b.cache = make(map[string]*cachedSource, len(man.Sources))
		for i := range man.Sources {
			b.cache[man.Sources[i].Path] = &man.Sources[i]
		}
		b.related = man.State.Related
	}
	if b.theme.renderer.AnyDeps()&render.DepsAll == 0 {
		spill, err := newBodySpill(filepath.Dir(dest))
		if err != nil {
			return nil, err
		}
		defer spill.close()
		b.spill = spill
	}
	if err := b.loadAllContent(ctx); err != nil {
		return nil, err
	}
	b.cache = nil
	slog.Debug("build: content loaded", "articles", len(b.sources), "elapsed", time.Since(start))
	if man == nil || man.State.World != world || !b.editFromCache(man) {
		b.reindex()
	}
	slog.Debug("build: indexed", "pages", len(b.files), "elapsed", time.Since(start))
	probs := b.problems()
	rep := &Report{Articles: len(b.site.Articles), Pages: len(b.files), Problems: probs, Notes: b.site.Notes}
	problemsErr := error(nil)
	if len(probs) > 0 {
		problemsErr = fmt.Errorf("%w: %d bad files", ErrProblems, len(probs))
		if !opts.KeepGoing {
			rep.Elapsed = time.Since(start)
			return rep, problemsErr
		}
	}
	if len(b.pages) != len(b.files) { // two pages in one file
		if err := uniqueFiles(b.pageList()); err != nil {
			return rep, err
		}
	}
	assets, err := b.assetFiles()
	if err != nil {
		return rep, err
	}
	// The feeds, sitemap and search index: only the feeds and search
	// documents whose articles changed are made again (planExtras), by the
	// writer.
	w := &siteWriter{b: b, dest: dest, assets: assets, prog: prog, opts: opts, made: map[string]bool{},
		state: &cacheState{World: world, Articles: rep.Articles, Pages: rep.Pages, Notes: rep.Notes, Related: b.site.RelatedIndex(), Content: b.contentRec}}
	w.spare = spare
	free()
	if checked != nil {
		// One stat of each file the previous build left tells which are
		// still as it wrote them, for the extras and the pages alike.
		w.prev = <-checked
	}
	w.plan = w.planExtras(man)
	prog.total.Store(int64(len(b.files) + len(assets) + len(w.reused) + len(w.plan.keys)))
	if err := w.write(ctx, man); err != nil {
		return rep, err
	}
	slog.Debug("build: written", "written", w.written, "kept", w.kept, "elapsed", time.Since(start))
	rep.Files, rep.Unchanged, rep.Removed = w.written, w.kept, w.removed
	rep.Elapsed = time.Since(start)
	return rep, problemsErr
}

// isExtra reports whether rel is one of the feeds, sitemap and search
// index files rather than a page or an asset. The caller holds w.mu.
func (w *siteWriter) isExtra(rel string) bool { return w.reused[rel] || w.made[rel] }

// pageList returns the pages in render.Pages order. The caller must not
// change the slice.
func (b *Builder) pageList() []*render.Page { return b.list }

// assetFiles returns every asset output file and its bytes: the asset
// folders' files (a later folder's replacing an earlier one's; names
// starting with "." left out) and the content-hashed copies.
func (b *Builder) assetFiles() (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, fsys := range b.theme.assets {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
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
			data, err := fs.ReadFile(fsys, p)
			if err != nil {
				return fmt.Errorf("copying asset %s: %w", p, err)
			}
			out[p] = data
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, name := range b.theme.hashed.Files() {
		out[name] = b.theme.hashed.Content(name)
	}
	return out, nil
}

// addOutputs adds the feeds, sitemap, robots.txt and search index to
// files. The search index reads every article's body, so every article is
// hydrated first; it analyzes only the articles whose analysis the last
// call's index does not hold (b.searchCache, by search.Doc.Key), after an
// edit in the preview the edited ones, and keeps the last call's term
// shards and copies its documents where they are unchanged
// (b.lastOutputs), and its feeds whose keys are the same (b.lastFeedKeys).
// files must not be changed after.
func (b *Builder) addOutputs(ctx context.Context, files map[string][]byte) error {
	if err := b.hydrate(ctx, b.site.Articles); err != nil {
		return err
	}
	b.articleExtras = nil // the site may have changed since the last call: every key made afresh
	ks := b.extraKeys()
	n := len(b.site.Articles)
	docs := make([]search.Doc, n)
	for i, a := range b.site.Articles { // documents are numbered oldest first (search.Index)
		docs[n-1-i] = search.Doc{Article: a, Key: ks.analyses[i], File: true}
	}
	feedKeys := map[string]sourceHash{} // by folder
	for i, f := range (&outputs{site: b.site}).feeds() {
		feedKeys[f.dir] = ks.feeds[i]
	}
	var mu sync.Mutex
	out := &outputs{site: b.site, assets: b.theme.assets, body: b.body, docs: docs, searchCache: b.searchCache}
	if last, lastKeys := b.lastOutputs, b.lastFeedKeys; last != nil {
		// A feed whose key is the one the last call made it under is
		// copied from there.
		out.skipFeed = func(dir string) bool {
			k, ok := lastKeys[dir]
			if !ok || k != feedKeys[dir] {
				return false
			}
			rss, atom := feedFiles(dir)
			r, okRSS := last[rss]
			a, okAtom := last[atom]
			if !okRSS || !okAtom {
				return false
			}
			mu.Lock()
			files[rss], files[atom] = r, a
			mu.Unlock()
			keptFeeds.Add(1)
			return true
		}
		// The index's shards and documents the last call made, kept or
		// copied where the index finds them unchanged.
		out.keepShard = func(name string) bool {
			data, ok := last[name]
			if ok {
				mu.Lock()
				files[name] = data
				mu.Unlock()
			}
			return ok
		}
		out.prevFile = func(name string) []byte { return last[name] }
	}
	_, err := out.write(ctx, b.pageList(), func(name string, data []byte) error {
		data = bytes.Clone(data) // kept: see Emit
		mu.Lock()
		defer mu.Unlock()
		files[name] = data
		return nil
	})
	if err != nil {
		b.searchCache, b.lastOutputs, b.lastFeedKeys = nil, nil, nil
		return err
	}
	b.searchCache, b.lastOutputs, b.lastFeedKeys = out.newSearch, files, feedKeys
	return nil
}

// keptFeeds counts the feeds Outputs copied from its last call, for tests.
var keptFeeds atomic.Int64

// body returns an article's body, reading it back from the spill file when
// the build keeps bodies there, and reading its source again when it came
// from the build cache without one and was not hydrated (a search
// document the previous build's file was to give, whose copy there turned
// out damaged). It is called from several goroutines at once.
func (b *Builder) body(a *content.Article) (string, error) {
	s := b.sources[a.Source]
	switch {
	case s == nil:
	case b.spill != nil && s.spill != nil:
		return b.spill.get(*s.spill)
	case s.bodyless:
		bodies, err := b.readBodies(context.Background(), []string{a.Source})
		if err != nil {
			return "", err
		}
		return string(bodies[0]), nil
	}
	return string(a.Body), nil
}

// A siteWriter writes a built site to its destination and records what it
// wrote in the build cache.
type siteWriter struct {
	b      *Builder
	dest   string
	assets map[string][]byte
	prog   *progress
	opts   Options

	// state is what the build cache records besides sources and outputs
	// (see planExtras); reused names the feeds and search files the
	// previous build left that need not be made again, plan those to make.
	state      *cacheState
	reused     map[string]bool
	plan       *extrasPlan
	made       map[string]bool // the extra files made in this build, under mu
	extrasMade bool            // made already, into assets
	cache      *cacheWrite     // the new build cache, started by write

	prev    map[string]*cachedOutput // the previous build's outputs still as it left them (checkOutputs)
	spare   *publish.SpareListing    // the spare's listing, under way; nil: none
	mu      sync.Mutex
	outputs map[string]*cachedOutput // what the destination holds after the build; a kept file's is the cache's record (w.prev), never written through

	written, kept, removed int
}

// write publishes the site. When anything changed it stages a whole new
// site beside the destination and swaps it in (publish.Staging), so that
// public/ is at every instant, a kill -9 included, either the whole
// previous site or the whole new one. Staging is incremental: only the
// pages whose key changed are rendered and only the files whose bytes
// changed are written; every other file is hard-linked from the previous
// site, keeping its inode and mtime. The previous site is then deleted in
// the background (Options.RemoveOld).
func (w *siteWriter) write(ctx context.Context, man *manifest) error {
	w.outputs = make(map[string]*cachedOutput, len(w.b.files)+len(w.assets)+len(w.reused)+len(w.plan.keys))
	prev := w.prev
	if man == nil {
		if err := removeManifest(w.dest); err != nil { // unusable; it only takes room
			return err
		}
	}
	// The new cache's sources are written from here, on the other core,
	// which the pass below and staging mostly leave idle in a small
	// build; its search analyses once the search index is made.
	w.cache = w.startCache(man)
	defer w.cache.abort()
	// Kept files are linked from the previous site; the rest are rendered.
	var kept, pages, assets []string
	for _, f := range w.b.files {
		if o, ok := prev[f]; ok && o.Key == w.b.keys[f] {
			w.outputs[f] = o
			kept = append(kept, f)
		} else {
			pages = append(pages, f)
		}
	}
	if man != nil && len(pages) == 0 && !w.assetsChanged(man, prev) {
		// Only the feeds, sitemap and search files may have changed: make
		// them here (few: the feeds and documents whose key changed, the
		// sitemap and the index's shards and manifest) and stage only if
		// their bytes did. A build that stages anyway makes them in stage,
		// writing each as it is made.
		if err := w.makeExtras(ctx, w.keepExtra, w.reuseExtra); err != nil {
			return err
		}
		w.extrasMade = true
	}
	for name, data := range w.assets {
		if o, ok := prev[name]; ok && o.Sum == sumOutput(data) {
			w.outputs[name] = o
			kept = append(kept, name)
		} else {
			assets = append(assets, name)
		}
	}
	sort.Strings(assets)
	for name := range w.reused {
		w.outputs[name] = prev[name]
		kept = append(kept, name)
	}
	if man != nil && w.extrasMade {
		w.removed = w.countRemoved(man)
		if len(pages)+len(assets)+w.removed == 0 {
			w.kept = len(w.outputs)
			// Nothing is staged: the folders are as the cache records them.
			w.state.SpareTree, w.state.PublicTree = man.spareData, man.publicTree
			return w.saveIfChanged(man)
		}
	}
	return w.stage(ctx, man, prev, kept, pages, assets)
}

// assetsChanged reports whether the site's assets or its set of pages
// differ from those of the previous build, whose files in the
// destination that are as it left them are prev.
func (w *siteWriter) assetsChanged(man *manifest, prev map[string]*cachedOutput) bool {
	for name, data := range w.assets {
		if o, ok := prev[name]; !ok || o.Sum != sumOutput(data) {
			return true
		}
	}
	for _, o := range man.Outputs {
		if !o.Extra && w.b.pages[o.Path] == nil && w.assets[o.Path] == nil {
			return true // a page or asset removed
		}
	}
	return false
}

// countRemoved counts the previous build's files that the new site lacks.
func (w *siteWriter) countRemoved(man *manifest) int {
	n := 0
	for _, o := range man.Outputs {
		if _, ok := w.outputs[o.Path]; !ok && w.b.pages[o.Path] == nil && w.assets[o.Path] == nil {
			n++
		}
	}
	return n
}

// checkOutputs returns the previous build's outputs, by path, whose files
// in dest are still the ones it wrote: pointers into outs, whose 96-byte
// records, copied into the map of a 50k site's 82,000 outputs, made a map
// of 10 MB to clear and fill. Each run of checkRun stats takes one of
// slots (nil: none), as publish.ListSpare's folders do.
func checkOutputs(dest string, outs []cachedOutput, slots chan struct{}) map[string]*cachedOutput {
	ok := make([]bool, len(outs))
	fs := openFolderStat(dest)
	defer fs.close()
	parallel((len(outs)+checkRun-1)/checkRun, func(r int) {
		if slots != nil {
			slots <- struct{}{}
			defer func() { <-slots }()
		}
		for i := r * checkRun; i < min(len(outs), (r+1)*checkRun); i++ {
			ok[i] = outputIntact(fs, outs[i].Path, outs[i].Stamp)
		}
	})
	n := 0
	for _, intact := range ok {
		if intact {
			n++
		}
	}
	m := make(map[string]*cachedOutput, n)
	for i := range outs {
		if ok[i] {
			m[outs[i].Path] = &outs[i]
		}
	}
	return m
}

// checkRun is how many of the previous outputs checkOutputs stats with
// one slot.
const checkRun = 64

// stage fills a staging folder with the new site and swaps it in: kept,
// the previous site's files that stay as they are, hard-linked; pages
// rendered, and written unless their bytes equal the previous file's (then
// linked too); assets, the changed ones of w.assets, written. prev holds
// the previous site's files that are as it left them.
func (w *siteWriter) stage(ctx context.Context, man *manifest, prev map[string]*cachedOutput, kept, pages, assets []string) (err error) {
	// The list entries a previous build saved are read meanwhile, for the
	// pages drawn last.
	fragments := make(chan struct{})
	go func() {
		defer close(fragments)
		w.b.readFragments(w.dest, len(pages))
	}()
	defer func() { <-fragments }()
	if len(pages) == len(w.b.files) {
		if err := w.b.hydrate(ctx, w.b.site.Articles); err != nil {
			return err
		}
	} else if err := w.b.hydrate(ctx, w.b.articlesShownBy(pages)); err != nil {
		return err
	}
	begin := publish.Begin
	if len(kept) > 0 {
		// The spare: the site before, mostly linked already.
		begin = func(dest string) (*publish.Staging, error) { return publish.BeginReuseListed(dest, w.spare) }
		if w.spare.Making() {
			slog.Info("waiting for the spare folder that sitegen makes in the background after a full build (it is the work this build would do otherwise)")
		}
	}
	st, err := begin(w.dest)
	if err != nil {
		return err
	}
	defer func() {
		if errors.Is(err, publish.ErrDiskFull) {
			st.Cleanup() // now: the next build needs the space
		}
		w.removeLater(st)
	}()
	if err := st.MakeDirs(slices.Concat(kept, pages, assets, slices.Collect(maps.Keys(w.plan.keys)))); err != nil {
		return err
	}
	// checkOutputs has stat'ed every kept file: its inode is known.
	inodes := make([]uint64, len(kept))
	for i, rel := range kept {
		inodes[i] = prev[rel].Stamp.Ino
	}
	missing, err := st.LinkKnownFiles(kept, inodes, w.dest)
	if err != nil {
		return err
	}
	w.kept = len(kept) - len(missing)
	w.prog.written.Add(int64(w.kept))
	slog.Debug("build: kept files linked", "files", w.kept, "elapsed", time.Since(w.prog.start))
	// Files of the previous site that vanished since checkOutputs saw them
	// are made again.
	for _, rel := range missing {
		delete(w.outputs, rel)
		switch {
		case w.b.pages[rel] != nil:
			pages = append(pages, rel)
		case w.assets[rel] != nil:
			assets = append(assets, rel)
		default:
			return fmt.Errorf("%s vanished from %s during the build; build again", rel, w.dest)
		}
	}
	if len(missing) > 0 {
		if err := w.b.hydrate(ctx, w.b.articlesShownBy(pages)); err != nil {
			return err
		}
	}
	save := func(rel string, key pageKey, data []byte) error {
		if p, ok := prev[rel]; ok && p.Sum == sumOutput(data) {
			if err := st.LinkKnown(rel, filepath.Join(w.dest, filepath.FromSlash(rel)), p.Stamp.Ino); err == nil {
				o := *p
				o.Key = key // the link keeps the stamp: outputStamp leaves out the change time
				w.mu.Lock()
				w.outputs[rel] = &o
				w.kept++
				w.mu.Unlock()
				w.prog.written.Add(1)
				return nil
			}
		}
		fi, err := st.WriteFileStat(rel, data)
		if err != nil {
			return err
		}
		w.record(rel, key, data, outputStamp(fi))
		return nil
	}
	// keep links a file of the previous site that the extras leave as it
	// was (a search index shard).
	keep := func(rel string) bool {
		o, ok := prev[rel]
		if !ok || st.LinkKnown(rel, filepath.Join(w.dest, filepath.FromSlash(rel)), o.Stamp.Ino) != nil {
			return false
		}
		w.mu.Lock()
		w.outputs[rel] = o
		w.kept++
		w.mu.Unlock()
		w.prog.total.Add(1)
		w.prog.written.Add(1)
		return true
	}
	for _, name := range assets {
		if err := save(name, pageKey{}, w.assets[name]); err != nil {
			return err
		}
	}
	if !w.extrasMade {
		// Each file is written as it is made: a cold build's feeds and
		// search documents are a large part of its bytes, and holding
		// them for the writer was most of its peak memory.
		err := w.makeExtras(ctx, func(name string, data []byte) error { return save(name, pageKey{}, data) }, keep)
		if err != nil {
			return err
		}
		w.extrasMade = true
		slog.Debug("build: feeds, sitemap and search index staged", "elapsed", time.Since(w.prog.start))
	}
	<-fragments
	if err := w.renderPages(ctx, pages, save); err != nil {
		return err
	}
	slog.Debug("build: rendered and staged", "elapsed", time.Since(w.prog.start))
	// The fragments drawn are saved for later builds on the other core
	// while the site is published.
	saved := make(chan struct{})
	go func() {
		defer close(saved)
		w.b.saveFragments(w.dest)
	}()
	defer func() { <-saved }()
	if man != nil {
		w.removed = w.countRemoved(man)
	}
	// From here the destination changes: a cache that still described the
	// old site would be wrong if the build were killed before saving it.
	if err := removeManifest(w.dest); err != nil {
		return err
	}
	if err := st.Commit(); err != nil {
		return err
	}
	// The new site's folder record is encoded while the outputs are
	// listed.
	trees := make(chan struct{})
	go func() {
		defer close(trees)
		w.keepTrees(man, st)
	}()
	w.removeLater(st)
	outputs := w.outputList(man)
	<-trees
	if err := w.finishCache(w.cache, outputs); err != nil {
		return err
	}
	if !st.PreviousIsSpare() && len(outputs) >= spareAheadMin && w.opts.MakeSpare != nil {
		// No spare: the next build would make a whole staging folder.
		w.opts.MakeSpare(w.dest)
	}
	return nil
}

// keepTrees notes for the build cache the records of the folders beside
// the destination after st's Commit: the new site's, when it was staged
// into the spare, and the previous site's, which the previous build left
// in the cache, when it has become the spare.
func (w *siteWriter) keepTrees(man *manifest, st *publish.Staging) {
	if t := st.Tree(); t != nil {
		var size int // the record before, to encode this one without growing the buffer
		if man != nil {
			size = max(len(man.publicTree), len(man.spareData))
		}
		if data, err := t.AppendBinary(make([]byte, 0, size+size/16)); err == nil {
			w.state.PublicTree = data
		}
	}
	if man != nil && st.PreviousIsSpare() {
		w.state.SpareTree = man.publicTree
	}
}

// removeLater deletes the folders the staging no longer needs: after a
// swap, the previous site and what earlier builds left; after a failed or
// cancelled build, also the staging folder, which at 1M articles takes
// minutes to delete. Options.RemoveOld deletes them, in the background
// where the command runs; an interrupted build then returns at once. (A
// build that filled the disk deletes its staging folder itself first, so
// that the space is free when it returns.)
func (w *siteWriter) removeLater(st *publish.Staging) {
	for _, dir := range st.Detach() {
		if w.opts.RemoveOld != nil {
			w.opts.RemoveOld(dir)
		} else {
			os.RemoveAll(dir)
		}
	}
}

// articlesShownBy returns the articles whose bodies the given pages' templates may show.
func (b *Builder) articlesShownBy(files []string) []*content.Article {
	var arts []*content.Article
	bodies := map[string]render.SiteDeps{}
	for _, f := range files {
		p := b.pages[f]
		d, ok := bodies[p.Template()]
		if !ok {
			d = b.theme.renderer.Deps(p.Template())
			bodies[p.Template()] = d
		}
		if d&render.DepsAll != 0 {
			return b.site.Articles
		}
		if d&render.DepsBodies != 0 {
			arts = append(arts, p.Article, p.Older, p.Newer)
			arts = append(arts, p.List...)
		}
	}
	return arts
}

func (w *siteWriter) record(rel string, key pageKey, data []byte, st stamp) {
	o := cachedOutput{Path: rel, Key: key, Sum: sumOutput(data), Stamp: st}
	w.mu.Lock()
	o.Extra = w.isExtra(rel)
	w.outputs[rel] = &o
	w.written++
	w.mu.Unlock()
	w.prog.written.Add(1)
}

// renderPages renders the given pages on all cores and hands each one's
// bytes to save.
func (w *siteWriter) renderPages(ctx context.Context, files []string, save func(rel string, key pageKey, data []byte) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var failed error
	var once sync.Once
	work := make(chan string, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for f := range work {
				buf.Reset()
				p, err := w.b.withBodies(w.b.pages[f])
				if err == nil {
					err = w.b.theme.renderer.Render(&buf, p)
				}
				if err == nil {
					err = save(f, w.b.keys[f], buf.Bytes())
				}
				if err != nil {
					once.Do(func() { failed = err; cancel() })
				}
			}
		}()
	}
feed:
	for _, f := range files {
		select {
		case work <- f:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if failed != nil {
		return failed
	}
	return ctx.Err()
}

func (w *siteWriter) saveIfChanged(man *manifest) error {
	same := len(man.Sources) == len(w.b.sources) && w.state.same(&man.State)
	if same {
		for _, c := range man.Sources {
			s := w.b.sources[c.Path]
			if s == nil || s.stamp != c.Stamp || s.hash != c.Hash {
				same = false
				break
			}
		}
	}
	for _, o := range man.Outputs {
		if n, ok := w.outputs[o.Path]; !ok || *n != o {
			same = false
			break
		}
	}
	if same && len(man.Outputs) == len(w.outputs) {
		return nil
	}
	return w.saveManifest(man)
}

// saveManifest writes the build cache for the site just published; man is
// the previous build's cache (nil: none).
func (w *siteWriter) saveManifest(man *manifest) error {
	return w.finishCache(w.cache, w.outputList(man))
}

// startCache starts writing the build cache's sections that follow from
// the sources and the index (see cacheWrite), which nothing changes once
// the extras are planned (planExtras) but the search index, which
// makeExtras makes (cacheWrite.searchReady); finishCache writes the rest
// once the site is published.
func (w *siteWriter) startCache(man *manifest) *cacheWrite {
	var last []cachedSource
	if man != nil {
		last = man.Sources
	}
	// srcs looked up once for both passes, on the writer's goroutine.
	var paths []string
	var srcs []*source
	sources := func(full bool, yield func([]cachedSource) error) error {
		if paths == nil {
			paths, srcs = sortedLike(w.b.sources, len(last), func(i int) string { return last[i].Path })
		}
		chunk := make([]cachedSource, 0, cacheChunk)
		for i, p := range paths {
			s := srcs[i]
			c := cachedSource{Path: p, Stamp: s.stamp, Prob: s.prob}
			if full {
				c.Hash, c.Meta, c.Slug, c.Art, c.NoTopics = s.hash, s.meta, s.slug, s.art, s.noTopics
				c.Arch, c.Extras = archiveFields(s, w.b.published[p]), w.b.articleExtras[p]
				if s.art != nil && s.normalized {
					c.parsed = &s.parsed // the cache keeps articles as parsed
				}
			}
			chunk = append(chunk, c)
			if len(chunk) == cacheChunk || i == len(paths)-1 {
				if err := yield(chunk); err != nil {
					return err
				}
				chunk = chunk[:0]
			}
		}
		return nil
	}
	return startCache(w.dest, w.state, len(w.b.sources), sources)
}

// outputList returns the records of the files the destination holds, by
// path; man is the previous build's cache (nil: none). The records the
// previous build's cache holds, kept or copied, are taken in its order (by
// cachedOutput.pos: no path looked up), and the others, few after an edit,
// sorted and put in their places.
func (w *siteWriter) outputList(man *manifest) []*cachedOutput {
	var last []cachedOutput
	if man != nil {
		last = man.Outputs
	}
	kept := make([]*cachedOutput, len(last)) // by place in last
	var made []*cachedOutput
	for _, o := range w.outputs {
		if i := int(o.pos) - 1; i >= 0 && i < len(last) && last[i].Path == o.Path {
			kept[i] = o
		} else {
			made = append(made, o)
		}
	}
	byPath := func(a, b *cachedOutput) int { return strings.Compare(a.Path, b.Path) }
	slices.SortFunc(made, byPath)
	// The records themselves, not copies: 82,000 of 96 bytes at 50k
	// articles, memory the build would touch for the first time.
	outputs := make([]*cachedOutput, 0, len(w.outputs))
	i := 0
	for _, o := range made {
		// The kept records before o: last is sorted by path, as this
		// function wrote it (checked below, for a cache spoiled by hand).
		at := i + sort.Search(len(last)-i, func(j int) bool { return last[i+j].Path >= o.Path })
		for ; i < at; i++ {
			if kept[i] != nil {
				outputs = append(outputs, kept[i])
			}
		}
		outputs = append(outputs, o)
	}
	for ; i < len(last); i++ {
		if kept[i] != nil {
			outputs = append(outputs, kept[i])
		}
	}
	if !slices.IsSortedFunc(outputs, byPath) {
		outputsSorted.Add(1)
		slices.SortFunc(outputs, byPath)
	}
	return outputs
}

// outputsSorted counts the output lists outputList had to sort again, for
// tests.
var outputsSorted atomic.Int64

// sortedLike returns m's keys, sorted, and their values. When m holds
// exactly the n paths last gives, which are sorted (the previous build's
// cache lists them so), as most builds do, it takes them in that order
// instead of sorting them again.
func sortedLike[V any](m map[string]V, n int, last func(i int) string) ([]string, []V) {
	keys, vals := make([]string, 0, len(m)), make([]V, 0, len(m))
	if n == len(m) {
		for i := range n {
			v, ok := m[last(i)]
			if !ok {
				break
			}
			keys, vals = append(keys, last(i)), append(vals, v)
		}
	}
	if len(keys) != len(m) {
		keys, vals = sortedKeys(m), vals[:0]
		for _, k := range keys {
			vals = append(vals, m[k])
		}
	}
	return keys, vals
}

// finishCache finishes the cache write c for the site just published,
// whose files outputs records.
func (w *siteWriter) finishCache(c *cacheWrite, outputs []*cachedOutput) error {
	if err := c.finish(mustAbs(w.b.root), w.dest, w.state, outputs); err != nil {
		// The site is published; only the next build's speed suffers.
		slog.Warn("the next build will be a full one", "err", err)
	}
	return nil
}

// outputStamp stamps an output file. It leaves out the change time, which
// moves whenever a link to the file is made or deleted: after a full
// build links unchanged files into the new site, deleting the old site
// would otherwise make every one of them look edited.
func outputStamp(fi fs.FileInfo) stamp {
	st := statStamp(fi)
	st.Ctime = 0
	return st
}

func mustAbs(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// inHalves calls f(0, n/2) and f(n/2, n) on two goroutines, for passes
// that write one element per index: each core writes its own half.
func inHalves(n int, f func(from, to int)) {
	var wg sync.WaitGroup
	wg.Go(func() { f(n/2, n) })
	f(0, n/2)
	wg.Wait()
}

// parallel calls f(0) ... f(n-1) on all cores.
func parallel(n int, f func(i int)) {
	procs := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for w := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += procs {
				f(i)
			}
		}()
	}
	wg.Wait()
}
