package render

import (
	"strconv"
	"strings"
	"sync"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/i18n"
	"github.com/sitegen/sitegen/internal/site"
)

// Page kinds, as .Kind in templates.
const (
	KindArticle = "article"
	KindHome    = "home"
	KindTags    = "tags"
	KindTag     = "tag"
	KindYear    = "year"
	KindMonth   = "month"
	KindDay     = "day"
	KindAlias   = "alias"  // a redirect from an old URL to .Article
	KindSearch  = "search" // the search page, /search/
	KindMissing = "404"    // the page static hosts serve for unknown URLs, /404.html
)

// A Page is one HTML page of the site and all a template needs to draw it.
type Page struct {
	Site  *site.Site // the whole archive: .Site.Config.Title, .Site.Tags ...
	Kind  string     // KindArticle, KindHome, KindTags, KindTag, KindYear, KindMonth or KindDay
	Title string     // <title>; the <h1> of list pages; dates in the site's language
	Path  string     // site-relative URL, "/2019/12/30/slug/"; use {{url .Path}} in links

	Article *content.Article // article pages: the story
	Older   *content.Article // article pages: the previous story by date, or nil
	Newer   *content.Article // article pages: the next story by date, or nil

	List   []*content.Article // list pages: this page's articles, newest first
	Pager  *Pager             // list pages: position among the list's pages
	Tag    *site.Tag          // tag pages: the tag
	Period *site.Period       // date pages: the year, month or day

	// What the parts of the document around the page's content show,
	// shared by many pages, so that base.html draws each such part once
	// per build with {{cache}} (see Chrome and FeedSet). They are fields,
	// not methods, because templates read a field without the reflective
	// call a method costs, on every page.
	Chrome  *Chrome  // the same on every page of a kind: {{cache "site-header" .Chrome}}
	FeedSet *FeedSet // the feeds the page links to: {{cache "feed-links" .FeedSet}}

	template string // template file that draws the page
}

// A Chrome is the dot of the parts of base.html drawn once per page kind:
// the site's header and footer, the head's links to assets. A template
// given one can read the site's configuration and lists, but nothing of a
// single page but its kind.
type Chrome struct {
	Kind string     // the page's kind, as Page.Kind: {{if eq .Kind "home"}}
	Site *site.Site // the whole archive: .Site.Config.Title, len .Site.Articles

	// The kinds base.html tells apart on every page: {{if .Chrome.Home}}
	// reads a field, where {{if eq .Kind "home"}} makes a reflective call,
	// at about a microsecond and several allocations a page.
	Home    bool // Kind is KindHome
	Missing bool // Kind is KindMissing, the 404 page
}

// File is the page's output file, relative to the site root: DIR/index.html,
// or the path itself for pages whose path names a file (/404.html, aliases).
func (p *Page) File() string {
	if !strings.HasSuffix(p.Path, "/") { // an alias such as "/news/story.html"
		return strings.TrimPrefix(p.Path, "/")
	}
	return strings.TrimPrefix(p.Path, "/") + "index.html"
}

// AppendFile appends the page's File to b, for a caller that looks it up
// before it keeps it.
func (p *Page) AppendFile(b []byte) []byte {
	b = append(b, strings.TrimPrefix(p.Path, "/")...)
	if strings.HasSuffix(p.Path, "/") {
		b = append(b, "index.html"...)
	}
	return b
}

// Template is the name of the template file that draws the page.
func (p *Page) Template() string { return p.template }

// A Pager places one page of a paginated list among its siblings.
type Pager struct {
	Number int    // 1-based number of this page
	Total  int    // number of pages in the list
	First  string // URL path of page 1
	Prev   string // URL path of the previous page, "" on page 1
	Next   string // URL path of the next page, "" on the last page
}

// A PageLink is one entry of a numbered pager.
type PageLink struct {
	Number  int    // page number; 0 for a gap between numbers ("…")
	Path    string // URL path of the page; "" for a gap
	Current bool   // the page being drawn
}

// Links returns the numbered entries of a pager: the first and the last
// page, and two pages either side of the current one, with a gap (Number 0)
// where two or more numbers are left out. A list of 2,500 pages gets at most
// 9 entries.
func (p *Pager) Links() []PageLink {
	lo, hi := p.Number-2, p.Number+2
	if lo == 3 { // a gap would hide page 2 alone
		lo = 2
	}
	if hi == p.Total-2 {
		hi = p.Total - 1
	}
	var links []PageLink
	for n := 1; n <= p.Total; n++ {
		switch {
		case n == 1 || n == p.Total || n >= lo && n <= hi:
			links = append(links, PageLink{Number: n, Path: PageURL(p.First, n), Current: n == p.Number})
		case n < lo:
			links = append(links, PageLink{})
			n = lo - 1
		default:
			links = append(links, PageLink{})
			n = p.Total - 1
		}
	}
	return links
}

