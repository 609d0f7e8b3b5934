package build

import (
	"context"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/feed"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/search"
	"github.com/sitegen/sitegen/internal/site"
	"github.com/sitegen/sitegen/internal/sitemap"
)

// An Emit writes one output file at a site-relative path. The outputs call
// it from several goroutines at once.
type Emit func(name string, data []byte) error

// Outputs returns the site's files besides pages and assets, by output
// path: the feeds, sitemap, robots.txt and search index, as Run writes them.
func (b *Builder) Outputs(ctx context.Context) (map[string][]byte, error) {
	b.mu.Lock() // hydrate may give articles their bodies back
	defer b.mu.Unlock()
	files := map[string][]byte{}
	if err := b.addOutputs(ctx, files); err != nil {
		return nil, err
	}
	return files, nil
}

// outputs writes a site's non-HTML files.
type outputs struct {
	site   *site.Site
	assets []fs.FS                                // the asset folders, whose own robots.txt wins
	body   func(*content.Article) (string, error) // an article's body; nil: its Body field
}

// write emits the files a site publishes besides its HTML pages: the RSS
// and Atom feeds of the site and of each tag, the sitemap (an index and
// numbered parts on big sites), robots.txt unless the site's assets have
// their own, and the search index. pages is the site's page set, which the
// sitemap lists. It returns the number of files emitted.
func (s outputs) write(ctx context.Context, pages []*render.Page, emit Emit) (int, error) {
	var n atomic.Int64
	counted := func(name string, data []byte) error {
		n.Add(1)
		return emit(name, data)
	}
	steps := []func(context.Context, Emit) error{
		s.writeFeeds,
		func(_ context.Context, emit Emit) error { return s.writeSitemap(pages, emit) },
		s.writeSearch,
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return int(n.Load()), err
		}
		if err := step(ctx, counted); err != nil {
			return int(n.Load()), err
		}
	}
	return int(n.Load()), nil
}

// writeFeeds writes the newest render.FeedItems articles of the site and of
// each tag as RSS and Atom.
func (s outputs) writeFeeds(ctx context.Context, emit Emit) error {
	cfg := s.site.Config
	abs := func(p string) string { return strings.TrimSuffix(cfg.BaseURL, "/") + p }
	write := func(title, dir string, arts []*content.Article) error {
		rss, atom := render.FeedPaths(dir)
		f := &feed.Feed{Title: title, Description: "Newest articles of " + title, Language: cfg.Language,
			Publisher: cfg.Title, Page: abs(dir), RSSURL: abs(rss), AtomURL: abs(atom), SiteURL: cfg.BaseURL,
			Articles:   arts[:min(len(arts), render.FeedItems)],
			ArticleURL: func(a *content.Article) string { return abs(a.URLPath()) }}
		data, err := f.RSS()
		if err == nil {
			err = emit(strings.TrimPrefix(rss, "/"), data)
		}
		if err == nil {
			data, err = f.Atom()
		}
		if err == nil {
			err = emit(strings.TrimPrefix(atom, "/"), data)
		}
		return err
	}
	if err := write(cfg.Title, "/", s.site.Articles); err != nil {
		return err
	}
	for _, t := range s.site.Tags {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := write(cfg.Title+" · "+t.Name, t.URLPath(), t.Articles); err != nil {
			return err
		}
	}
	return nil
}

// writeSitemap lists every page but the 404 page, each with the time its
// newest article last changed, and writes robots.txt pointing at it.
func (s outputs) writeSitemap(pages []*render.Page, emit Emit) error {
	cfg := s.site.Config
	abs := func(p string) string { return strings.TrimSuffix(cfg.BaseURL, "/") + p }
	var newestAll time.Time
	for _, a := range s.site.Articles {
		newestAll = later(newestAll, modified(a))
	}
	urls := make([]sitemap.URL, 0, len(pages))
	for _, p := range pages {
		if p.Kind == render.KindMissing {
			continue
		}
		u := sitemap.URL{Loc: abs(p.Path), LastMod: newestAll}
		switch {
		case p.Article != nil:
			u.LastMod = modified(p.Article)
		case p.List != nil:
			u.LastMod = time.Time{}
			for _, a := range p.List {
				u.LastMod = later(u.LastMod, modified(a))
			}
		}
		urls = append(urls, u)
	}
	dir := abs("/")
	err := sitemap.Write(urls, dir, strings.TrimPrefix(render.SitemapPath, "/"),
		func(n int) string { return "sitemap-" + strconv.Itoa(n) + ".xml" }, emit)
	if err != nil || s.hasAsset(strings.TrimPrefix(render.RobotsPath, "/")) {
		return err
	}
	return emit(strings.TrimPrefix(render.RobotsPath, "/"), sitemap.Robots(abs(render.SitemapPath)))
}

// writeSearch writes the search index into the search page's folder.
func (s outputs) writeSearch(ctx context.Context, emit Emit) error {
	dir := strings.TrimPrefix(render.SearchPath, "/")
	_, err := search.Write(ctx, s.site.Articles, search.Options{BasePath: s.site.Config.BasePath(), Body: s.body},
		func(name string, data []byte) error { return emit(dir+name, data) })
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	return nil
}

// hasAsset reports whether the site's own or the default assets hold name.
func (s outputs) hasAsset(name string) bool {
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
