package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sitegen/sitegen/internal/archive"
	"github.com/sitegen/sitegen/internal/assets"
	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/search"
	"github.com/sitegen/sitegen/internal/site"
	"github.com/sitegen/sitegen/internal/topics"
)

// A Builder keeps a site loaded and indexed in memory between builds, for
// the preview server and for incremental builds. Update takes the source
// files that changed, reloads just those, re-indexes the site and says which
// output files now have different bytes; Render draws any output file from
// memory. Every page has a key, a hash of everything its template can show
// (its article and neighbours, its list and pager, the site-wide data its
// template reads as found by render.Renderer.Deps, and the theme: the
// configuration, language, templates and assets), so a page whose key did
// not change has the same bytes.
//
// A Builder is safe for use by several goroutines: Render and Files may run
// while Update runs; they see the site before or after the update, never a
// mix.
type Builder struct {
	root string // site root

	mu        sync.RWMutex
	theme     *theme
	rules     *topics.Rules               // tags.yaml
	published map[string]*content.Article // by source path: the normalized articles the site holds
	themeHash sourceHash                  // of the site's sitegen.yaml, templates/, i18n/ and assets/
	cfgHash   sourceHash                  // of sitegen.yaml alone: when it changes, every article is read again
	loader    *content.Loader
	contentF  fs.FS
	sources   map[string]*source // by path under content/
	walkErrs  content.Problems   // files in content/ that are not articles
	site      *site.Site
	pages     map[string]*render.Page      // by output file
	files     []string                     // output files of pages, in render.Pages order
	list      []*render.Page               // the pages in render.Pages order: list[i] is drawn into files[i]
	keys      map[string]pageKey           // by output file
	artKeys   map[*content.Article]artKeys // by published article, as the last full keying found them; nil: none (see articleID)
	txtTopics map[string]bool              // topic keys that raw text articles name, made on first need; see topicsKept
	bodyPages *bodyIndex                   // the pages that show each article's body, made on first need; see bodyPagesOf
	dups      *dupIndex                    // the sources' articles by hash and fingerprint, made on first need; see duplicatesKept
	probs     content.Problems             // problems() as last computed; nil: to compute again (sources or walkErrs changed)
	unindexed bool                         // sources changed after the last reindex (an Update that failed halfway): no fast path
	lastPath  updatePath                   // the path the last Update took (for tests)

	progress *atomic.Int64 // articles read, for the progress line; may be nil

	// For builds to disk: the content folder, to stamp files, and the
	// previous build's sources by path, to reuse those whose stamp matches.
	contentDir string
	scan       *contentScan   // content/ as the no-op check found it, for the first load; nil: walk it
	onSources  func(n int)    // Options.Sources: called with the number of source files before they are read; may be nil
	contentRec *contentRecord // the first load's walk of content/, for the build cache
	cache      map[string]*cachedSource
	related    *site.RelatedIndex // the previous build's related stories, for the next reindex to keep
	// articleExtras holds, by source path, each published article's parts
	// of the feeds' and search documents' keys (see extraKeys).
	articleExtras map[string]articleExtras
	spill         *bodySpill // where bodies wait until their page is rendered; nil keeps them in the articles
	maps          *fileMaps  // Run's mapped files, the saved fragments among them; nil reads them

	// searchCache is the analyses of the search index Outputs made last,
	// for the next call to take those of unchanged articles from, and
	// lastOutputs the files it returned (never changed), whose shards and
	// documents the next keeps or copies; nil until Outputs is called.
	searchCache  *search.Cache
	lastOutputs  map[string][]byte
	lastFeedKeys map[string]sourceHash // the keys (see extraKeys) of the feeds in lastOutputs, by folder
}

// Changes is what an Update changed in the built site.
type Changes struct {
	Pages    []string         // output files ("2019/12/30/slug/index.html") that are new or whose bytes may have changed, sorted
	Removed  []string         // output files that no longer exist, sorted
	Assets   []string         // changed paths under assets/ ("css/site.css"; "." for the whole folder), sorted
	All      bool             // the theme (configuration, language, templates, assets) changed: every page is in Pages
	Notes    []string         // the site's notes after the update, such as renamed slugs
	Problems content.Problems // every bad source file after the update
}

