package render

import (
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/i18n"
)

// pageTemplates are the templates that draw whole pages. Every other .html
// file in the template folders is shared: the layout (base.html) and
// partials that the page templates call.
var pageTemplates = []string{"article.html", "list.html", "tags.html", aliasTemplate, "search.html", "404.html"}

// aliasTemplate draws the redirect from an old URL to an article. It is a
// whole document of its own, not laid out by base.html.
const aliasTemplate = "alias.html"

// A Theme is what pages are drawn with besides the site itself.
type Theme struct {
	Templates fs.FS      // the default templates
	Overrides fs.FS      // the site's templates/ folder, replacing defaults file by file; may be nil
	Lang      *i18n.Lang // UI words, month and day names, date formats, text direction
	Assets    AssetPaths // content-hashed asset paths for {{asset}}; may be nil
}

// AssetPaths maps an asset's site path ("/style.css") to the path of its
// content-hashed copy ("/style.3f9a2c71d0.css"), or returns it unchanged.
type AssetPaths interface{ Path(string) string }

// A Renderer executes a site's template set.
type Renderer struct {
	sets  map[string]*template.Template // page template name -> its set
	cfg   *config.Config
	theme Theme

	fragments fragmentCache // output of the "cache" function; see cache.go

	depsOnce sync.Once
	deps     map[string]depSets      // by page template; see Deps
	bodies   map[string]BodyUse      // by page template; see Bodies
	periods  map[string][]PeriodRead // by page template, where the analysis can tell; see PeriodReads
}

// New loads the template set: every .html file of th.Templates, each
// replaced by the file of the same name in th.Overrides when there is one.
// Page templates define "main" (and may define "head"); base.html lays out
// the document around them.
func New(cfg *config.Config, th Theme) (*Renderer, error) {
	if th.Lang == nil {
		return nil, fmt.Errorf("render: no language given")
	}
	files := map[string]fs.FS{}
	for _, fsys := range []fs.FS{th.Templates, th.Overrides} {
		if fsys == nil {
			continue
		}
		names, err := fs.Glob(fsys, "*.html")
		if err != nil {
			return nil, fmt.Errorf("listing templates: %w", err)
		}
		for _, n := range names {
			files[n] = fsys
		}
	}
	isPage := map[string]bool{}
	for _, n := range pageTemplates {
		isPage[n] = true
		if files[n] == nil {
			return nil, fmt.Errorf("template %s is missing", n)
		}
	}
	if files["base.html"] == nil {
		return nil, fmt.Errorf("template base.html is missing")
	}
	var shared []string
	for n := range files {
		if !isPage[n] {
			shared = append(shared, n)
		}
	}
	sort.Strings(shared)

	r := &Renderer{sets: map[string]*template.Template{}, cfg: cfg, theme: th}
	common := template.New("").Funcs(r.funcs())
	for _, n := range shared {
		if err := parseFile(common, files[n], n); err != nil {
			return nil, err
		}
	}
	for _, n := range pageTemplates {
		t, err := common.Clone()
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		if err := parseFile(t, files[n], n); err != nil {
			return nil, err
		}
		t.Funcs(template.FuncMap{"cache": r.cacheFunc(t)})
		r.sets[n] = t
	}
	// Before any page is drawn: html/template rewrites the trees it
	// escapes when it first executes them.
	r.depsOnce.Do(r.analyze)
	return r, nil
}

func parseFile(t *template.Template, fsys fs.FS, name string) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("reading template %s: %w", name, err)
	}
	if _, err := t.New(name).Parse(string(data)); err != nil {
		return fmt.Errorf("parsing template: %w", err)
	}
	return nil
}

// Render writes page p as HTML to w.
func (r *Renderer) Render(w io.Writer, p *Page) error {
	t := r.sets[p.template]
	if t == nil {
		return fmt.Errorf("rendering %s: no template %q", p.Path, p.template)
	}
	if err := t.ExecuteTemplate(w, rootTemplate(p.template), p); err != nil {
		return fmt.Errorf("rendering %s: %w", p.Path, err)
	}
	return nil
}

// rootTemplate is the template that draws a whole page of the given page
// template: base.html, which lays out the document around the page
// template's "main", or the page template itself for a whole document of
// its own.
func rootTemplate(page string) string {
	if page == aliasTemplate {
		return aliasTemplate
	}
	return "base.html"
}

func (r *Renderer) funcs() template.FuncMap {
	base, lang := r.cfg.BasePath(), r.theme.Lang
	return template.FuncMap{
		// cache draws a template once per argument and reuses the bytes: see
		// cache.go. Replaced in each page template's set by New.
		"cache": func(string, any) (template.HTML, error) { return "", fmt.Errorf("cache: no template set") },
		// url turns a site path ("/tags/iraq/") into a link under baseURL's path.
		"url": func(p string) string { return underBase(base, p) },
		// absURL turns a site path into an absolute URL, for canonical links and feeds.
		"absURL": func(p string) string { return absURL(r.cfg, p) },
		// asset links to the content-hashed copy of an asset ("/style.css"),
		// which hosts may cache for good; other files keep their names.
		"asset": func(p string) string {
			if r.theme.Assets != nil {
				p = r.theme.Assets.Path(p)
			}
			return underBase(base, p)
		},
		// datetime formats a time for <time datetime="...">.
		"datetime": func(t time.Time) string { return t.Format(time.RFC3339) },
		// date formats a time for readers in the site's language, with the
		// named format of its i18n file: {{date .Date}} ("date") or
		// {{date .Start "month"}}.
		"date": func(t time.Time, format ...string) (string, error) {
			f := "date"
			if len(format) > 0 {
				f = format[0]
			}
			return lang.Date(t, f)
		},
		// T is a UI word in the site's language: {{T "home"}},
		// {{T "pageOf" 2 7}}, {{T "articles" 31}} (plural forms).
		"T":    lang.T,
		"lang": func() string { return lang.Tag }, // <html lang>
		"dir":  func() string { return lang.Dir }, // <html dir>: "ltr" or "rtl"
		"add":  func(a, b int) int { return a + b },
		// timeline is the article-count chart of home, year and month
		// pages, or nil: {{with timeline .}}{{template "timeline" .}}{{end}}.
		"timeline": func(p *Page) (*Chart, error) { return timeline(lang, p) },
	}
}

// underBase returns site path p under the base path base ("/" or
// "/archive/"). Under "/", the commonest, a path is its own link: no new
// string for each of a page's links.
func underBase(base, p string) string {
	if base == "/" && strings.HasPrefix(p, "/") {
		return p
	}
	return base + strings.TrimPrefix(p, "/")
}

// absURL turns a site path into an absolute URL under cfg.BaseURL.
func absURL(cfg *config.Config, p string) string {
	return strings.TrimSuffix(cfg.BaseURL, "/") + path.Clean("/"+p) + trailingSlash(p)
}

func trailingSlash(p string) string {
	if strings.HasSuffix(p, "/") && p != "/" {
		return "/"
	}
	return ""
}