// PageURL returns the URL path of page n of the list whose first page is at base.
func PageURL(base string, n int) string {
	if n <= 1 {
		return base
	}
	return base + "page/" + strconv.Itoa(n) + "/"
}

// Pages returns every page of the site in a fixed order: articles newest
// first, then home, tags and date pages, then redirects from aliases.
// Titles of the tag list and of date pages are in lang's words and date
// formats.
func Pages(s *site.Site, lang *i18n.Lang) []*Page {
	return PagesLike(s, lang, nil, nil)
}

// PagesLike is Pages, made faster by prev, the pages of the site s was made
// from by changing, adding or deleting some articles; kept reports the
// others, whose titles and URLs are as they were. The page of a kept
// article with the same neighbours is its Page in prev, given s (its Site,
// Chrome and FeedSet) in place: at 50,000 articles, making every article's
// page afresh was most of Pages. prev, in Pages' order, may be nil.
func PagesLike(s *site.Site, lang *i18n.Lang, prev []*Page, kept func(*content.Article) bool) []*Page {
	sh := newShared(s)
	sh.chromeOf(KindArticle) // made before the article pages are, which then only read the map
	// The list pages on another core while the article pages are made:
	// with a Chrome map of their own (no page kind is in both), the same
	// FeedSet. With no pages before, the article pages are made in two
	// halves as well; PagesLike's walk through prev goes in order.
	var lists []*Page
	var wg sync.WaitGroup
	wg.Go(func() {
		lists = listPages(&shared{site: s, chrome: map[string]*Chrome{}, feeds: sh.feeds}, lang)
	})
	arts := s.Articles
	pages := make([]*Page, len(arts))
	if prev == nil {
		h := len(arts) / 2
		wg.Go(func() {
			for i := h; i < len(arts); i++ {
				pages[i] = sh.articlePage(i)
			}
		})
		for i := range h {
			pages[i] = sh.articlePage(i)
		}
		wg.Wait()
		return append(pages, lists...)
	}
	next := 0 // in prev, the first article page not yet met: prev's article pages are in much the same order
	for i, a := range arts {
		var old *Page
		for d := range min(4, len(prev)-next) {
			if q := prev[next+d]; q.Kind != KindArticle {
				break
			} else if q.Article == a {
				old, next = q, next+d+1
				break
			}
		}
		if old != nil && old.Older == older(arts, i) && old.Newer == newer(arts, i) && kept(a) {
			pages[i] = sh.page(old)
			continue
		}
		pages[i] = sh.articlePage(i)
	}
	wg.Wait()
	return append(pages, lists...)
}

// older and newer return the neighbours of arts[i], nil at either end.
func older(arts []*content.Article, i int) *content.Article {
	if i+1 < len(arts) {
		return arts[i+1]
	}
	return nil
}

func newer(arts []*content.Article, i int) *content.Article {
	if i > 0 {
		return arts[i-1]
	}
	return nil
}

// articlePage makes the page of the site's article i.
func (sh *shared) articlePage(i int) *Page {
	// Each page an allocation of its own. The preview's Builder keeps
	// most pages from one site to the next (PagesLike, and movePages the
	// list pages) and replaces some; a replaced page cut from an array of
	// many stayed in it, with the Site, Chrome and FeedSet it last had, as
	// long as any page of the array was kept: at 50,000 articles each date
	// edit kept a site alive, 13 MB of heap.
	arts := sh.site.Articles
	a := arts[i]
	p := new(Page)
	*p = Page{Kind: KindArticle, Title: a.Title, Path: a.URLPath(), Article: a, Older: older(arts, i), Newer: newer(arts, i), template: "article.html"}
	return sh.page(p)
}

