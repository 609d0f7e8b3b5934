package build

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/feed"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/search"
	"github.com/sitegen/sitegen/internal/site"
	"github.com/sitegen/sitegen/internal/sitemap"
	"github.com/zeebo/xxh3"
)

// An Emit writes one output file at a site-relative path. The outputs call
// it from several goroutines at once. It must not keep data once it
// returns: the search index reuses it (see search.Write).
type Emit func(name string, data []byte) error

// Outputs returns the site's files besides pages and assets, by output
// path: the feeds, sitemap, robots.txt and search index, as Run writes them.
// The map must not be changed: the next call takes the search index's
// files it can from there.
func (b *Builder) Outputs(ctx context.Context) (map[string][]byte, error) {
	b.mu.Lock() // hydrate may give articles their bodies back
	defer b.mu.Unlock()
	files := map[string][]byte{}
	if err := b.addOutputs(ctx, files); err != nil {
		return nil, err
	}
	return files, nil
}

// MayBeOutput reports whether rel, a site-relative path, may name one of
// the files Outputs makes: a feed or sitemap file (".xml"), robots.txt, or
// a file of the search index beside the search page. It is true for more
// names than Outputs makes, and cheap: a caller that would make them all
// only to learn that a name is not among them (a request for
// /favicon.ico) asks it first.
func MayBeOutput(rel string) bool {
	return strings.HasSuffix(rel, ".xml") || rel == strings.TrimPrefix(render.RobotsPath, "/") ||
		strings.HasPrefix(rel, searchDir) && rel != searchDir+"index.html"
}

// searchDir is the search page's folder, where the search index's files
// are, as an output path ("search/").
var searchDir = strings.TrimPrefix(render.SearchPath, "/")

// outputs writes a site's non-HTML files.
type outputs struct {
	site   *site.Site
	assets []fs.FS                                // the asset folders, whose own robots.txt wins
	body   func(*content.Article) (string, error) // an article's body; nil: its Body field

	// For a build that remakes only what changed: skipFeed says which
	// feeds (by folder) need not be made; docs, when not nil, are the
	// search index's documents with their keys and whether to make their
	// files, searchCache the previous build's analyses and shards, and
	// keepShard keeps a term shard of the previous build's index as it is
	// (search.Options.Keep), by output path, and prevFile gives a file of
	// that index, a document file or a term shard
	// (search.Options.PrevDocFile and PrevShard), by output path too. The
	// index's analyses and shards for the next build are left in
	// newSearch.
	skipFeed    func(dir string) bool
	keepSitemap bool              // the sitemap's files are the previous build's: make only robots.txt
	sitemapFile func(name string) // when not nil, told the name of each sitemap file made
	// sitemapEntries, when not nil, are what sitemapEntries gives for
	// the pages, found already (see Builder.sitemapKey).
	sitemapEntries []sitemapEntry
	docs           []search.Doc
	searchCache    *search.Cache
	keepShard      func(name string) bool
	prevFile       func(name string) []byte
	newSearch      *search.Cache
}

// write emits the files a site publishes besides its HTML pages: the RSS
// and Atom feeds of the site and of each tag, the sitemap (an index and
// numbered parts on big sites), robots.txt unless the site's assets have
// their own, and the search index. pages is the site's page set, which the
// sitemap lists. It returns the number of files emitted.
func (s *outputs) write(ctx context.Context, pages []*render.Page, emit Emit) (int, error) {
	var n atomic.Int64
	counted := func(name string, data []byte) error {
		n.Add(1)
		return emit(name, data)
	}
	if err := s.writeFeeds(ctx, counted); err != nil {
		return int(n.Load()), err
	}
	if err := ctx.Err(); err != nil {
		return int(n.Load()), err
	}
	// The sitemap, on one core, beside the search index, whose steps do
	// not all keep both busy.
	sitemapErr := make(chan error, 1)
	go func() { sitemapErr <- s.writeSitemap(pages, counted) }()
	err := s.writeSearch(ctx, counted)
	if err2 := <-sitemapErr; err == nil {
		err = err2
	}
	return int(n.Load()), err
}

// A feedSpec is one of the site's feeds: the site's or a tag's.
type feedSpec struct {
	title, dir string
	arts       []*content.Article // the newest render.FeedItems articles
}