// NewBuilder loads and indexes the site at root.
func NewBuilder(ctx context.Context, root string) (*Builder, error) {
	return newBuilder(ctx, root, nil)
}

func newBuilder(ctx context.Context, root string, progress *atomic.Int64) (*Builder, error) {
	b := &Builder{root: root, progress: progress}
	if err := b.loadTheme(); err != nil {
		return nil, err
	}
	if err := b.loadAllContent(ctx); err != nil {
		return nil, err
	}
	b.reindex()
	return b, nil
}

// loadTheme reads sitegen.yaml, the language, templates and assets.
func (b *Builder) loadTheme() error {
	rootFS := os.DirFS(b.root)
	th, err := loadTheme(rootFS)
	if err != nil {
		return err
	}
	h, err := hashTheme(rootFS)
	if err != nil {
		return err
	}
	rules, err := topics.LoadRules(rootFS)
	if err != nil {
		return err
	}
	cfgBytes, _ := fs.ReadFile(rootFS, config.FileName)
	th.renderer.IdentifyArticles(b.articleID)
	b.theme, b.themeHash, b.cfgHash, b.rules = th, h, hashBytes(cfgBytes), rules
	return nil
}

func (b *Builder) loadAllContent(ctx context.Context) error {
	b.contentF = optionalSub(content.DirFS(b.root), "content")
	if b.contentF == nil {
		return noContent(b.root)
	}
	b.loader = b.theme.loader(b.contentF)
	scan := b.scan
	b.scan = nil
	if scan == nil {
		var err error
		if scan, err = b.scanContent(b.contentF, nil, nil); err != nil {
			return err
		}
	}
	if b.onSources != nil {
		b.onSources(len(scan.paths))
	}
	b.contentRec = scan.record
	b.loader.SkipMarkdownTopics = !slices.ContainsFunc(scan.paths, content.IsRawText)
	b.probs, b.dups = nil, nil
	b.sources = make(map[string]*source, len(scan.paths))
	load := scan.paths
	if scan.stamps != nil {
		// Stamped already: what the cache holds as stamped is taken from
		// it here, and only the rest is loaded (and stamped again).
		load = nil
		for i, p := range scan.paths {
			if c := b.cache[p]; fromCache(c, scan.stamps[i], b.loader, p) {
				b.sources[p] = c.source(b.loader.Location)
				if b.progress != nil {
					b.progress.Add(1)
				}
			} else {
				load = append(load, p)
			}
		}
	}
	srcs, err := loadSources(ctx, load, b.loader, b.contentDir, b.cache, b.spill, b.progress)
	if err != nil {
		return err
	}
	for i, p := range load {
		b.sources[p] = srcs[i]
	}
	b.walkErrs = scan.probs
	return nil
}

// reindex builds the site, its pages and their keys from b.sources.
func (b *Builder) reindex() (changed, removed []string) {
	prev := b.site
	if prev != nil {
		// The articles prev holds are about to change in place: what its
		// related stories were computed from is fixed first, for
		// KeepRelated to compare with the new site's.
		prev.FixRelatedInputs()
	}
	arts := make([]*content.Article, 0, len(b.sources))
	for _, s := range b.sources {
		if s.art != nil {
			s.asParsed()
			arts = append(arts, s.art)
		}
	}
	// site.New sorts by date with ties broken by source path, so the order
	// of arts does not matter.
	// The archive-wide steps (duplicates, Read more links, topic tags)
	// work in place on articles given back their fields as parsed, so
	// they run afresh on every update; with no cancellation they cannot
	// fail.
	norm, _ := archive.Normalize(context.Background(), arts, b.rules)
	b.published = make(map[string]*content.Article, len(norm.Articles))
	for _, a := range norm.Articles {
		b.published[a.Source] = a
	}
	b.site = site.New(b.theme.cfg, norm.Articles)
	b.site.KeepRelated(prev)
	if b.related != nil {
		if b.site.KeepRelatedIndex(b.related) {
			relatedFromCache.Add(1)
		}
		b.related = nil
	}
	b.txtTopics, b.dups, b.unindexed = nil, nil, false
	return b.makePages(nil)
}

