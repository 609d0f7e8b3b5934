// Package site builds the indexes over a whole archive: the articles in date
// order with their neighbours, the tag index, and the year, month and day
// archives.
//
// It receives normalized articles from package content and hands a Site to
// package render; it reads no files and renders nothing.
package site

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/content"
)

// A Site is an archive with its indexes. Templates see it as .Site.
type Site struct {
	Config   *config.Config     // the site's settings
	Articles []*content.Article // every article, newest first
	Tags     []*Tag             // every tag, by slug
	Years    []*Period          // year archives, oldest first
	Aliases  []*Alias           // old URLs redirecting to articles, in article order
	Notes    []string           // what the build changed on its own, such as renamed slugs

	id        uint64 // this site's number in the process, from 1
	tagBySlug map[string]*Tag
	renamed   []*content.Article // the articles dedupeURLs gave another slug
	rel       related            // every article's related stories, computed on first use
	position  map[*content.Article]int
	// The tags of the article at site position i are artTags[tagsAt[i]:tagsAt[i+1]],
	// in its own order, as New found them: what related stories are computed from.
	artTags []*Tag
	tagsAt  []int32
	// urls, when not nil, maps a hash (under urlSeed) of every article's
	// URL (urlKey) to that article, no two articles sharing one; entries
	// of former URLs may linger. NewLike takes it over from the site it is
	// like, to check only the changed articles' URLs.
	urls    map[uint64]*content.Article
	urlSeed maphash.Seed
}

// A Tag is one tag and the articles that carry it.
type Tag struct {
	content.Tag                    // Name and Slug
	Articles    []*content.Article // newest first

	positions []int32 // the site positions of Articles
	number    int32   // in the site's relatedScan; -1 when left out of it
	place     int32   // in the site's Tags
}

// URLPath is the tag page's site-relative URL.
func (t *Tag) URLPath() string { return tagPath(t.Slug) }

// Counted returns what a list of tags shows of t: its name, slug and
// article count, as a value without pointers. Given to {{cache}}, an
// entry is drawn once per name and count: in the preview, a tag edit
// redraws the entries of the tags whose counts changed, not every tag's.
func (t *Tag) Counted() TagCount { return TagCount{t.Tag, len(t.Articles)} }

// A TagCount is a tag's name, slug and article count (Tag.Counted).
type TagCount struct {
	content.Tag     // Name and Slug
	Count       int // how many articles carry the tag
}

// URLPath is the tag page's site-relative URL.
func (t TagCount) URLPath() string { return tagPath(t.Slug) }

func tagPath(slug string) string { return "/tags/" + slug + "/" }

// siteIDs numbers the sites made (Site.id).
var siteIDs atomic.Uint64

// New indexes the articles. It gives each article a URL of its own,
// renaming slugs that collide with a "-2", "-3"... suffix and noting each
// rename in Notes.
func New(cfg *config.Config, arts []*content.Article) *Site {
	return NewLike(cfg, arts, nil, nil)
}

// NewLike is New, made faster by like, a site of much the same articles
// (such as the site of arts before some of them changed in place): an
// article whose tags have the slugs they had in like finds its tags
// through like's. like may be nil. changed, when not nil, holds every
// article of arts that like does not hold or whose tags, date or slug may
// have changed since like was made; the others are taken to be as like
// found them, and their URLs not to collide (as like found them). NewLike
// takes over what like kept for that: give it the same like only once.
func NewLike(cfg *config.Config, arts []*content.Article, like *Site, changed map[*content.Article]bool) *Site {
	s := &Site{Config: cfg, Articles: arts, id: siteIDs.Add(1)}
	sortByDate(arts)
	if s.urlsKept(like, changed) {
		s.index(like, changed)
	} else {
		// Whether two articles may share a URL, found on another core
		// while the articles are indexed in the order they have. In the
		// rare archive where two do, renaming one moves it in the order:
		// the articles are indexed again.
		var shared bool
		var checked sync.WaitGroup
		checked.Go(func() { shared = s.urlsShared() })
		s.index(like, changed)
		checked.Wait()
		if shared && s.renameShared() {
			s.index(like, changed)
		}
	}
	s.resolveAliases()
	return s
}

