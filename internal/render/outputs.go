package render

import (
	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/site"
)

// Where the site's non-HTML outputs live. Package build writes them at these
// paths and the templates link to them, so both agree on one URL scheme.
const (
	SitemapPath = "/sitemap.xml" // the sitemap, or the sitemap index of a big site
	RobotsPath  = "/robots.txt"
	SearchPath  = "/search/" // the search page; its index lives beside it
	FeedItems   = 50         // articles in each feed, newest first
)

// FeedPaths returns the RSS 2.0 and Atom 1.0 paths of the article list at
// dir: "/" for the whole site, "/tags/iraq/" for a tag.
func FeedPaths(dir string) (rss, atom string) {
	return dir + "feed.xml", dir + "atom.xml"
}

// A FeedLink is one feed a page advertises with <link rel="alternate">.
type FeedLink struct {
	Title string // the feed's name, for feed readers' menus
	Type  string // MIME type: application/rss+xml or application/atom+xml
	Path  string // site path; use {{absURL .Path}}
}

// Feeds lists the feeds a page links to: the site's on every page, and on
// tag pages the tag's own pair first.
func (p *Page) Feeds() []FeedLink {
	if p.FeedSet != nil {
		return p.FeedSet.Links
	}
	return p.feeds()
}

// A FeedSet is the feeds a page links to, shared by the pages that link to
// the same ones, so that base.html draws their links once per build with
// {{cache "feed-links" .FeedSet}}.
type FeedSet struct {
	Site  *site.Site // the whole archive
	Tag   *site.Tag  // on a tag's pages, the tag, whose feeds come first; nil elsewhere
	Links []FeedLink // as Page.Feeds
}

func (p *Page) feeds() []FeedLink {
	var links []FeedLink
	if p.Kind == KindTag && p.Tag != nil {
		links = appendFeeds(links, p.Site.Config.Title+" · "+p.Tag.Name, p.Tag.URLPath())
	}
	return appendFeeds(links, p.Site.Config.Title, "/")
}

func appendFeeds(links []FeedLink, title, dir string) []FeedLink {
	rss, atom := FeedPaths(dir)
	return append(links,
		FeedLink{Title: title + " (RSS)", Type: "application/rss+xml", Path: rss},
		FeedLink{Title: title + " (Atom)", Type: "application/atom+xml", Path: atom})
}

// Related returns up to five articles related to an article page's story,
// best first; nil on other pages.
func (p *Page) Related() []*content.Article {
	if p.Article == nil {
		return nil
	}
	return p.Site.Related(p.Article)
}