// makePages makes the pages of b.site and their keys. known, when not nil,
// holds the keys of articles whose keys are as they were (see
// keyer.prepare); it becomes the keyer's.
//
// It returns the output files whose keys differ from the previous pages'
// (new files included) and the files no longer pages, sorted; nil for
// the first pages.
func (b *Builder) makePages(known map[*content.Article]artKeys) (changed, removed []string) {
	return b.makePagesAfter(known, nil)
}

// makePagesAfter is makePages calling ready, when not nil, once the pages
// are listed and before they are keyed: what another goroutine does
// meanwhile to the site may be what the keys read (its related stories),
// but not what the pages' list does.
func (b *Builder) makePagesAfter(known map[*content.Article]artKeys, ready func()) (changed, removed []string) {
	b.bodyPages = nil
	oldFiles, oldList := b.files, b.list
	all := render.Pages(b.site, b.theme.lang)
	b.files, b.list = make([]string, len(all)), all
	for i, p := range all {
		b.files[i] = p.File()
	}
	if ready != nil {
		ready()
	}
	keys := b.pageKeys(all, known)
	if b.keys == nil {
		b.pages = make(map[string]*render.Page, len(all))
		b.keys = make(map[string]pageKey, len(all))
		for i, f := range b.files {
			b.pages[f], b.keys[f] = all[i], keys[i]
		}
	} else {
		// The maps are changed in place: most files are pages still.
		for i, f := range b.files {
			if k, ok := b.keys[f]; !ok || k != keys[i] {
				b.keys[f] = keys[i]
				changed = append(changed, f)
			}
			b.pages[f] = all[i]
		}
		for i, f := range oldFiles {
			if b.pages[f] == oldList[i] { // not a page now: no new page took its place
				delete(b.pages, f)
				delete(b.keys, f)
				removed = append(removed, f)
			}
		}
	}
	slices.Sort(changed)
	slices.Sort(removed)
	// List fragments drawn from articles keep by their keys (articleID);
	// the others may show what changed in place.
	b.theme.renderer.KeepFragments(b.liveArticles())
	return changed, removed
}

// movePages is makePages for a site made from prev by moving, adding or
// deleting the articles in moved, the others' keys being in known
// (reindexKept): it keys only the pages samePage cannot find unchanged
// from the page of the same file before, which at 50,000 articles is a
// few thousand pages of 77,000 for a date edit. relatedKept returns once
// the site's related stories are kept (KeepRelated, on another core while
// the pages are made).
func (b *Builder) movePages(prev *site.Site, known map[*content.Article]artKeys, moved map[*content.Article]bool, relatedKept func()) (changed, removed []string) {
	b.bodyPages = nil
	oldFiles, oldList := b.files, b.list
	// The article pages of articles not moved and with the same neighbours
	// are the pages of oldList, made pages of the new site in place.
	isMoved := isIn(moved)
	all := render.PagesLike(b.site, b.theme.lang, oldList, func(a *content.Article) bool { return !isMoved(a) })
	relatedKept()
	b.files, b.list = make([]string, len(all)), all
	kr := b.newKeyer()
	kr.arts = known
	var todo []int // in all, the pages to key
	var tk tmplKeys
	var tmpl tmplKind
	var prevSite sourceHash
	w := pageWalk{files: oldFiles, list: oldList}
	for i, p := range all {
		if t := (tmplKind{p.Template(), p.Kind == render.KindHome}); i == 0 || t != tmpl { // pages of a template mostly come together
			tk, tmpl, prevSite = kr.template(p), t, kr.prevTemplate(p, prev)
		}
		f, old := w.find(p, b.pages)
		b.files[i] = f
		pos := -1
		if arts := b.site.Articles; i < len(arts) && p.Kind == render.KindArticle && p.Article == arts[i] { // Pages puts them first
			pos = i
		}
		if old != nil && kr.samePage(tk, prevSite, p, old, pos, prev, isMoved) {
			// The file's page stays, made the new one (if not the same
			// Page already): no map changes.
			*old = *p
			all[i] = old
			continue
		}
		b.pages[f] = p
		todo = append(todo, i)
	}
	// The keyer holds every template's parts (the walk asked for each) and
	// every article's keys but the moved ones': with those and the site's
	// periods, it keys on all cores.
	for a := range moved {
		if b.published[a.Source] == a {
			kr.article(a) // for articleID too
		}
	}
	kr.parts.key(render.DepsPeriods)
	kr.frozen = true
	keys := make([]pageKey, len(todo))
	forEach(len(todo), func(k *keyWriter, j int) { keys[j] = kr.key(k, all[todo[j]]) })
	for j, i := range todo {
		if f := b.files[i]; b.keys[f] != keys[j] {
			b.keys[f] = keys[j]
			changed = append(changed, f)
		}
	}
	for _, k := range w.unmet() {
		// Neither replaced by a page of the new site nor made one.
		if f := oldFiles[k]; b.pages[f].Site != b.site {
			delete(b.pages, f)
			delete(b.keys, f)
			removed = append(removed, f)
		}
	}
	b.artKeys = kr.arts
	slices.Sort(changed)
	slices.Sort(removed)
	// As on the body path: fragments drawn from articles are kept by their
	// keys, and those whose arguments point at what changed are forgotten.
	b.theme.renderer.KeepFragments(nil)
	return changed, removed
}