// index makes the date archives, on another core, and the articles'
// positions and tags, afresh: they read nothing but the sorted articles.
func (s *Site) index(like *Site, changed map[*content.Article]bool) {
	s.Tags, s.artTags, s.tagBySlug = nil, nil, map[string]*Tag{}
	var dated sync.WaitGroup
	dated.Go(func() { s.Years = periods(s.Articles) })
	s.position = make(map[*content.Article]int, len(s.Articles))
	for i, a := range s.Articles {
		s.position[a] = i
	}
	s.indexTags(like, false, changed)
	dated.Wait()
}

// Retag returns a site of s's articles, in s's order, with its tag index
// made afresh from their tags as they are now, and the rest (URLs, date
// archives, aliases, notes) as s has them: the site New would make after
// an edit that changed articles' tags and nothing New reads besides.
// changed holds the articles whose tags may have changed since s was made
// (nil: any of them); the others' tags are taken to have the slugs s found.
// Related stories are computed on first use, or kept from s by KeepRelated.
func (s *Site) Retag(changed map[*content.Article]bool) *Site {
	n := &Site{Config: s.Config, Articles: s.Articles, Years: s.Years, Aliases: s.Aliases, Notes: s.Notes, id: siteIDs.Add(1),
		tagBySlug: make(map[string]*Tag, len(s.Tags)), position: s.position, renamed: s.renamed,
		urls: s.urls, urlSeed: s.urlSeed}
	s.urls = nil // n's now
	n.indexTags(s, true, changed)
	return n
}

// indexTags makes s's tag index from its articles' tags, and records them
// for related stories (artTags). like, when not nil, is a site of much the
// same articles whose tags are much the same, in s's order when sameOrder
// is set: an article whose tags have the slugs they had there finds its
// tags through like's (by their place in like.Tags) instead of by slug,
// and tags are sized after like's. changed, when not nil, holds the
// articles whose tags may differ from like's: the others have the slugs
// they had there.
func (s *Site) indexTags(like *Site, sameOrder bool, changed map[*content.Article]bool) {
	s.tagsAt = make([]int32, len(s.Articles)+1)
	var byOld []*Tag // by place in like.Tags: the tag of s with its slug
	if like != nil {
		s.Tags = make([]*Tag, 0, len(like.Tags)+1)
		s.artTags = make([]*Tag, 0, len(like.artTags)+8)
		byOld = make([]*Tag, len(like.Tags))
	}
	// First each article's tags, each tag counting its articles (place
	// holds the tag's number in the order met until the tags are sorted).
	var counts []int32
	var inLike walk
	for i, a := range s.Articles {
		var was []*Tag // the article's tags in like, when their slugs are the same
		if like != nil {
			j, ok := i, true
			if !sameOrder {
				j, ok = inLike.find(like, a, func(a *content.Article) (int, bool) { i, ok := like.position[a]; return i, ok })
			}
			if ok {
				was = like.artTags[like.tagsAt[j]:like.tagsAt[j+1]]
			}
			if (changed == nil || changed[a]) && !slices.EqualFunc(was, a.Tags, func(old *Tag, t content.Tag) bool { return old.Slug == t.Slug }) {
				was = nil
			}
		}
		// An article found in like has its tags read from there, its own
		// only for a tag met first here (named as it spells it): at 50,000
		// articles, reading every article's own was most of a Retag.
		n := len(was)
		if was == nil {
			n = len(a.Tags)
		}
		for j := range n {
			var ti *Tag
			if was != nil {
				ti = byOld[was[j].place]
			}
			if ti == nil {
				t := a.Tags[j]
				if ti = s.tagBySlug[t.Slug]; ti == nil {
					ti = &Tag{Tag: t, place: int32(len(s.Tags))}
					s.tagBySlug[t.Slug] = ti
					s.Tags = append(s.Tags, ti)
					counts = append(counts, 0)
				}
			}
			if was != nil {
				byOld[was[j].place] = ti
			}
			counts[ti.place]++
			s.artTags = append(s.artTags, ti)
		}
		s.tagsAt[i+1] = int32(len(s.artTags))
	}
	// Then the tags' lists, cut from two arrays.
	arts, positions := make([]*content.Article, len(s.artTags)), make([]int32, len(s.artTags))
	off := int32(0)
	for _, ti := range s.Tags {
		n := counts[ti.place]
		ti.Articles, ti.positions = arts[off:off:off+n], positions[off:off:off+n]
		off += n
	}
	for i, a := range s.Articles {
		for _, ti := range s.artTags[s.tagsAt[i]:s.tagsAt[i+1]] {
			ti.Articles = append(ti.Articles, a)
			ti.positions = append(ti.positions, int32(i))
		}
	}
	sort.Slice(s.Tags, func(i, j int) bool { return s.Tags[i].Slug < s.Tags[j].Slug })
	for i, t := range s.Tags {
		t.place = int32(i)
	}
}