// listPages returns the pages that follow the article pages in Pages'
// order: home, tags and date pages, redirects from aliases, search, 404.
func listPages(sh *shared, lang *i18n.Lang) []*Page {
	s := sh.site
	pages := appendList(nil, sh, &Page{Kind: KindHome, Title: s.Config.Title, Path: "/"}, s.Articles)
	pages = appendTagPages(pages, sh, lang)
	var walk func(ps []*site.Period)
	walk = func(ps []*site.Period) {
		for _, p := range ps {
			kind, format := KindDay, "day"
			switch p.Kind {
			case site.Year:
				kind, format = KindYear, "year"
			case site.Month:
				kind, format = KindMonth, "month"
			}
			title, _ := lang.Date(p.Start, format)
			pages = appendList(pages, sh, &Page{Kind: kind, Title: title, Path: p.URLPath(), Period: p}, p.Articles)
			walk(p.Children)
		}
	}
	walk(s.Years)
	for _, al := range s.Aliases {
		pages = append(pages, sh.page(&Page{Kind: KindAlias, Title: al.Article.Title, Path: al.Path,
			Article: al.Article, template: aliasTemplate}))
	}
	search, _ := lang.T("search")
	notFound, _ := lang.T("notFound")
	pages = append(pages,
		sh.page(&Page{Kind: KindSearch, Title: search, Path: SearchPath, template: "search.html"}),
		sh.page(&Page{Kind: KindMissing, Title: notFound, Path: "/404.html", template: "404.html"}))
	return pages
}

// appendTagPages appends the tag index and every tag's pages.
func appendTagPages(pages []*Page, sh *shared, lang *i18n.Lang) []*Page {
	// Load guarantees the date formats used here (i18n.Formats), and the
	// theme's en.yaml, which every language falls back on, has "tags".
	tags, _ := lang.T("tags")
	pages = append(pages, sh.page(&Page{Kind: KindTags, Title: tags, Path: "/tags/", template: "tags.html"}))
	for _, t := range sh.site.Tags {
		pages = appendList(pages, sh, &Page{Kind: KindTag, Title: t.Name, Path: t.URLPath(), Tag: t}, t.Articles)
	}
	return pages
}

// Retagged returns the pages of s, which site.Site.Retag made from the
// site pages were made of, as Pages would: the tag index and tag pages are
// made afresh; every other page of pages is the same Page, given s (its
// Site, Chrome and FeedSet) in place. pages must be in Pages' order.
func Retagged(pages []*Page, s *site.Site, lang *i18n.Lang) []*Page {
	sh := newShared(s)
	out := make([]*Page, 0, len(pages))
	done := false
	for _, p := range pages {
		if p.Kind == KindTags || p.Kind == KindTag {
			if !done {
				out, done = appendTagPages(out, sh, lang), true
			}
			continue
		}
		out = append(out, sh.page(p))
	}
	return out
}

// shared hands out the Chrome and FeedSet that pages share.
type shared struct {
	site   *site.Site
	chrome map[string]*Chrome // by page kind
	feeds  *FeedSet           // the site's, on every page but tag pages
}

func newShared(s *site.Site) *shared {
	return &shared{site: s, chrome: map[string]*Chrome{},
		feeds: &FeedSet{Site: s, Links: appendFeeds(nil, s.Config.Title, "/")}}
}

// page gives p the site, its kind's Chrome and its FeedSet.
func (sh *shared) page(p *Page) *Page {
	p.Site = sh.site
	p.Chrome, p.FeedSet = sh.chromeOf(p.Kind), sh.feeds
	if p.Kind == KindTag && p.Tag != nil {
		p.FeedSet = &FeedSet{Site: sh.site, Tag: p.Tag, Links: p.feeds()}
	}
	return p
}

// chromeOf returns the Chrome of the pages of kind, made on first use.
func (sh *shared) chromeOf(kind string) *Chrome {
	c := sh.chrome[kind]
	if c == nil {
		c = &Chrome{Kind: kind, Site: sh.site, Home: kind == KindHome, Missing: kind == KindMissing}
		sh.chrome[kind] = c
	}
	return c
}

// appendList appends the pages of a paginated list modelled on proto.
func appendList(pages []*Page, sh *shared, proto *Page, arts []*content.Article) []*Page {
	size := sh.site.Config.Paginate
	total := (len(arts) + size - 1) / size
	if total == 0 {
		total = 1
	}
	base := proto.Path
	proto.template = "list.html"
	sh.page(proto) // one FeedSet for all the list's pages
	// The list's pagers and paths each in one allocation; its pages each in
	// its own, for the reason PagesLike's article pages are.
	pagers, paths := make([]Pager, total), make([]string, total+2)
	for n := 1; n <= total; n++ {
		paths[n] = PageURL(base, n)
	}
	for n := 1; n <= total; n++ {
		p := new(Page)
		*p = *proto
		p.Path = paths[n]
		p.List = arts[min((n-1)*size, len(arts)):min(n*size, len(arts))]
		p.Pager = &pagers[n-1]
		*p.Pager = Pager{Number: n, Total: total, First: base, Prev: paths[n-1]}
		if n < total {
			p.Pager.Next = paths[n+1]
		}
		pages = append(pages, p)
	}
	return pages
}