// A pageWalk finds, for each page of a new list in turn, the page its file
// had in the list before (files, list): among the next few of that list,
// whose pages are in much the same order, or else in a map of pages by
// file. The pages it passes over may be files no page has now.
type pageWalk struct {
	files  []string
	list   []*render.Page
	next   int   // in list, the first page not yet met or passed over
	passed []int // in list, the pages passed over
}

// find returns p's file and the page of that file before, or nil.
func (w *pageWalk) find(p *render.Page, pages map[string]*render.Page) (string, *render.Page) {
	var f string
	if w.next < len(w.list) && w.list[w.next] == p { // the same Page: the same file
		f = w.files[w.next]
	} else {
		f = p.File()
	}
	for d := range min(4, len(w.list)-w.next) {
		if w.files[w.next+d] == f {
			for k := w.next; k < w.next+d; k++ {
				w.passed = append(w.passed, k)
			}
			w.next += d + 1
			return f, w.list[w.next-1]
		}
	}
	return f, pages[f]
}

// unmet returns the places in the list before of the pages find did not
// meet in order: those it passed over and those after the last it met.
func (w *pageWalk) unmet() []int {
	for k := w.next; k < len(w.list); k++ {
		w.passed = append(w.passed, k)
	}
	w.next = len(w.list)
	return w.passed
}

// liveArticles reports whether an ArticleID is the key of one of the
// site's articles as the last full keying found them. The set is made on
// first need: a first build has no fragments to ask about.
func (b *Builder) liveArticles() func(render.ArticleID) bool {
	var live map[render.ArticleID]bool
	return func(id render.ArticleID) bool {
		if live == nil {
			live = make(map[render.ArticleID]bool, len(b.artKeys))
			for _, ak := range b.artKeys {
				live[render.ArticleID(ak.full)] = true
			}
		}
		return live[id]
	}
}

// articleID names a published article's content for the renderer's
// fragment cache (render.Renderer.IdentifyArticles): its key with the
// body, which covers everything the article's page shows of it (see
// articleKeys). It knows the articles of the last full keying, and those
// updateBodies changed since.
func (b *Builder) articleID(a *content.Article) (render.ArticleID, bool) {
	ak, ok := b.artKeys[a]
	return render.ArticleID(ak.full), ok && ak.full != (sourceHash{})
}

// An updatePath is the way Update took to the new site.
type updatePath int

const (
	fullPath  updatePath = iota // reload the changed files, index the whole site again
	bodyPath                    // updateBodies: new bodies and shown fields put in place
	tagPath                     // updateBodies, and the site's tag index made again (site.Site.Retag)
	indexPath                   // updateBodies, and the site indexed again without the archive-wide steps (reindexKept)
)

// relatedFromCache counts the indexes that kept the related stories of the
// build cache rather than computing them, for tests.
var relatedFromCache atomic.Int64

// relatedEditedFromCache counts the builds after an edit of articles'
// dates, slugs or tags that kept the related stories of the build cache
// but those the edit can have changed (site.Site.KeepRelatedIndexEdited),
// for tests.
var relatedEditedFromCache atomic.Int64

// Problems returns every bad source file, sorted.
func (b *Builder) Problems() content.Problems {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.problems()
}