// A walk finds articles of one site in another, of much the same
// articles in much the same order, asked for in the order of the first:
// it looks among the next few of the other site's before asking find.
type walk struct{ next int }

func (w *walk) find(in *Site, a *content.Article, find func(*content.Article) (int, bool)) (int, bool) {
	for d := range min(4, len(in.Articles)-w.next) {
		if in.Articles[w.next+d] == a {
			w.next += d + 1
			return w.next - 1, true
		}
	}
	return find(a)
}

// dedupeURLs gives colliding articles distinct slugs. The article whose
// source path sorts first keeps the plain slug, so the result does not
// depend on load order. Articles are compared by day and slug, what their
// URLs are made of, so that only colliding ones have their URL made, and
// only when a set of hashes of those finds that two may collide.
func (s *Site) dedupeURLs() {
	if s.urlsShared() {
		s.renameShared()
	}
}

// renameShared is dedupeURLs once urlsShared has found that two articles
// may share a URL; it reports whether it renamed any (and sorted the
// articles again).
func (s *Site) renameShared() bool {
	taken := make(map[urlKey]*content.Article, len(s.Articles))
	var shared map[urlKey][]*content.Article // URLs taken by more than one article, with their articles
	for _, a := range s.Articles {
		u := urlKeyOf(a)
		switch first := taken[u]; {
		case first == nil:
			taken[u] = a
		case shared[u] == nil:
			if shared == nil {
				shared = map[urlKey][]*content.Article{}
			}
			shared[u] = []*content.Article{first, a}
		default:
			shared[u] = append(shared[u], a)
		}
	}
	if len(shared) == 0 {
		return false
	}
	groups := slices.Collect(maps.Values(shared))
	paths := make(map[*content.Article]string, len(groups)) // the URL each group's articles share
	for _, as := range groups {
		paths[as[0]] = as[0].URLPath()
	}
	slices.SortFunc(groups, func(x, y []*content.Article) int { return strings.Compare(paths[x[0]], paths[y[0]]) })
	for _, as := range groups {
		u := paths[as[0]]
		sort.Slice(as, func(i, j int) bool { return as[i].Source < as[j].Source })
		for _, a := range as[1:] {
			base := a.Slug
			for n := 2; ; n++ {
				a.Slug = fmt.Sprintf("%s-%d", base, n)
				if taken[urlKeyOf(a)] == nil {
					break
				}
			}
			taken[urlKeyOf(a)] = a
			s.renamed = append(s.renamed, a)
			s.Notes = append(s.Notes, fmt.Sprintf("%s: URL %s is taken by %s; using %s",
				a.Source, u, as[0].Source, a.URLPath()))
		}
	}
	sortByDate(s.Articles)
	return true
}

// A urlKey is what an article's URL is made of: the year, month and day
// of its date, and its slug.
type urlKey struct {
	day  int64
	slug string
}

func urlKeyOf(a *content.Article) urlKey {
	y, m, d := a.Date.Date()
	return urlKey{(int64(y)*100+int64(m))*100 + int64(d), a.Slug}
}

