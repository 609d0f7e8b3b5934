package render

import (
	"strconv"
	"strings"

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

	template string // template file that draws the page
}

// Chrome returns what the parts of the document around the page's content
// show (the site's header and footer, the head's links to assets): the same
// on every page of a kind. base.html draws each such part once per kind
// with {{cache "site-header" .Chrome}}.
func (p *Page) Chrome() Chrome { return Chrome{Kind: p.Kind, Site: p.Site} }

// A Chrome is the dot of the parts of base.html drawn once per page kind:
// a template given one can read the site's configuration and lists, but
// nothing of a single page but its kind.
type Chrome struct {
	Kind string     // the page's kind, as Page.Kind: {{if eq .Kind "home"}}
	Site *site.Site // the whole archive: .Site.Config.Title, len .Site.Articles
}

// File is the page's output file, relative to the site root: DIR/index.html,
// or the path itself for pages whose path names a file (/404.html, aliases).
func (p *Page) File() string {
	if !strings.HasSuffix(p.Path, "/") { // an alias such as "/news/story.html"
		return strings.TrimPrefix(p.Path, "/")
	}
	return strings.TrimPrefix(p.Path, "/") + "index.html"
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
	var pages []*Page
	for _, a := range s.Articles {
		older, newer := s.Neighbours(a)
		pages = append(pages, &Page{Site: s, Kind: KindArticle, Title: a.Title, Path: a.URLPath(),
			Article: a, Older: older, Newer: newer, template: "article.html"})
	}
	pages = appendList(pages, s, &Page{Kind: KindHome, Title: s.Config.Title, Path: "/"}, s.Articles)
	// Load guarantees the date formats used here (i18n.Formats), and the
	// theme's en.yaml, which every language falls back on, has "tags".
	tags, _ := lang.T("tags")
	pages = append(pages, &Page{Site: s, Kind: KindTags, Title: tags, Path: "/tags/", template: "tags.html"})
	for _, t := range s.Tags {
		pages = appendList(pages, s, &Page{Kind: KindTag, Title: t.Name, Path: t.URLPath(), Tag: t}, t.Articles)
	}
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
			pages = appendList(pages, s, &Page{Kind: kind, Title: title, Path: p.URLPath(), Period: p}, p.Articles)
			walk(p.Children)
		}
	}
	walk(s.Years)
	for _, al := range s.Aliases {
		pages = append(pages, &Page{Site: s, Kind: KindAlias, Title: al.Article.Title, Path: al.Path,
			Article: al.Article, template: aliasTemplate})
	}
	search, _ := lang.T("search")
	notFound, _ := lang.T("notFound")
	pages = append(pages,
		&Page{Site: s, Kind: KindSearch, Title: search, Path: SearchPath, template: "search.html"},
		&Page{Site: s, Kind: KindMissing, Title: notFound, Path: "/404.html", template: "404.html"})
	return pages
}

// appendList appends the pages of a paginated list modelled on proto.
func appendList(pages []*Page, s *site.Site, proto *Page, arts []*content.Article) []*Page {
	size := s.Config.Paginate
	total := (len(arts) + size - 1) / size
	if total == 0 {
		total = 1
	}
	base := proto.Path
	for n := 1; n <= total; n++ {
		p := *proto
		p.Site, p.template = s, "list.html"
		p.Path = PageURL(base, n)
		p.List = arts[min((n-1)*size, len(arts)):min(n*size, len(arts))]
		p.Pager = &Pager{Number: n, Total: total, First: base}
		if n > 1 {
			p.Pager.Prev = PageURL(base, n-1)
		}
		if n < total {
			p.Pager.Next = PageURL(base, n+1)
		}
		pages = append(pages, &p)
	}
	return pages
}