// problems returns every bad source file, sorted. The list is kept until
// sources are loaded again: an edit that takes updateBodies' path replaces
// sources that had no problem with sources that have none, and at 50,000
// articles a walk over every source on each save is noticeable.
func (b *Builder) problems() content.Problems {
	if b.probs == nil {
		b.probs = b.findProblems()
	}
	return slices.Clone(b.probs)
}

func (b *Builder) findProblems() content.Problems {
	var perSource []*content.Problem
	for _, s := range b.sources {
		if s.prob != nil {
			perSource = append(perSource, s.prob)
		}
	}
	return siteProblems(b.walkErrs, perSource)
}

// siteProblems returns the problems of content/ found while walking it and
// while reading its files, sorted, with their paths as the user finds them
// from the site root ("content/2024/story.md").
func siteProblems(walk, perSource []*content.Problem) content.Problems {
	probs := make(content.Problems, 0, len(walk)+len(perSource))
	for _, p := range slices.Concat(walk, perSource) {
		c := *p
		c.Path = path.Join("content", p.Path)
		probs = append(probs, &c)
	}
	probs.Sort()
	return probs
}

// Site returns the indexed site. It must be treated as read-only.
func (b *Builder) Site() *site.Site {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.site
}

// Files returns the output files of every page, in render.Pages order.
func (b *Builder) Files() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return append([]string(nil), b.files...)
}

// Samples returns the output files of one page of each template and page
// kind, the first of each in Files order: drawing them runs every template
// that drawing every page would, on a page of each kind.
func (b *Builder) Samples() []string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	type templateKind struct {
		template string
		kind     string
	}
	seen := map[templateKind]bool{}
	var files []string
	for _, f := range b.files {
		p := b.pages[f]
		if k := (templateKind{p.Template(), p.Kind}); !seen[k] {
			seen[k] = true
			files = append(files, f)
		}
	}
	return files
}

// HasPage reports whether file is the output file of one of the site's
// pages ("2019/12/30/slug/index.html").
func (b *Builder) HasPage(file string) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.pages[file] != nil
}

// Assets returns the asset folders, default assets first; a later folder's
// file replaces an earlier one's of the same name.
func (b *Builder) Assets() []fs.FS {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return append([]fs.FS(nil), b.theme.assets...)
}

// Hashed returns the content-hashed copies of stylesheets and scripts that
// pages link to; a build writes them beside the assets.
func (b *Builder) Hashed() *assets.Fingerprints {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.theme.hashed
}

// ErrNoPage is returned by Render for an output file that is not a page.
var ErrNoPage = errors.New("no such page")

// Render writes the page whose output file is file
// ("2019/12/30/slug/index.html", "index.html") to w. For a file that is
// not a page (an asset, or a page that no longer exists) it returns an
// error wrapping ErrNoPage.
func (b *Builder) Render(w io.Writer, file string) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	p := b.pages[file]
	if p == nil {
		return fmt.Errorf("%s: %w", file, ErrNoPage)
	}
	return b.theme.renderer.Render(w, p)
}