// urlsShared reports whether two of s's articles may share a URL: whether
// two have the same day and slug, or the same hash of both. Most archives
// have no such pair, and a set of hashes finds that at a fraction of the
// cost of a map of the URLs; it is kept as s.urls when no two share one.
func (s *Site) urlsShared() bool {
	s.urlSeed = maphash.MakeSeed()
	seen := make(map[uint64]*content.Article, len(s.Articles))
	for _, a := range s.Articles {
		h := urlHash(s.urlSeed, a)
		if _, ok := seen[h]; ok {
			return true
		}
		seen[h] = a
	}
	s.urls = seen
	return false
}

// urlsKept reports whether like kept the hashes of its articles' URLs
// (urlsShared) and the articles in changed, the only ones that may not
// be as like found them, take URLs no other article has; s then takes the
// hashes over from like.
func (s *Site) urlsKept(like *Site, changed map[*content.Article]bool) bool {
	if like == nil || like.urls == nil || changed == nil {
		return false
	}
	urls, seed := like.urls, like.urlSeed
	like.urls = nil
	for a := range changed {
		h := urlHash(seed, a)
		if other, ok := urls[h]; ok && other != a { // another article's, or a former URL's
			return false
		}
		urls[h] = a
	}
	s.urls, s.urlSeed = urls, seed
	return true
}

func urlHash(seed maphash.Seed, a *content.Article) uint64 {
	u := urlKeyOf(a)
	return maphash.String(seed, u.slug) + uint64(u.day)*0x9e3779b97f4a7c15
}

// sortByDate orders articles as content.SortByDate does, newest first,
// ties broken on slug then source path, keeping the order of articles
// equal in all three, but about four times faster at 50,000 articles: it
// compares precomputed times rather than time.Time values.
func sortByDate(arts []*content.Article) {
	type key struct {
		sec  int64
		nsec int32
		i    int32
		a    *content.Article
	}
	ks := make([]key, len(arts))
	for i, a := range arts {
		ks[i] = key{a.Date.Unix(), int32(a.Date.Nanosecond()), int32(i), a}
	}
	slices.SortFunc(ks, func(x, y key) int {
		if c := siteOrder(x.sec, x.nsec, x.a, y.sec, y.nsec, y.a); c != 0 {
			return c
		}
		return cmp.Compare(x.i, y.i)
	})
	for i := range ks {
		arts[i] = ks[i].a
	}
}

// compareSiteOrder compares x and y in the order sortByDate puts them in.
func compareSiteOrder(x, y *content.Article) int {
	return siteOrder(x.Date.Unix(), int32(x.Date.Nanosecond()), x, y.Date.Unix(), int32(y.Date.Nanosecond()), y)
}

// siteOrder compares articles x and y, dated xs and ys Unix seconds and xn
// and yn nanoseconds, in site order: newest first, then by slug, then by
// source path.
func siteOrder(xs int64, xn int32, x *content.Article, ys int64, yn int32, y *content.Article) int {
	if c := cmp.Compare(ys, xs); c != 0 {
		return c
	}
	if c := cmp.Compare(yn, xn); c != 0 {
		return c
	}
	if c := strings.Compare(x.Slug, y.Slug); c != 0 {
		return c
	}
	return strings.Compare(x.Source, y.Source)
}

// Renamed returns the articles whose slugs New changed, their URLs
// being taken by others (see Notes), in the order of Notes.
func (s *Site) Renamed() []*content.Article { return s.renamed }

// Tag returns the tag with the given slug, or nil; nil for a nil site.
func (s *Site) Tag(slug string) *Tag {
	if s == nil {
		return nil
	}
	return s.tagBySlug[slug]
}

// Position returns a's place in s.Articles, and false for an article that
// is not one of them (a copy of one included).
func (s *Site) Position(a *content.Article) (int, bool) {
	i, ok := s.position[a]
	return i, ok
}

// Neighbours returns the articles just before and after a in date order:
// older is the previous story, newer the next; either may be nil.
func (s *Site) Neighbours(a *content.Article) (older, newer *content.Article) {
	i, ok := s.position[a]
	if !ok {
		return nil, nil
	}
	if i+1 < len(s.Articles) {
		older = s.Articles[i+1]
	}
	if i > 0 {
		newer = s.Articles[i-1]
	}
	return older, newer
}
