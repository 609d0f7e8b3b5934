package build

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sitegen/sitegen/internal/archive"
	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/site"
	"github.com/sitegen/sitegen/internal/topics"
)

// updateBodies is Update's fast path for the commonest edit in a preview:
// changes to the text of articles the site already holds that leave
// everything the site's indexes are made of as it was. It reloads the
// files and, when for each one
//
//   - the file parses, as it did before, and is published (not a duplicate
//     left out);
//   - every field but the body is unchanged (its meta hash), or only its
//     tags (see below) and fields that pages show and nothing indexes have
//     changed (the headline, summary, credits, image, links and update
//     time: see copyDisplay); a changed headline must also be one no other
//     article has and no "Read more:" line names, before and after
//     (headlinesKept);
//   - what the archive-wide steps (package archive) derive from the body
//     comes out the same for every article: its "Read more:" lines are the
//     same; no other article shares its text fingerprint or source hash,
//     old or new, so no article becomes or stops being a duplicate; and its
//     topic candidates change no article's topic tags (see topicsKept),
//
// it puts the new body and shown fields into the published article in
// place, keeps the site, its pages and related stories, and recomputes the
// keys of only the pages that can show what changed. It returns the output
// files whose keys changed, sorted, and bodyPath.
//
// A Markdown article's tags may change too (tagsAndDisplayOnly): package
// archive gives such an article its own tags mapped through the rules,
// which no other article's depend on (archive.OwnTags), and site.New reads
// nothing else of them than its tag index. Then the tag index is made
// again over the site's order, URLs and date archives (site.Site.Retag),
// related stories are computed again for the articles sharing a changed
// tag (site.Site.KeepRelated), the tag pages made again, and the keys of
// the pages the edit can change computed again (see retag); it returns
// the output files whose keys changed and those no longer pages, sorted,
// and tagPath.
//
// An edit may also change what site.New reads and package archive leaves
// alone: a date, a slug, aliases, a headline that moves the URL. When the
// article is in no group of duplicates before or after (no other article
// has its headline, old or new, besides its hash and fingerprint: see
// headlinesKept), the published article takes every field as parsed but
// those package archive sets, which stay as they were, and the site is
// indexed again from the published articles without the archive-wide
// steps, every page keyed again (reindexKept); it returns the files whose
// keys changed and those no longer pages, sorted, and indexPath. A new
// Markdown article takes the same path (newArticleFile) when package
// archive would give it nothing but its own tags: no other article has its
// headline, text or bytes, no Read more line names it, it has none of its
// own, and its topic candidates change no raw text article's tags. So
// does a deleted Markdown article (deletedArticleFile) that no other
// article has the headline, text or bytes of, no Read more line names, and
// whose topic candidates weigh in no raw text article's tags.
//
// It returns fullPath, having changed nothing, when the edit needs the
// full re-index. The caller holds b.mu.
func (b *Builder) updateBodies(ctx context.Context, paths []string) (pages, removed []string, path updatePath, err error) {
	if len(paths) == 0 || b.site == nil || b.unindexed {
		return nil, nil, fullPath, nil
	}
	paths = slices.Compact(slices.Sorted(slices.Values(paths)))
	index := map[string]bool{} // the edits that changed what site.New reads, added and deleted articles included
	var load []string          // the paths of files still there
	for _, p := range paths {
		switch s := b.sources[p]; {
		case s == nil && b.newArticleFile(p):
			index[p] = true
		case s == nil || s.art == nil || b.published[p] == nil:
			return nil, nil, fullPath, nil // bad, draft or duplicate before the edit
		case b.deletedArticleFile(p):
			index[p] = true
			continue
		}
		load = append(load, p)
	}
	loaded, err := loadSources(ctx, load, b.loader, "", nil, nil, nil)
	if err != nil {
		return nil, nil, fullPath, err
	}
	fresh := make([]*source, len(paths)) // by path; nil for a deleted file
	for i, j := 0, 0; i < len(paths) && j < len(load); i++ {
		if paths[i] == load[j] {
			fresh[i], j = loaded[j], j+1
		}
	}
	editing := make(map[string]bool, len(paths))
	for _, p := range paths {
		editing[p] = true
	}
	retag := false // some edit changed tags too
	for i, p := range paths {
		old, nw := b.sources[p], fresh[i]
		if nw == nil { // deleted: as if edited to an article without text
			if !b.topicsKept(p, old.art, &content.Article{}) {
				return nil, nil, fullPath, nil
			}
			continue
		}
		if nw.art == nil || nw.prob != nil {
			return nil, nil, fullPath, nil
		}
		if old == nil { // added: as if an article without text had been edited
			if len(nw.art.ReadMore) > 0 || !b.topicsKept(p, &content.Article{}, nw.art) {
				return nil, nil, fullPath, nil
			}
			continue
		}
		if !slices.Equal(nw.art.ReadMore, old.art.ReadMore) || !b.topicsKept(p, old.art, nw.art) {
			return nil, nil, fullPath, nil
		}
		switch {
		case nw.meta == old.meta, displayOnly(old.art, nw.art, old.meta):
		case !archive.GetsTopicTags(p) && tagsAndDisplayOnly(old, nw.art):
			retag = true
		case archive.GetsTopicTags(p) && !slices.Equal(nw.art.Tags, old.parsedTags()):
			return nil, nil, fullPath, nil // a raw text article's topic tags are the archive's
		default:
			index[p] = true
		}
	}
	if b.dups == nil {
		b.dups = b.newDupIndex()
	}
	if !b.duplicatesKept(paths, fresh, editing) || !b.headlinesKept(paths, fresh, index) {
		return nil, nil, fullPath, nil
	}

	prev := b.site
	if retag || len(index) > 0 {
		prev.FixRelatedInputs() // before the articles' tags and dates change in place
	}
	changed := make(map[*content.Article]bool, len(paths))
	shown := map[*content.Article]bool{} // those whose shown fields changed
	var added, deleted []*content.Article
	for i, p := range paths {
		old, nw, pub := b.sources[p], fresh[i], b.published[p]
		if nw == nil {
			b.dups.add(old.art, -1)
			delete(b.sources, p)
			delete(b.published, p)
			deleted = append(deleted, pub)
			continue
		}
		b.dups.add(nw.art, 1)
		if old == nil {
			// The published copy is the article as parsed with its own
			// tags: package archive gives it nothing else.
			c := *nw.art
			c.Tags = archive.OwnTags(nw.art, b.rules)
			b.sources[p], b.published[p] = nw, &c
			changed[&c] = true
			added = append(added, &c)
			continue
		}
		b.dups.add(old.art, -1)
		// The published copy's findings are the file's own, then those
		// the archive-wide steps added (package archive appends them).
		var archFindings []content.Finding
		if n := len(old.parsedFindings()); n <= len(pub.Findings) {
			archFindings = pub.Findings[n:]
		}
		tags := pub.Tags // a raw text article's, topic tags included
		if !archive.GetsTopicTags(p) && (retag || index[p]) {
			tags = archive.OwnTags(nw.art, b.rules)
		}
		switch {
		case index[p]:
			// Every field as parsed but those package archive sets: the
			// article is in no group of duplicates (duplicatesKept,
			// headlinesKept), so its aliases are its own, and its Read
			// more links are as they were.
			seeAlso := pub.SeeAlso
			*pub = *nw.art
			pub.SeeAlso = seeAlso
		case nw.meta != old.meta:
			copyDisplay(pub, nw.art)
			shown[pub] = true
		}
		pub.Tags = tags
		pub.Findings = append(slices.Clip(nw.art.Findings), archFindings...)
		pub.Body, pub.Hash, pub.Fingerprint, pub.Topics = nw.art.Body, nw.art.Hash, nw.art.Fingerprint, nw.art.Topics
		b.sources[p] = nw
		changed[pub] = true
	}
	if len(index) > 0 {
		pages, removed := b.reindexKept(prev, changed, added, deleted)
		return pages, removed, indexPath, nil
	}
	if retag {
		pages, removed := b.retag(prev, changed)
		return pages, removed, tagPath, nil
	}
	files := b.bodyPagesOf(changed)
	if len(shown) > 0 {
		files = b.addShownPagesOf(files, shown)
	}
	kr := b.newKeyer()
	var k keyWriter
	for _, f := range files { // every other page's key is as it was
		if key := kr.key(&k, b.pages[f]); key != b.keys[f] {
			b.keys[f] = key
			pages = append(pages, f)
		}
	}
	// These articles changed in place: fragments drawn from them are
	// kept by their new keys from now on, and those whose arguments
	// point at them are forgotten.
	if b.artKeys != nil {
		for a := range changed {
			b.artKeys[a] = kr.article(a)
		}
	}
	b.theme.renderer.KeepFragments(nil)
	slices.Sort(pages)
	return pages, nil, bodyPath, nil
}