// feeds lists the site's feeds: the site's, then each tag's.
func (s *outputs) feeds() []feedSpec {
	cfg := s.site.Config
	newest := func(arts []*content.Article) []*content.Article { return arts[:min(len(arts), render.FeedItems)] }
	fs := []feedSpec{{cfg.Title, "/", newest(s.site.Articles)}}
	for _, t := range s.site.Tags {
		fs = append(fs, feedSpec{cfg.Title + " · " + t.Name, t.URLPath(), newest(t.Articles)})
	}
	return fs
}

// writeFeeds writes the newest render.FeedItems articles of the site and of
// each tag as RSS and Atom, on all cores: nothing else runs meanwhile.
func (s *outputs) writeFeeds(ctx context.Context, emit Emit) error {
	feeds := s.feeds()
	errs := make([]error, len(feeds))
	var failed atomic.Bool
	parallel(len(feeds), func(i int) {
		if failed.Load() {
			return
		}
		f := feeds[i]
		if s.skipFeed != nil && s.skipFeed(f.dir) {
			return
		}
		if errs[i] = ctx.Err(); errs[i] == nil {
			errs[i] = s.writeFeed(f, emit)
		}
		if errs[i] != nil {
			failed.Store(true)
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// feedFiles returns the output paths of the RSS and Atom files of the
// article list at dir (render.FeedPaths without the leading slash).
func feedFiles(dir string) (rss, atom string) {
	rss, atom = render.FeedPaths(dir)
	return strings.TrimPrefix(rss, "/"), strings.TrimPrefix(atom, "/")
}

// writeFeed writes one feed as RSS and Atom.
func (s *outputs) writeFeed(spec feedSpec, emit Emit) error {
	cfg := s.site.Config
	abs := func(p string) string { return strings.TrimSuffix(cfg.BaseURL, "/") + p }
	rss, atom := render.FeedPaths(spec.dir)
	f := &feed.Feed{Title: spec.title, Description: "Newest articles of " + spec.title, Language: cfg.Language,
		Publisher: cfg.Title, Page: abs(spec.dir), RSSURL: abs(rss), AtomURL: abs(atom), SiteURL: cfg.BaseURL,
		Articles:   spec.arts,
		ArticleURL: func(a *content.Article) string { return abs(a.URLPath()) }}
	if err := emit(strings.TrimPrefix(rss, "/"), f.RSS()); err != nil {
		return err
	}
	return emit(strings.TrimPrefix(atom, "/"), f.Atom())
}

// writeSitemap lists every page but the 404 page, each with the time its
// newest article last changed, and writes robots.txt pointing at it.
func (s *outputs) writeSitemap(pages []*render.Page, emit Emit) error {
	cfg := s.site.Config
	abs := func(p string) string { return strings.TrimSuffix(cfg.BaseURL, "/") + p }
	if !s.keepSitemap {
		urls := make([]sitemap.URL, 0, len(pages))
		entries := s.sitemapEntries
		if entries == nil {
			entries = sitemapEntries(s.site, pages)
		}
		for _, e := range entries {
			urls = append(urls, sitemap.URL{Loc: abs(e.path), LastMod: e.lastMod})
		}
		emitPart := emit
		if s.sitemapFile != nil {
			emitPart = func(name string, data []byte) error {
				s.sitemapFile(name)
				return emit(name, data)
			}
		}
		err := sitemap.Write(urls, abs("/"), strings.TrimPrefix(render.SitemapPath, "/"),
			func(n int) string { return "sitemap-" + strconv.Itoa(n) + ".xml" }, emitPart)
		if err != nil {
			return err
		}
	}
	if s.hasAsset(strings.TrimPrefix(render.RobotsPath, "/")) {
		return nil
	}
	return emit(strings.TrimPrefix(render.RobotsPath, "/"), sitemap.Robots(abs(render.SitemapPath)))
}

// sitemapEntries returns the path and last modification time of each page
// the sitemap lists, in order: every page but the 404 page, each with
// the time its newest article last changed.
func sitemapEntries(st *site.Site, pages []*render.Page) []sitemapEntry {
	entries := make([]sitemapEntry, 0, len(pages))
	var newestAll time.Time
	for _, a := range st.Articles {
		newestAll = later(newestAll, modified(a))
	}
	for _, p := range pages {
		if p.Kind == render.KindMissing {
			continue
		}
		lastMod := newestAll
		switch {
		case p.Article != nil:
			lastMod = modified(p.Article)
		case p.List != nil:
			lastMod = time.Time{}
			for _, a := range p.List {
				lastMod = later(lastMod, modified(a))
			}
		}
		entries = append(entries, sitemapEntry{p.Path, lastMod})
	}
	return entries
}

// sitemapKey is the key the sitemap's files are made under: everything
// sitemapEntries gives, the configuration (the base URL) and the program
// (how the entries are written and split into files). A body edit leaves
// it as it was, and the 82,000 entries of a 50,000-article site are then
// not written again. It returns the entries too, for writeSitemap when the
// key changed: finding each list page's newest article again was half of
// making the sitemap.
func (b *Builder) sitemapKey() (sourceHash, []sitemapEntry) {
	var k keyWriter
	k.str("sitemap")
	k.hash(programKey())
	k.hash(b.cfgHash)
	var buf []byte
	entries := sitemapEntries(b.site, b.pageList())
	for _, e := range entries {
		k.str(e.path)
		buf = e.lastMod.AppendFormat(buf[:0], time.RFC3339Nano)
		k.bytes(buf)
	}
	return k.sum(), entries
}

// A sitemapEntry is one page the sitemap lists (see sitemapEntries).
type sitemapEntry struct {
	path    string
	lastMod time.Time
}

// writeSearch writes the search index into the search page's folder.
func (s *outputs) writeSearch(ctx context.Context, emit Emit) error {
	docs := s.docs
	if docs == nil {
		n := len(s.site.Articles)
		docs = make([]search.Doc, n)
		for i, a := range s.site.Articles { // newest first; documents are numbered oldest first
			docs[n-1-i] = search.Doc{Article: a, File: true}
		}
	}
	opt := search.Options{BasePath: s.site.Config.BasePath(), Body: s.body}
	if s.keepShard != nil {
		opt.Keep = func(name string) bool { return s.keepShard(searchDir + name) }
	}
	if s.prevFile != nil {
		opt.PrevDocFile = func(name string) []byte { return s.prevFile(searchDir + name) }
		opt.PrevShard = opt.PrevDocFile
	}
	stats, cache, err := search.Index(ctx, docs, opt, s.searchCache, func(name string, data []byte) error { return emit(searchDir+name, data) })
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	s.newSearch = cache
	copiedSearchDocs.Add(int64(stats.CopiedDocs))
	analyzedSearchDocs.Add(int64(stats.Analyzed))
	renumberedShards.Add(int64(stats.Renumbered))
	return nil
}

// analyzedSearchDocs counts the articles the search indexes analyzed rather
// than took from a cache, for tests.
var analyzedSearchDocs atomic.Int64

// renumberedShards counts the search index's term shards made from the
// previous build's, renumbered after an article moved, for tests.
var renumberedShards atomic.Int64

// copiedSearchDocs counts the search documents copied from the previous
// build's files (search.Options.PrevDocFile), for tests.
var copiedSearchDocs atomic.Int64

// hasAsset reports whether the site's own or the default assets hold name.
func (s *outputs) hasAsset(name string) bool {
	for _, a := range s.assets {
		if _, err := fs.Stat(a, name); err == nil {
			return true
		}
	}
	return false
}

// modified is when an article last changed.
func modified(a *content.Article) time.Time {
	if a.Updated.After(a.Date) {
		return a.Updated
	}
	return a.Date
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// An extrasPlan says which feeds and search files a build makes, and
// which it keeps from the previous build (siteWriter.reused).
type extrasPlan struct {
	keys     map[string]sourceHash // of the keyed files to make: feeds and search documents
	skipFeed map[string]bool       // feeds, by folder, kept whole
	docs     []search.Doc          // the search index's documents, File set for those to make
	cache    *search.Cache         // the previous build's analyses, or nil
	need     []*content.Article    // articles whose bodies the files to make read

	sitemapKey     sourceHash     // the key of the sitemap's files (see sitemapKey)
	sitemapEntries []sitemapEntry // what the key was made of, for making the files
	keepSitemap    bool           // the previous build's sitemap files are kept (reused)
}

// planExtras decides which feeds, sitemap, robots.txt and search index
// files to make. Given the previous build's cache, a feed or search
// document file whose key (see extraKeys) is the one it was made under and
// whose file is as that build left it is not made again but kept
// (w.reused), and the search index analyzes only the articles whose
// analysis is not in the cache; so only the articles of the feeds and
// documents made again are read back. The sitemap, robots.txt and the
// index's manifest is always made, and its term shards but those the
// index finds it can keep (see makeExtras); the writer leaves the files
// whose bytes did not change.
func (w *siteWriter) planExtras(man *manifest) *extrasPlan {
	b := w.b
	// The sitemap's key, a pass over every page, on the other core
	// meanwhile: the rest is a pass over every article.
	sitemapKey := make(chan sourceHash, 1)
	var sitemapEntries []sitemapEntry
	go func() {
		var k sourceHash
		k, sitemapEntries = b.sitemapKey()
		sitemapKey <- k
	}()
	ks := b.extraKeys()
	prev := map[string]cachedOutput{}
	plan := &extrasPlan{keys: map[string]sourceHash{}, skipFeed: map[string]bool{}}
	if man != nil {
		for _, o := range man.Outputs {
			if o.Extra && o.Key != (sourceHash{}) {
				prev[o.Path] = o
			}
		}
		plan.cache = man.State.Search
	}
	// Files that may be kept: same key, and the file as it was (w.prev).
	type want struct {
		name string
		key  sourceHash
	}
	var maybe []want
	feeds := (&outputs{site: b.site}).feeds()
	for i, f := range feeds {
		rss, atom := feedFiles(f.dir)
		for _, name := range []string{rss, atom} {
			if o, ok := prev[name]; ok && o.Key == ks.feeds[i] {
				maybe = append(maybe, want{name, ks.feeds[i]})
			}
		}
	}
	for id := 0; id < len(b.site.Articles); id += search.DocsPerFile {
		name := searchDir + search.DocFile(id)
		if o, ok := prev[name]; ok && o.Key == ks.docs[id] {
			maybe = append(maybe, want{name, ks.docs[id]})
		}
	}
	w.reused = map[string]bool{}
	w.state.Extras = map[string]extraMade{}
	for _, m := range maybe {
		if _, intact := w.prev[m.name]; intact { // as the previous build left it
			w.reused[m.name] = true
			w.state.Extras[m.name] = extraMade{m.key, prev[m.name].Sum}
		}
	}
	// The sitemap's files are kept together or made again together: each
	// was recorded under the key of them all.
	plan.sitemapKey = <-sitemapKey
	plan.sitemapEntries = sitemapEntries
	var sitemapFiles []string
	for name, o := range prev {
		if o.Key == plan.sitemapKey {
			sitemapFiles = append(sitemapFiles, name)
		}
	}
	plan.keepSitemap = len(sitemapFiles) > 0
	for _, name := range sitemapFiles {
		if _, intact := w.prev[name]; !intact {
			plan.keepSitemap = false
		}
	}
	if plan.keepSitemap {
		for _, name := range sitemapFiles {
			w.reused[name] = true
			w.state.Extras[name] = extraMade{plan.sitemapKey, prev[name].Sum}
		}
	}

	// Which articles need their bodies: those of the feeds made again,
	// those whose document file is made again, those not analyzed before.
	for i, f := range feeds {
		rss, atom := feedFiles(f.dir)
		if w.reused[rss] && w.reused[atom] {
			plan.skipFeed[f.dir] = true
			continue
		}
		delete(w.reused, rss)
		delete(w.reused, atom)
		plan.keys[rss], plan.keys[atom] = ks.feeds[i], ks.feeds[i]
		plan.need = append(plan.need, f.arts...)
	}
	// An article the previous index analyzed whose document is in a file
	// as that build left it needs no body for its document either: a
	// file made again copies it from there (search.Options.PrevDocFile).
	oldNumber := map[[16]byte]int{} // by search.Doc.Key
	if plan.cache != nil {
		for id, e := range plan.cache.Entries {
			oldNumber[e.Key] = id
		}
	}
	n := len(b.site.Articles)
	plan.docs = make([]search.Doc, n)
	for i, a := range b.site.Articles {
		id := n - 1 - i // documents are numbered oldest first (search.Index)
		name := searchDir + search.DocFile(id)
		plan.docs[id] = search.Doc{Article: a, Key: ks.analyses[i], File: !w.reused[name]}
		if plan.docs[id].File {
			plan.keys[name] = ks.docs[id]
		}
		old, analyzed := oldNumber[ks.analyses[i]]
		if !analyzed {
			plan.need = append(plan.need, a)
		} else if _, intact := w.prev[searchDir+search.DocFile(old)]; plan.docs[id].File && !intact {
			plan.need = append(plan.need, a)
		}
	}
	return plan
}

// prevSearchFile returns the search index file rel (an output path), a
// document file or a term shard, as the previous build left it, or nil
// when it is not (search.Options.PrevDocFile and PrevShard).
func (w *siteWriter) prevSearchFile(rel string) []byte {
	if _, intact := w.prev[rel]; !intact {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(w.dest, filepath.FromSlash(rel)))
	if err != nil {
		return nil
	}
	return data
}

// makeExtras makes the files w.plan says to make and hands each to save,
// from several goroutines at once, noting it as made (isExtra) and, for a
// feed or search document, the key and hash of its bytes for the build
// cache. save either writes the file into the staging folder at once (a
// build that stages anyway: nothing is held until the writer takes it) or
// keeps it in w.assets (a build that stages only if they changed). A term
// shard of the search index that would be made with the bytes the
// previous build's has is offered to keep instead, which reports whether
// it kept the previous file.
func (w *siteWriter) makeExtras(ctx context.Context, save func(name string, data []byte) error, keep func(name string) bool) error {
	b, plan := w.b, w.plan
	if err := b.hydrate(ctx, plan.need); err != nil {
		return err
	}
	var sitemapFiles sync.Map // names of the sitemap files made, keyed by plan.sitemapKey
	out := &outputs{site: b.site, assets: b.theme.assets, body: b.body,
		skipFeed: func(dir string) bool { return plan.skipFeed[dir] }, docs: plan.docs, searchCache: plan.cache, keepShard: keep, prevFile: w.prevSearchFile,
		keepSitemap: plan.keepSitemap, sitemapEntries: plan.sitemapEntries, sitemapFile: func(name string) { sitemapFiles.Store(name, true) }}
	_, err := out.write(ctx, b.pageList(), func(name string, data []byte) error {
		k, keyed := plan.keys[name]
		if _, ok := sitemapFiles.Load(name); ok {
			k, keyed = plan.sitemapKey, true
			w.prog.total.Add(1)
		}
		var sum sourceHash
		if keyed {
			sum = sumOutput(data)
		} else {
			w.prog.total.Add(1) // the keyed files are counted in advance
		}
		w.mu.Lock()
		w.made[name] = true
		if keyed {
			w.state.Extras[name] = extraMade{k, sum}
		}
		w.mu.Unlock()
		if beforeSavingExtra != nil {
			if err := beforeSavingExtra(name); err != nil {
				return err
			}
		}
		return save(name, data)
	})
	w.state.Search = out.newSearch
	if err == nil {
		w.cache.searchReady() // the cache's search sections may follow its sources
	}
	return err
}

// beforeSavingExtra, when set by a test, is called before each made feed,
// sitemap and search file is saved; its error fails the build there.
var beforeSavingExtra func(name string) error

// reuseExtra keeps the previous build's file name as it is, when it is as
// that build left it, for the writer to link into a staging folder.
func (w *siteWriter) reuseExtra(name string) bool {
	if _, ok := w.prev[name]; !ok {
		return false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.reused[name] = true
	return true
}

// keepExtra keeps a made file in w.assets, for the writer to compare with
// the previous build's and stage if it changed.
func (w *siteWriter) keepExtra(name string, data []byte) error {
	if cap(data) > len(data)+len(data)/8 {
		// Held until written: drop what a growing buffer left over.
		data = bytes.Clone(data)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.assets[name] = data
	return nil
}

// articleExtras are an article's parts of the extra keys: of what the
// feeds and search documents show of it, and of its search analysis; and
// a hash of the URL they were made with (urlHash), which both read, so
// that a build after an edit that moved some article's URL (site.New
// makes URLs unique) tells whose parts it can keep.
type articleExtras struct {
	full, analysis sourceHash
	url            uint64
}

// urlHash is an article's URL, hashed for articleExtras.
func urlHash(a *content.Article) uint64 {
	var buf [128]byte
	return xxh3.Hash(a.AppendURLPath(buf[:0]))
}

// extraKeys are the keys of the feeds and search documents: a file made
// under a key has the same bytes as one made again under the same key.
type extraKeys struct {
	feeds    []sourceHash // by feed, in outputs.feeds order
	docs     []sourceHash // of the search document file that holds each document, by document number
	analyses [][16]byte   // of what the search index reads of each article (search.Doc.Key), by site position
}

// extraKeys computes the keys. An article's part is what the feeds and the
// search index show of it: its fields as parsed and its source bytes (the
// body), its URL and what the archive-wide steps set (tags, Read more
// links, aliases). The configuration and the program cover the rest; the
// templates play no part. An article's parts are taken from
// b.articleExtras when it holds them (editFromCache puts there the
// previous build's, for the articles whose inputs it proved unchanged),
// and left there for the build cache.
func (b *Builder) extraKeys() extraKeys {
	var k keyWriter
	k.hash(programKey())
	k.hash(b.cfgHash)
	world := k.sum()
	arts := b.site.Articles
	full := make([]sourceHash, len(arts)) // by site position
	ks := extraKeys{docs: make([]sourceHash, len(arts)), analyses: make([][16]byte, len(arts))}
	made := make([]bool, len(arts)) // computed here, not taken from b.articleExtras
	forEach(len(arts), func(k *keyWriter, i int) {
		a := arts[i]
		if c, ok := b.articleExtras[a.Source]; ok {
			full[i], ks.analyses[i] = c.full, c.analysis
			return
		}
		made[i] = true
		s := b.sources[a.Source]
		k.hash(world)
		k.str(a.Source)
		k.hash(s.meta)
		k.hash(s.hash)
		k.str(a.URLPath())
		k.str(a.Title)
		k.str(a.Summary)
		k.str(a.Date.Format(time.RFC3339Nano))
		k.str(a.Updated.Format(time.RFC3339Nano))
		writeArchiveFields(k, a)
		full[i] = k.sum()

		// The index reads the body, title, summary and tags, and shows
		// the URL and date (search.Doc.Key); the world covers baseURL.
		k.str("search analysis")
		k.hash(world)
		k.hash(s.hash)
		k.str(a.Title)
		k.str(a.Summary)
		for _, t := range a.Tags {
			k.str(t.Slug)
			k.str(t.Name)
		}
		k.str(a.URLPath())
		k.str(a.Date.Format("2006-01-02"))
		ks.analyses[i] = k.sum()
	})
	// Every article's parts, in the map they were taken from when it
	// holds no others (editFromCache's, at 50,000 articles a map of as
	// many entries to make again otherwise).
	if taken := len(arts) - count(made); b.articleExtras == nil || taken != len(b.articleExtras) {
		b.articleExtras = make(map[string]articleExtras, len(arts))
		for i := range made {
			made[i] = true
		}
	}
	for i, a := range arts {
		if made[i] {
			b.articleExtras[a.Source] = articleExtras{full[i], ks.analyses[i], urlHash(a)}
		}
	}
	// A search document file's key is that of the articles it holds, by
	// number (oldest first, see search.Index): any of them edited, added
	// or moved makes it again; an article added after all others makes
	// only the last file again.
	n := len(arts)
	for f := 0; f < n; f += search.DocsPerFile {
		end := min(f+search.DocsPerFile, n)
		k.str("search documents")
		for id := f; id < end; id++ {
			k.int(int64(id))
			k.hash(full[n-1-id])
		}
		key := k.sum()
		for id := f; id < end; id++ {
			ks.docs[id] = key
		}
	}
	for _, f := range (&outputs{site: b.site}).feeds() {
		k.str("feed")
		k.hash(world)
		k.str(f.title)
		k.str(f.dir)
		for _, a := range f.arts {
			i, _ := b.site.Position(a) // a feed lists the site's own
			k.hash(full[i])
		}
		ks.feeds = append(ks.feeds, k.sum())
	}
	return ks
}

// count returns how many of bs are true.
func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