// Update reloads the given changed files and re-indexes the site. Paths are
// relative to the site root ("content/2024/story.md", "templates/list.html",
// "sitegen.yaml", "assets/style.css") or absolute; a path may name a file
// that was created, changed or deleted, or a folder. It returns which output
// files differ from before. On error (a template that does not parse, a bad
// sitegen.yaml) the Builder keeps the site it had.
func (b *Builder) Update(ctx context.Context, paths []string) (*Changes, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := &Changes{}
	var contentPaths []string
	reloadAll, rescan, reloadRules := false, false, false
	for _, p := range paths {
		rel, ok := b.relPath(p)
		if !ok {
			continue
		}
		switch first, rest, _ := strings.Cut(rel, "/"); {
		case rel == config.FileName, first == "templates", first == "i18n":
			reloadAll = true
		case rel == topics.RulesFile:
			reloadRules = true
		case first == "assets":
			// Pages link to content-hashed copies of stylesheets and scripts.
			reloadAll = true
			if rest == "" {
				rest = "."
			}
			ch.Assets = append(ch.Assets, rest)
		case first == "content" && rest == "":
			rescan = true
		case first == "content":
			contentPaths = append(contentPaths, rest)
		}
	}
	if reloadRules && !reloadAll {
		// Tag rules change which tags articles get (package archive), not
		// the theme: the page keys tell which pages that changes.
		rules, err := topics.LoadRules(os.DirFS(b.root))
		if err != nil {
			return nil, err
		}
		b.rules = rules
	}
	b.lastPath = fullPath
	if !reloadAll && !rescan && !reloadRules {
		pages, removed, path, err := b.updateBodies(ctx, contentPaths)
		if err != nil {
			return nil, err
		}
		if b.lastPath = path; path != fullPath {
			ch.Pages, ch.Removed, ch.Notes, ch.Problems = pages, removed, b.site.Notes, b.problems()
			return ch, nil
		}
	}
	if reloadAll {
		prev := b.saved()
		if err := b.loadTheme(); err != nil {
			b.restore(prev)
			return nil, err
		}
		if prev.cfgHash != b.cfgHash {
			// Dates, time zones and paging depend on the configuration.
			if err := b.loadAllContent(ctx); err != nil {
				b.restore(prev)
				return nil, err
			}
		} else if err := b.reloadContent(ctx, contentPaths, rescan); err != nil {
			// Articles changed with the theme in one batch (a checkout).
			b.restore(prev)
			return nil, err
		}
		ch.All = true
	} else if err := b.reloadContent(ctx, contentPaths, rescan); err != nil {
		return nil, err
	}
	ch.Pages, ch.Removed = b.reindex()
	sort.Strings(ch.Assets)
	ch.Notes = b.site.Notes
	ch.Problems = b.problems()
	return ch, nil
}

// loaded is what Update replaces and puts back when a reload fails.
type loaded struct {
	theme              *theme
	themeHash, cfgHash sourceHash
	loader             *content.Loader
	contentF           fs.FS
	sources            map[string]*source
	walkErrs           content.Problems
}

func (b *Builder) saved() loaded {
	return loaded{b.theme, b.themeHash, b.cfgHash, b.loader, b.contentF, b.sources, b.walkErrs}
}

func (b *Builder) restore(l loaded) {
	b.theme, b.themeHash, b.cfgHash, b.loader = l.theme, l.themeHash, l.cfgHash, l.loader
	b.contentF, b.sources, b.walkErrs = l.contentF, l.sources, l.walkErrs
	b.probs, b.dups = nil, nil
}

// relPath turns p into a slash-separated path relative to the site root.
func (b *Builder) relPath(p string) (string, bool) {
	if filepath.IsAbs(p) {
		root, err := filepath.Abs(b.root)
		if err != nil {
			return "", false
		}
		if p, err = filepath.Rel(root, p); err != nil {
			return "", false
		}
	}
	p = path.Clean(filepath.ToSlash(p))
	return p, filepath.IsLocal(p)
}

// reloadContent re-reads the given content files. A path that is not a
// plain article file (a folder, a deleted file, a skipped name) makes it
// walk content/ again to learn which articles exist.
func (b *Builder) reloadContent(ctx context.Context, paths []string, rescan bool) error {
	var load []string
	for _, p := range paths {
		if !b.isArticleFile(p) {
			rescan = true
			continue
		}
		load = append(load, p)
	}
	b.unindexed = true // until reindex
	b.probs = nil
	if rescan {
		all, probs, err := b.loader.Paths()
		if err != nil {
			return err
		}
		known := make(map[string]bool, len(all))
		for _, p := range all {
			known[p] = true
			if b.sources[p] == nil {
				load = append(load, p)
			}
		}
		for p := range b.sources {
			if !known[p] {
				delete(b.sources, p)
			}
		}
		b.walkErrs = probs
	}
	srcs, err := loadSources(ctx, load, b.loader, "", nil, nil, nil)
	if err != nil {
		return err
	}
	for i, p := range load {
		b.sources[p] = srcs[i]
	}
	return b.ensureTopics(ctx)
}

// hasSkippedPart reports whether any element of p is a name the loader skips.
// isArticleFile reports whether p, a path under content/, is a plain
// article file the content walk would find: a regular file of an article
// format, with no skipped name on its path.
func (b *Builder) isArticleFile(p string) bool {
	fi, err := fs.Stat(b.contentF, p)
	return err == nil && fi.Mode().IsRegular() && content.IsArticleFile(p) && !hasSkippedPart(p)
}

func hasSkippedPart(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if strings.HasPrefix(part, ".") || strings.HasPrefix(part, "_") {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