// A bodyIndex lists the pages whose keys cover article bodies: by article,
// the pages whose template shows bodies and that hold it (as their
// article, a neighbour or in their list); and the pages whose template
// reads every article. It serves one state of the site's pages.
type bodyIndex struct {
	byArticle map[*content.Article][]string
	all       []string
	// shown lists by article the positions in Builder.files of the pages
	// whose keys cover its shown fields (see shownArticles), but for
	// those in all; made on first need by addShownPagesOf.
	shown map[*content.Article][]int32
}

// bodyPagesOf returns, once each, the output files of the pages whose key
// covers the body of an article in changed (see keyer.showsBodyOf). The
// index behind it is made on first need after a re-index: a walk over
// every page, which an edit of one article at 50,000 articles would
// otherwise make on every save.
func (b *Builder) bodyPagesOf(changed map[*content.Article]bool) []string {
	ix := b.bodyIndex()
	seen := map[string]bool{}
	out := slices.Clone(ix.all)
	for _, f := range out {
		seen[f] = true
	}
	for a := range changed {
		for _, f := range ix.byArticle[a] {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// bodyIndex returns b.bodyPages, made first if need be.
func (b *Builder) bodyIndex() *bodyIndex {
	if b.bodyPages == nil {
		ix := &bodyIndex{byArticle: map[*content.Article][]string{}}
		deps := map[tmplKind]render.SiteDeps{}
		for _, f := range b.files {
			p := b.pages[f]
			tk := tmplKind{p.Template(), p.Kind == render.KindHome}
			d, ok := deps[tk]
			if !ok {
				d = b.theme.renderer.PageDeps(p)
				deps[tk] = d
			}
			switch {
			case d&render.DepsAll != 0:
				ix.all = append(ix.all, f)
			case d&render.DepsBodies != 0:
				for _, a := range slices.Concat([]*content.Article{p.Article, p.Older, p.Newer}, p.List) {
					if a != nil {
						ix.byArticle[a] = append(ix.byArticle[a], f)
					}
				}
			}
		}
		b.bodyPages = ix
	}
	return b.bodyPages
}

// A dupIndex counts the sources' articles by source hash and by text
// fingerprint (0, never compared, left out). The preview server's body
// edits check for duplicates with it (duplicatesKept) and keep it up to
// date; it is made on the first such edit after a re-index, which drops
// it. Without it each edit made a pass over every source, 20 ms of CPU at
// 50,000 articles, following a pointer to each article.
type dupIndex struct {
	hashes, prints map[uint64]int32
	heads          *headIndex // made on the first title edit; see headlinesKept
}

func (b *Builder) newDupIndex() *dupIndex {
	d := &dupIndex{hashes: make(map[uint64]int32, len(b.sources)), prints: make(map[uint64]int32, len(b.sources))}
	for _, s := range b.sources {
		d.add(s.art, 1)
	}
	return d
}

// add counts a's values n more times (n is 1 or -1); a nil a counts nothing.
func (d *dupIndex) add(a *content.Article, n int32) {
	if a == nil {
		return
	}
	d.hashes[a.Hash] += n
	if a.Fingerprint != 0 {
		d.prints[a.Fingerprint] += n
	}
	if d.heads != nil {
		d.heads.add(a, n)
	}
}

// duplicatesKept reports whether the edited files (paths, now read as
// fresh) leave package archive's duplicate detection as it was. It
// compares source hashes (identical bytes) and text fingerprints (same
// text); the headline and date are part of the meta hash, already equal.
// When no other article has any of an edited article's old or new values,
// no other article's lookup finds anything different, and the edited one
// still finds nothing: every article is kept or left out as before, with
// the same reason. It looks the values up in b.dups when there is one,
// and otherwise makes one pass over the sources: a build from the cache
// checks once, and making the index would cost more than the pass.
func (b *Builder) duplicatesKept(paths []string, fresh []*source, editing map[string]bool) bool {
	hashes := make(map[uint64]string, 2*len(paths))
	prints := make(map[uint64]string, 2*len(paths))
	claim := func(m map[uint64]string, v uint64, p string) bool {
		if owner, ok := m[v]; ok && owner != p {
			return false
		}
		m[v] = p
		return true
	}
	before := func(p string) *content.Article { // the edited file's article before the edit; nil when added
		if s := b.sources[p]; s != nil {
			return s.art
		}
		return nil
	}
	for i, p := range paths {
		var after *content.Article // nil when deleted
		if fresh[i] != nil {
			after = fresh[i].art
		}
		for _, a := range []*content.Article{before(p), after} {
			if a == nil {
				continue
			}
			if !claim(hashes, a.Hash, p) {
				return false
			}
			if a.Fingerprint != 0 && !claim(prints, a.Fingerprint, p) { // 0, a very short body, is never compared
				return false
			}
		}
	}
	if d := b.dups; d != nil {
		// A value's holders other than its one claimant among the edited
		// files: the counts cover the edited files as they were.
		others := func(counts map[uint64]int32, v uint64, p string, held func(*content.Article) uint64) int32 {
			n := counts[v]
			if a := before(p); a != nil && held(a) == v {
				n--
			}
			return n
		}
		for v, p := range hashes {
			if others(d.hashes, v, p, func(a *content.Article) uint64 { return a.Hash }) != 0 {
				return false
			}
		}
		for v, p := range prints {
			if others(d.prints, v, p, func(a *content.Article) uint64 { return a.Fingerprint }) != 0 {
				return false
			}
		}
		return true
	}
	for p, s := range b.sources {
		if s.art == nil || editing[p] {
			continue
		}
		if _, ok := hashes[s.art.Hash]; ok {
			return false
		}
		if _, ok := prints[s.art.Fingerprint]; ok && s.art.Fingerprint != 0 {
			return false
		}
	}
	return true
}

// copyDisplay sets dst's shown fields to src's: those that only the pages
// showing the article draw, which the site's indexes and the archive-wide
// steps do not read, but for the headline (see headlinesKept). A field
// added to content.Article is not among them until it is added here, so
// an edit to it takes the full re-index.
func copyDisplay(dst, src *content.Article) {
	dst.Title, dst.Summary, dst.Updated, dst.Image = src.Title, src.Summary, src.Updated, src.Image
	dst.Authors, dst.Agencies, dst.Initials, dst.Editor = src.Authors, src.Agencies, src.Initials, src.Editor
	dst.Contributors, dst.Translation, dst.Links = src.Contributors, src.Translation, src.Links
}

// retag is updateBodies' path for edits that changed tags: the articles
// in changed have their new tags (and bodies and shown fields) in place.
// What package archive and site.New made of the rest is as it was. The tag
// index is made again over prev's order, URLs and date archives, related
// stories again for the articles sharing a changed tag, and the pages
// again. A page's key can change only if it is new, is the tag index, is
// the page of a tag whose name, article count or page of articles
// changed, its template reads the site's tags or every article, it shows
// a changed article (as its article, a neighbour, in its list or its
// related stories), or it shows related stories that changed: those keys
// are computed again, the others kept. (Every list but a tag's holds the
// same articles in the same order as before.)
func (b *Builder) retag(prev *site.Site, changed map[*content.Article]bool) (pages, removed []string) {
	b.site = prev.Retag(changed)
	// The related stories are kept on another core while the pages are
	// made: Retagged reads nothing of them, the keys below do.
	var related sync.WaitGroup
	related.Go(func() { b.site.KeepRelated(prev) })
	oldList, oldFiles := b.list, b.files
	b.list = render.Retagged(b.list, b.site, b.theme.lang)
	b.files = make([]string, 0, len(b.list))
	b.bodyPages = nil         // it holds places in b.files
	gone := map[string]bool{} // the files of the tag index and tag pages before
	i := 0
	for _, p := range b.list {
		if p.Kind == render.KindTags || p.Kind == render.KindTag {
			b.files = append(b.files, p.File())
			continue
		}
		for ; oldList[i] != p; i++ { // Retagged keeps the other pages, in order
			gone[oldFiles[i]] = true
		}
		b.files = append(b.files, oldFiles[i])
		i++
	}
	for ; i < len(oldList); i++ {
		gone[oldFiles[i]] = true
	}
	related.Wait()
	// The keyer computes the changed articles' keys into b.artKeys and
	// takes the others' from there.
	kr := b.newKeyer()
	for a := range changed {
		delete(b.artKeys, a)
	}
	if b.artKeys != nil {
		kr.arts = b.artKeys
	}
	// The articles whose related stories changed or show a changed
	// article (the site's order is prev's), when pages show them: then
	// prev's keys computed them.
	relShown := map[*content.Article]bool{}
	if prev.RelatedComputed() {
		relShown = relatedMoved(b.site, prev.RelatedPositions()) // the same articles: never nil
		for i, a := range b.site.Articles {
			if slices.ContainsFunc(b.site.RelatedOf(i), func(r *content.Article) bool { return changed[r] }) {
				relShown[a] = true
			}
		}
	}
	var k keyWriter
	var tk tmplKeys
	var tmpl tmplKind
	for i, p := range b.list {
		f := b.files[i]
		if t := (tmplKind{p.Template(), p.Kind == render.KindHome}); i == 0 || t != tmpl { // pages of a template come together
			tk, tmpl = kr.template(p), t
		}
		tagPage := p.Kind == render.KindTags || p.Kind == render.KindTag
		if !tagPage && !retagChanges(tk, prev, p, changed, relShown) { // every other page had its file before
			continue
		}
		old, had := b.keys[f]
		if tagPage {
			b.pages[f] = p
			delete(gone, f)
			if had && !retagChanges(tk, prev, p, changed, relShown) {
				continue
			}
		}
		if key := kr.key(&k, p); !had || key != old {
			b.keys[f] = key
			pages = append(pages, f)
		}
	}
	for f := range gone {
		delete(b.pages, f)
		delete(b.keys, f)
		removed = append(removed, f)
	}
	for a := range changed {
		kr.article(a) // for articleID and liveArticles
	}
	b.artKeys = kr.arts
	// As on the body path: fragments drawn from articles are kept by their
	// keys, which cover all an entry shows (those of the changed articles'
	// old keys are left for the next full keying to forget), and those
	// whose arguments point at what changed are forgotten.
	b.theme.renderer.KeepFragments(nil)
	slices.Sort(pages)
	slices.Sort(removed)
	return pages, removed
}

// reindexKept is updateBodies' path for edits that changed what site.New
// reads (a date, a slug, aliases, a headline that moves the URL) but
// nothing package archive derives: the edited articles (changed) are in
// place, in no group of duplicates, and every article holds what package
// archive made of it. It indexes prev's articles again, but for those
// deleted and with those added (their slugs as parsed: site.New renames
// colliding ones afresh), keeps the related stories it can (KeepRelated)
// and the keys of the articles the edit cannot have changed, makes every
// page and its key again, as reindex does after package archive, and
// returns the output files whose keys changed and those no longer pages,
// sorted.
func (b *Builder) reindexKept(prev *site.Site, changed map[*content.Article]bool, added, deleted []*content.Article) (pages, removed []string) {
	// The articles whose keys can change (see keyer.articleKeys): the
	// changed ones, those whose URL site.New renamed, before or after,
	// and those whose Read more links name one of these.
	moved := maps.Clone(changed)
	for _, a := range prev.Renamed() { // the only articles whose slugs are not as parsed, but the changed
		if s := b.sources[a.Source]; s != nil { // nil: deleted
			a.Slug = s.slug
		}
		moved[a] = true
	}
	for _, a := range added {
		moved[a] = true
	}
	arts := slices.Concat(prev.Articles, added)
	if len(deleted) > 0 {
		arts = slices.DeleteFunc(arts, func(a *content.Article) bool { return slices.Contains(deleted, a) })
	}
	// So far moved holds what NewLike asks: the articles not in prev and
	// those whose slugs, dates or tags may differ.
	b.site = site.NewLike(b.theme.cfg, arts, prev, moved)
	for _, a := range deleted {
		moved[a] = true // its key forgotten
	}
	// The related stories are kept on another core while the pages are
	// made: PagesLike reads nothing of them, the pages' comparison and
	// keys do.
	var related sync.WaitGroup
	related.Go(func() { b.site.KeepRelated(prev) })
	for _, a := range b.site.Renamed() {
		moved[a] = true
	}
	for _, a := range arts {
		if slices.ContainsFunc(a.SeeAlso, func(r *content.Article) bool { return moved[r] }) {
			moved[a] = true
		}
	}
	known := b.artKeys
	if known == nil || b.keys == nil {
		related.Wait()
		return b.makePages(nil)
	}
	for a := range moved {
		delete(known, a)
	}
	return b.movePages(prev, known, moved, related.Wait)
}

// newArticleFile reports whether p, a path under content/ that b has no
// source for, is an article file the content walk would find
// (isArticleFile) that package archive gives nothing but its own tags: a
// Markdown article.
func (b *Builder) newArticleFile(p string) bool {
	return b.isArticleFile(p) && !archive.GetsTopicTags(p)
}

// deletedArticleFile reports whether the file at p, a path under content/
// whose article b publishes, is gone, and package archive gave that
// article nothing but its own tags: a Markdown article.
func (b *Builder) deletedArticleFile(p string) bool {
	_, err := fs.Stat(b.contentF, p)
	return errors.Is(err, fs.ErrNotExist) && !archive.GetsTopicTags(p)
}

// retagChanges reports whether p's key can differ from the key of the
// page of the same file before retag (see there). tk is what p's template
// reads; relShown holds the articles whose related stories changed or show
// a changed article.
func retagChanges(tk tmplKeys, prev *site.Site, p *render.Page, changed, relShown map[*content.Article]bool) bool {
	switch {
	case tk.tags, tk.all, p.Kind == render.KindTags:
		return true
	case p.Tag != nil:
		t := prev.Tag(p.Tag.Slug)
		if t == nil || t.Name != p.Tag.Name || len(t.Articles) != len(p.Tag.Articles) || p.Pager == nil {
			return true
		}
		size := p.Site.Config.Paginate // as render.Pages cuts lists
		start := min((p.Pager.Number-1)*size, len(t.Articles))
		if !slices.Equal(p.List, t.Articles[start:min(start+size, len(t.Articles))]) {
			return true
		}
	}
	return changed[p.Article] || changed[p.Older] || changed[p.Newer] ||
		slices.ContainsFunc(p.List, func(a *content.Article) bool { return changed[a] }) ||
		tk.related && p.Article != nil && relShown[p.Article]
}

// relatedMoved returns the articles of s whose related stories differ
// from before, given as lists of site positions (a previous site's, or
// the related index of the previous build), that site having had s's
// articles in s's order; nil, meaning every article, when there are no
// such lists.
func relatedMoved(s *site.Site, before [][]int32) map[*content.Article]bool {
	if before == nil || len(before) != len(s.Articles) {
		return nil
	}
	moved := map[*content.Article]bool{}
	for i, a := range s.Articles {
		if !slices.EqualFunc(s.RelatedOf(i), before[i], func(r *content.Article, p int32) bool { return s.Articles[p] == r }) {
			moved[a] = true
		}
	}
	return moved
}

// tagsAndDisplayOnly reports whether nw, a new parse of old's file,
// differs from old's parse in its tags and shown fields alone, if in
// anything but its body: nw with old's shown fields and tags as parsed has
// old's meta hash.
func tagsAndDisplayOnly(old *source, nw *content.Article) bool {
	c := *nw
	copyDisplay(&c, old.art)
	c.Tags = old.parsedTags()
	return metaHash(&c) == old.meta
}

// displayOnly reports whether nw, a new parse of the file whose parse old
// had the meta hash meta, differs from old in shown fields alone, if in
// anything but its body: nw with old's shown fields has old's meta hash.
func displayOnly(old, nw *content.Article, meta sourceHash) bool {
	c := *nw
	copyDisplay(&c, old)
	return metaHash(&c) == meta
}

// A headIndex counts the headline keys (archive.HeadlineKey) of the
// sources' articles and of their "Read more:" lines.
type headIndex struct{ titles, named map[string]int32 }

func (b *Builder) newHeadIndex() *headIndex {
	h := &headIndex{titles: make(map[string]int32, len(b.sources)), named: map[string]int32{}}
	for _, s := range b.sources {
		h.add(s.art, 1)
	}
	return h
}

// add counts a's keys n more times (n is 1 or -1); a nil a counts nothing.
func (h *headIndex) add(a *content.Article, n int32) {
	if a == nil {
		return
	}
	h.titles[archive.HeadlineKey(a.Title)] += n
	for _, r := range a.ReadMore {
		h.named[archive.HeadlineKey(r)] += n
	}
}

// headlinesKept reports whether the edited files' new headlines (paths,
// now read as fresh) leave package archive's duplicates and "Read more:"
// links as they were, and the pages showing those links too. It compares
// headlines as package archive does (archive.HeadlineKey): an edit that
// keeps the key changes nothing there. Otherwise, when no other article
// has the old or the new key and no Read more line names either, no
// article is kept or left out differently and every Read more line finds
// what it found before. A headline changed within its key (in case or
// punctuation) must be one no Read more line names: the article naming it
// shows it. The files in unique, moved by their edit, must also have
// headline keys no other article has, changed or not: package archive
// finds copies of a story by headline and date, and the duplicate's URL
// becomes an alias of the copy kept. It counts the keys in b.dups, once,
// when there is one, and otherwise in a pass over the sources; the caller
// has put the edited files' previous sources back.
func (b *Builder) headlinesKept(paths []string, fresh []*source, unique map[string]bool) bool {
	claimed := map[string]string{} // key: the one edited file that may hold it
	named := map[string]bool{}     // keys no Read more line may name
	for i, p := range paths {
		if b.sources[p] == nil || fresh[i] == nil {
			// Added or deleted: no other article may have its headline,
			// no Read more line name it.
			a := fresh[i]
			if a == nil {
				a = b.sources[p]
			}
			k := archive.HeadlineKey(a.art.Title)
			if owner, ok := claimed[k]; ok && owner != p {
				return false
			}
			claimed[k], named[k] = p, true
			continue
		}
		t0, t1 := b.sources[p].art.Title, fresh[i].art.Title
		k0, k1 := archive.HeadlineKey(t0), archive.HeadlineKey(t1)
		if k0 != k1 || unique[p] {
			for _, k := range []string{k0, k1} {
				if owner, ok := claimed[k]; ok && owner != p {
					return false
				}
				claimed[k] = p
			}
		}
		if t0 != t1 {
			named[k0], named[k1] = true, true
		}
	}
	if len(claimed) == 0 && len(named) == 0 {
		return true
	}
	if b.dups == nil {
		// One build (sitegen build), with no index of the headlines kept
		// for the next edit: each key asked about is looked for in every
		// article (archive.HeadlineKeyIs), which costs far less than
		// making every article's key.
		for k, p := range claimed {
			for q, s := range b.sources {
				if q != p && s.art != nil && archive.HeadlineKeyIs(s.art.Title, k) {
					return false
				}
			}
		}
		for k := range named {
			for _, s := range b.sources {
				if s.art == nil {
					continue
				}
				for _, r := range s.art.ReadMore {
					if archive.HeadlineKeyIs(r, k) {
						return false
					}
				}
			}
		}
		return true
	}
	if b.dups.heads == nil {
		b.dups.heads = b.newHeadIndex()
	}
	h := b.dups.heads
	for k, p := range claimed {
		n := h.titles[k]
		if s := b.sources[p]; s != nil && archive.HeadlineKey(s.art.Title) == k {
			n-- // the edited article itself, before the edit
		}
		if n != 0 {
			return false
		}
	}
	for k := range named {
		if h.named[k] != 0 {
			return false
		}
	}
	return true
}

// shownArticles calls f with each article whose meta key (all it shows
// but its body) p's key covers: its article, neighbours and list, and the
// related stories its template shows. It reports whether p's template reads
// every article, when it calls f with none.
func (b *Builder) shownArticles(p *render.Page, f func(*content.Article)) (all bool) {
	deps := b.theme.renderer.PageDeps(p)
	if deps&render.DepsAll != 0 {
		return true
	}
	for _, a := range [...]*content.Article{p.Article, p.Older, p.Newer} {
		if a != nil {
			f(a)
		}
	}
	for _, a := range p.List {
		f(a)
	}
	if deps&render.DepsRelated != 0 && p.Article != nil {
		for _, a := range b.site.Related(p.Article) {
			f(a)
		}
	}
	return false
}

// showsAnyOf reports whether p's key covers the shown fields of an
// article in changed (see shownArticles).
func (b *Builder) showsAnyOf(p *render.Page, changed map[*content.Article]bool) bool {
	found := false
	all := b.shownArticles(p, func(a *content.Article) { found = found || changed[a] })
	return all || found
}

// addShownPagesOf adds to files, once each, the output files of the pages
// whose keys cover the shown fields of an article in changed (see
// shownArticles), and gives the article and alias pages of those articles
// their new titles. The index behind it is made on first need after a
// re-index, like bodyPagesOf's.
func (b *Builder) addShownPagesOf(files []string, changed map[*content.Article]bool) []string {
	ix := b.bodyIndex()
	if ix.shown == nil {
		ix.shown = map[*content.Article][]int32{}
		for i, f := range b.files {
			b.shownArticles(b.pages[f], func(a *content.Article) {
				if l := ix.shown[a]; len(l) == 0 || l[len(l)-1] != int32(i) {
					ix.shown[a] = append(l, int32(i))
				}
			})
		}
	}
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		seen[f] = true
	}
	for _, f := range ix.all {
		if !seen[f] {
			seen[f] = true
			files = append(files, f)
		}
	}
	for a := range changed {
		for _, i := range ix.shown[a] {
			f := b.files[i]
			if p := b.pages[f]; p.Article == a && (p.Kind == render.KindArticle || p.Kind == render.KindAlias) {
				p.Title = a.Title // as render.Pages sets it
			}
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	return files
}

// topicsKept reports whether an article's new topic candidates leave every
// article's topic tags as they were. Package archive gives topic tags to
// raw text (.txt) articles only, choosing each one's from its own
// candidate counts weighed by the number of articles naming each candidate
// and the spelling first seen. So a raw text article's tags are kept when
// its candidates are exactly the same; another article's candidates matter
// only through the candidates they add or drop (or spell differently),
// and only to raw text articles that name those.
func (b *Builder) topicsKept(p string, old, nw *content.Article) bool {
	if slices.Equal(old.Topics, nw.Topics) {
		return true
	}
	if archive.GetsTopicTags(p) {
		return false
	}
	before, after := b.topicNames(old.Topics), b.topicNames(nw.Topics)
	if b.txtTopics == nil {
		b.txtTopics = map[string]bool{}
		for src, a := range b.published {
			if archive.GetsTopicTags(src) {
				for k := range b.topicNames(a.Topics) {
					b.txtTopics[k] = true
				}
			}
		}
	}
	differ := func(x, y map[string]string) bool {
		for k, name := range x {
			if other, ok := y[k]; (!ok || other != name) && b.txtTopics[k] {
				return true
			}
		}
		return false
	}
	return !differ(before, after) && !differ(after, before)
}

// topicNames maps the keys of topic candidates, as topics.Extractor counts
// them (canonical through tags.yaml, case folded), to the first spelling.
func (b *Builder) topicNames(cands []topics.Candidate) map[string]string {
	names := make(map[string]string, len(cands))
	for _, c := range cands {
		name := b.rules.Canonical(c.Name)
		if name == "" {
			continue
		}
		if k := strings.ToLower(name); names[k] == "" {
			names[k] = name
		}
	}
	return names
}

// bodyEditsFromCache counts the builds that took editFromCache's path, for
// tests.
var bodyEditsFromCache atomic.Int64

// editFromCache is updateBodies for a build to disk: it indexes the site
// from the build cache of the previous build (man, whose world key the
// caller has checked) without the archive-wide steps, and takes every
// page's key from there but for the pages that show a changed body. It
// does so when the sources are the same files as the cache lists and each
// one that was read again, rather than taken from the cache, passes
// updateBodies' tests: it was published and still is, every field but its
// body is as it was, and what package archive derives from the body comes
// out the same for every article. Each published article is then the
// previous build's copy (the cache keeps what package archive made of
// it), with the new body for the changed ones, and the site, its pages
// and their related stories are what a full re-index would make. As in
// updateBodies, a Markdown article's tags may change too: it then gets
// its own tags as package archive gives them (archive.OwnTags), related
// stories are computed, and the keys of the pages updateBodies' tag path
// would key again are computed (the pages of the tags it had or has, the
// tag index, templates reading the tags, pages new to the site, and
// article pages whose related stories differ from the cache's). An edit
// that takes updateBodies' index path (a date, slug, aliases, a headline
// that moves the URL) takes this one too, with every page keyed and the
// feeds' and search documents' parts of every article made again. It
// reports whether it did; when it did not, it changed nothing the
// caller's reindex does not set afresh.
func (b *Builder) editFromCache(man *manifest) bool {
	b.dups = nil // the sources change below
	if len(man.Sources) != len(b.sources) {
		return false
	}
	// The previous build's pages by file (their places in man.Outputs),
	// made meanwhile on the other core.
	prevFiles := make(chan map[string]int32, 1)
	b.maps.Go(func() { // not waited for when the cache's path is not taken
		prev := make(map[string]int32, len(man.Outputs))
		for i, o := range man.Outputs {
			if !o.Extra {
				prev[o.Path] = int32(i)
			}
		}
		prevFiles <- prev
	})
	var paths []string
	var old, fresh []*source
	// By position in man.Sources: the source, and whether it was read
	// again (one of paths).
	srcs, edited := make([]*source, len(man.Sources)), make([]bool, len(man.Sources))
	retagged := make([]bool, len(man.Sources)) // edited, its tags too
	moved := map[string]bool{}                 // edited, changing what site.New reads (see updateBodies)
	for i := range man.Sources {
		c := &man.Sources[i]
		s := b.sources[c.Path]
		if s == nil {
			return false // a file came and another went
		}
		srcs[i] = s
		if s.bodyless || s.art == nil && c.Art == nil {
			continue // from the cache, or unpublished before and after (bad or a draft)
		}
		if c.Art == nil || c.Prob != nil || c.Arch != nil && c.Arch.Left || s.art == nil || s.prob != nil ||
			!slices.Equal(s.art.ReadMore, c.Art.ReadMore) {
			return false
		}
		o := c.source(b.loader.Location)
		switch {
		case s.meta == c.Meta, displayOnly(c.Art, s.art, c.Meta):
		case !archive.GetsTopicTags(c.Path) && tagsAndDisplayOnly(o, s.art):
			retagged[i] = true
		case archive.GetsTopicTags(c.Path) && !slices.Equal(s.art.Tags, o.parsedTags()):
			return false // a raw text article's topic tags are the archive's
		default:
			moved[c.Path] = true
		}
		paths = append(paths, c.Path)
		old = append(old, o)
		fresh = append(fresh, s)
		edited[i] = true
	}
	// The checks of updateBodies look at the site before the edit; they
	// read what the archive-wide steps do not change (topic candidates,
	// hashes and fingerprints).
	for i, p := range paths {
		b.sources[p] = old[i]
	}
	b.published = make(map[string]*content.Article, len(b.sources))
	published := make([]bool, len(man.Sources)) // by position in man.Sources
	for i, j := 0, 0; i < len(man.Sources); i++ {
		c, s := &man.Sources[i], srcs[i]
		if edited[i] {
			s, j = old[j], j+1
		}
		if s.art != nil && (c.Arch == nil || !c.Arch.Left) {
			b.published[c.Path], published[i] = s.art, true
		}
	}
	editing := make(map[string]bool, len(paths))
	for _, p := range paths {
		editing[p] = true
	}
	kept := len(paths) == 0 || b.duplicatesKept(paths, fresh, editing) && b.headlinesKept(paths, fresh, moved)
	for i, p := range paths {
		kept = kept && b.topicsKept(p, old[i].art, fresh[i].art)
		b.sources[p] = fresh[i]
	}
	b.txtTopics = nil
	if !kept {
		return false
	}
	// Each published article as the previous build published it, the
	// changed ones with their new bodies: normalized in place with what
	// the cache keeps of the archive-wide steps.
	anyRetag := false
	retags := map[string]bool{} // the slugs of the retagged articles' tags, before and after
	// The retagged and moved articles as the related stories of the
	// previous build read them: their dates, slugs and tags as they were.
	before := map[*content.Article]*content.Article{}
	for i := range man.Sources {
		if published[i] {
			c, s := &man.Sources[i], srcs[i]
			c.Arch.apply(s)
			tagsWere := s.art.Tags
			if retagged[i] || moved[c.Path] && !archive.GetsTopicTags(c.Path) { // its own tags, as package archive gives them
				tagsWere = c.Art.Tags // as the previous build published them
				if c.Arch != nil && c.Arch.NewTags {
					tagsWere = c.Arch.Tags
				}
				s.art.Tags = archive.OwnTags(&content.Article{Tags: s.parsedTags()}, b.rules)
				if retagged[i] {
					anyRetag = true
					for _, t := range slices.Concat(tagsWere, s.art.Tags) {
						retags[t.Slug] = true
					}
				}
			}
			if retagged[i] || moved[c.Path] {
				w := *s.art
				w.Date, w.Slug, w.Tags = c.Art.Date, c.Art.Slug, tagsWere
				before[s.art] = &w
			}
			if edited[i] {
				b.published[c.Path] = s.art
			}
		}
	}
	for i := range man.Sources {
		c := &man.Sources[i]
		if !published[i] || c.Arch == nil {
			continue
		}
		a := srcs[i].art
		for _, src := range c.Arch.SeeAlso {
			r := b.published[src]
			if r == nil {
				return false // a link to an article not published: the cache does not hold together
			}
			a.SeeAlso = append(a.SeeAlso, r)
		}
	}
	changed := make(map[*content.Article]bool, len(paths))
	shown := map[*content.Article]bool{} // those whose shown fields changed
	for i, p := range paths {
		changed[b.published[p]] = true
		if fresh[i].meta != old[i].meta {
			shown[b.published[p]] = true
		}
	}
	arts := make([]*content.Article, 0, len(b.published))
	for i, s := range srcs {
		if published[i] {
			arts = append(arts, s.art)
		}
	}
	b.artKeys = nil // no full keying: fragments are kept by article pointer (see articleID)
	b.theme.renderer.KeepFragments(nil)
	b.site = site.New(b.theme.cfg, arts)
	if len(moved) > 0 {
		// The site's order, URLs and date archives may have changed:
		// every page keyed, as reindex does after package archive. The
		// feeds' and search documents' parts of an article are kept when
		// it was not edited, site.New left its URL as it was (it may
		// rename another with the same date and slug) and that of every
		// article its Read more links show, and those links' titles.
		// Both on the other core while the pages are listed, which read
		// neither (as on the tag path below); the keys wait for the
		// related stories.
		kept := make(chan struct{})
		go func() {
			defer close(kept)
			b.articleExtras = make(map[string]articleExtras, len(man.Sources))
			changed := map[*content.Article]bool{} // edited, or its URL moved
			for i := range man.Sources {
				if c := &man.Sources[i]; published[i] && (edited[i] || urlHash(srcs[i].art) != c.Extras.url) {
					changed[srcs[i].art] = true
				}
			}
			for i := range man.Sources {
				c := &man.Sources[i]
				if !published[i] || c.Extras == (articleExtras{}) || changed[srcs[i].art] ||
					slices.ContainsFunc(srcs[i].art.SeeAlso, func(r *content.Article) bool { return changed[r] }) {
					continue
				}
				b.articleExtras[c.Path] = c.Extras
			}
			switch {
			case b.related == nil:
			case b.site.KeepRelatedIndex(b.related):
				relatedFromCache.Add(1)
			case b.site.KeepRelatedIndexEdited(b.related, before):
				relatedEditedFromCache.Add(1)
			}
			b.related = nil
		}()
		b.txtTopics, b.dups, b.unindexed = nil, nil, false
		b.keys = nil
		b.makePagesAfter(nil, func() { <-kept })
		bodyEditsFromCache.Add(1)
		return true
	}
	// The related stories taken from the cache on the other core while
	// the pages are listed: neither reads what the other sets. After a
	// tag edit they may differ (keys below tell which pages that changes):
	// those of the articles sharing a retagged article's tags are
	// computed again, or all on first need if the cache's are of other
	// inputs.
	related := make(chan bool, 1)
	whole := false // the cache's related stories kept, every one
	go func() {
		switch {
		case b.related == nil:
		case b.site.KeepRelatedIndex(b.related): // a tag spelled another way too
			whole = true
		case anyRetag && b.site.KeepRelatedIndexEdited(b.related, before):
			relatedEditedFromCache.Add(1)
		default:
			related <- anyRetag // computed on first need
			return
		}
		related <- true
	}()
	all := render.Pages(b.site, b.theme.lang)
	cachedRelated := b.related // positions in the previous build's site, whose order this one has
	if !<-related {
		return false
	} else if whole {
		relatedFromCache.Add(1)
	}
	b.related = nil
	b.txtTopics, b.bodyPages, b.dups, b.unindexed = nil, nil, nil, false
	// Each page's file, the previous build's string where it had the file
	// (no new string for each of 82,000 pages at 50k), and its place there;
	// half the pages on each core.
	prev := <-prevFiles
	b.files, b.list = make([]string, len(all)), all
	at := make([]int32, len(all)) // in man.Outputs; -1: a new file
	fileOf := func(from, to int) {
		var buf []byte
		for i := from; i < to; i++ {
			buf = all[i].AppendFile(buf[:0])
			j, ok := prev[string(buf)]
			if ok {
				b.files[i], at[i] = man.Outputs[j].Path, j
			} else {
				b.files[i], at[i] = string(buf), -1
			}
		}
	}
	inHalves(len(all), fileOf)
	// On the other core, while the pages' keys are taken from the previous
	// build's: the pages by file; the feeds' and search documents' keys of
	// every article but the changed ones, which are as they were; after a
	// tag edit, the articles whose related stories changed (nil: every one).
	var byFile map[string]*render.Page
	var extras map[string]articleExtras
	var relMoved map[*content.Article]bool
	var wg sync.WaitGroup
	wg.Go(func() {
		byFile = make(map[string]*render.Page, len(all))
		for i, p := range all {
			byFile[b.files[i]] = p
		}
		extras = make(map[string]articleExtras, len(man.Sources))
		for i := range man.Sources {
			c := &man.Sources[i]
			if c.Extras != (articleExtras{}) && !edited[i] && published[i] {
				extras[c.Path] = c.Extras
			}
		}
		if anyRetag && cachedRelated != nil {
			relMoved = relatedMoved(b.site, cachedRelated.Lists)
		}
	})
	b.keys = make(map[string]pageKey, len(all))
	made := true
	for i, f := range b.files {
		var k pageKey
		if at[i] >= 0 {
			k = man.Outputs[at[i]].Key
		}
		if k == (pageKey{}) {
			if anyRetag {
				continue // a new tag's page: keyed below
			}
			made = false
			break
		}
		b.keys[f] = k
	}
	wg.Wait()
	b.pages = byFile
	if !made {
		return false
	}
	// The pages that show a changed body, found by a walk over every
	// page, half of them on each core: the index bodyPagesOf keeps for the
	// next edit would be made for this one alone. When tags changed, also
	// the pages of the tags the retagged articles had or have (only those
	// tags' names, counts and lists can have changed), the tag index,
	// templates that read the tags, new pages, and article pages whose
	// related stories changed. Then their keys, on this core.
	kr := b.newKeyer()
	again := make([]bool, len(all))
	find := func(from, to int) {
		for i := from; i < to; i++ {
			p := all[i]
			d := b.theme.renderer.PageDeps(p) // the flags of kr.template(p), which the walk may not write
			again[i] = kr.showsBodyOf(p, changed) || len(shown) > 0 && b.showsAnyOf(p, shown) ||
				anyRetag && (b.keys[b.files[i]] == (pageKey{}) || p.Kind == render.KindTags || p.Tag != nil && retags[p.Tag.Slug] ||
					d&render.DepsTags != 0 || d&render.DepsRelated != 0 && p.Article != nil && (relMoved == nil || relMoved[p.Article]))
		}
	}
	inHalves(len(all), find)
	var k keyWriter
	for i, p := range all {
		if again[i] {
			b.keys[b.files[i]] = kr.key(&k, p)
		}
	}
	b.articleExtras = extras
	bodyEditsFromCache.Add(1)
	return true
}
