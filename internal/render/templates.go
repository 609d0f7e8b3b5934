package render

import (
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/sitegen/sitegen/internal/config"
)

// pageTemplates are the templates that draw whole pages. Every other .html
// file in the template folders is shared: the layout (base.html) and
// partials that the page templates call.
var pageTemplates = []string{"article.html", "list.html", "tags.html", aliasTemplate}

// aliasTemplate draws the redirect from an old URL to an article. It is a
// whole document of its own, not laid out by base.html.
const aliasTemplate = "alias.html"

// A Renderer executes a site's template set.
type Renderer struct {
	sets map[string]*template.Template // page template name -> its set
	cfg  *config.Config
}

// New loads the template set: every .html file of defaults, each replaced by
// the file of the same name in overrides when there is one. overrides may be
// nil. Page templates define "main" (and may define "head"); base.html lays
// out the document around them.
func New(cfg *config.Config, defaults, overrides fs.FS) (*Renderer, error) {
	files := map[string]fs.FS{}
	for _, fsys := range []fs.FS{defaults, overrides} {
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

	r := &Renderer{sets: map[string]*template.Template{}, cfg: cfg}
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
		r.sets[n] = t
	}
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
	root := "base.html"
	if p.template == aliasTemplate {
		root = aliasTemplate
	}
	if err := t.ExecuteTemplate(w, root, p); err != nil {
		return fmt.Errorf("rendering %s: %w", p.Path, err)
	}
	return nil
}

func (r *Renderer) funcs() template.FuncMap {
	base := r.cfg.BasePath()
	return template.FuncMap{
		// url turns a site path ("/tags/iraq/") into a link under baseURL's path.
		"url": func(p string) string { return base + strings.TrimPrefix(p, "/") },
		// absURL turns a site path into an absolute URL, for canonical links and feeds.
		"absURL": func(p string) string {
			return strings.TrimSuffix(r.cfg.BaseURL, "/") + path.Clean("/"+p) + trailingSlash(p)
		},
		// datetime formats a time for <time datetime="...">.
		"datetime": func(t time.Time) string { return t.Format(time.RFC3339) },
		"add":      func(a, b int) int { return a + b },
	}
}

func trailingSlash(p string) string {
	if strings.HasSuffix(p, "/") && p != "/" {
		return "/"
	}
	return ""
}
