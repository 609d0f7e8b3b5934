// Package build runs the whole pipeline once: load and normalize content,
// index the site, render every page and publish the result atomically.
//
// It is what the CLI's build and check commands and the preview server call;
// it owns the order of the stages and the report of what a build did, and
// leaves each stage's work to its own package.
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
	"sort"
	"strings"
	"time"

	"github.com/sitegen/sitegen/internal/archive"
	"github.com/sitegen/sitegen/internal/assets"
	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/i18n"
	"github.com/sitegen/sitegen/internal/rawtext"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/site"
	"github.com/sitegen/sitegen/internal/topics"
)

// Options say what to build and where.
type Options struct {
	Source    string // site root: content/, templates/, assets/, sitegen.yaml
	Dest      string // output folder; "" means Source/public
	KeepGoing bool   // build the good articles even when some are bad

	// Progress, when not nil, receives a progress line redrawn in place
	// (with \r) while a build or check that takes over a second runs: a
	// terminal.
	Progress io.Writer
	// RemoveOld deletes the previous site's folder after a build swapped
	// the new one in, and the staging folder of a build that failed or was
	// cancelled (one that filled the disk deletes its own, to free the
	// space before it returns); nil deletes them before Run returns. The CLI hands them to
	// a background process: deleting a big tree is slow (minutes for a
	// cancelled 1M build) and slows the file system for a while, and
	// nothing waits on it.
	RemoveOld func(dir string)
	// MakeSpare, when not nil, is called with the destination after a
	// build of a large site that left no spare beside it (a cold build),
	// to run the package's MakeSpare where it suits: the CLI runs it in a
	// background process, so that the next build that changes a few
	// files finds its folders made. nil: none is made ahead.
	MakeSpare func(dest string)
	// FromCache, when not nil, is called when the build starts from the
	// cache of a previous build by the same program and theme, before any
	// content is read, with the number of articles that build published:
	// the CLI lets the heap of such a build, which mostly allocates less
	// than a cold build of the site holds at its peak, grow that far before
	// the collector first runs.
	FromCache func(articles int)
	// Sources, when not nil, is called once the build or check knows how
	// many source files content/ holds, before it reads them (after
	// FromCache in a build that starts from the cache; not in a build with
	// nothing to do): the CLI has the memory such a site's heap grows into
	// backed by huge pages.
	Sources func(n int)
}

// A Report says what a build or check did.
type Report struct {
	Articles  int              // articles published
	Pages     int              // HTML pages written
	Files     int              // files written in all, assets included
	Unchanged int              // files left as they were: their bytes did not change
	Removed   int              // files deleted because their page or asset is gone
	Problems  content.Problems // every bad source file
	Notes     []string         // changes the build made on its own, such as renamed slugs
	Elapsed   time.Duration    // wall time

	Findings    []content.Finding // what normalization removed or changed, file by file
	Duplicates  int               // articles left out as duplicates, each redirecting to the copy kept
	Boilerplate map[string]int    // boilerplate lines removed or turned into metadata, by kind ("share", "promo", ...)
}

// newReport starts the report of a loaded site.
func newReport(s *Site) *Report {
	rep := &Report{Articles: len(s.Site.Articles), Problems: s.Problems, Notes: s.Site.Notes,
		Findings: s.Findings, Duplicates: s.Duplicates, Boilerplate: map[string]int{}}
	for _, f := range s.Findings {
		for _, k := range rawtext.Kinds {
			if f.Kind == string(k) {
				rep.Boilerplate[f.Kind]++
			}
		}
	}
	return rep
}

// ErrProblems is wrapped by the error a build returns when source files were
// bad; the Report lists them.
var ErrProblems = errors.New("content has problems")

// Site is a loaded, indexed site ready to render.
type Site struct {
	Site     *site.Site
	Renderer *render.Renderer
	Lang     *i18n.Lang           // the site's language
	Assets   []fs.FS              // default assets, then the site's own; later ones win
	Hashed   *assets.Fingerprints // content-hashed copies of stylesheets and scripts
	Problems content.Problems

	Findings   []content.Finding // what normalization removed or changed, by source path then line
	Duplicates int               // articles left out as duplicates
}

// Load reads and indexes the site at root without writing anything.
func Load(ctx context.Context, root string) (*Site, error) {
	return load(ctx, root, nil)
}

// load is Load, with setup (if not nil) given the content loader to
// configure before it loads: sitegen check drops the bodies, and counts
// the files.
func load(ctx context.Context, root string, setup func(*content.Loader)) (*Site, error) {
	th, err := loadTheme(os.DirFS(root))
	if err != nil {
		return nil, err
	}
	contentFS := optionalSub(content.DirFS(root), "content")
	if contentFS == nil {
		return nil, noContent(root)
	}
	l := th.loader(contentFS)
	if setup != nil {
		setup(l)
	}
	arts, probs, err := l.Load(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range probs {
		p.Path = path.Join("content", p.Path) // as the user finds it from the site root
	}
	rules, err := topics.LoadRules(os.DirFS(root))
	if err != nil {
		return nil, err
	}
	norm, err := archive.Normalize(ctx, arts, rules)
	if err != nil {
		return nil, err
	}
	return &Site{Site: site.New(th.cfg, norm.Articles), Renderer: th.renderer, Lang: th.lang, Problems: probs,
		Assets: th.assets, Hashed: th.hashed,
		Findings: findings(norm), Duplicates: len(norm.Duplicates)}, nil
}

func noContent(root string) error {
	return fmt.Errorf("%s has no content/ folder: put articles (.txt or .md) in %s",
		root, filepath.Join(root, "content"))
}

// findings lists what normalization did to every loaded article, duplicates
// included, sorted by path and line, with paths as the user finds them
// from the site root.
func findings(norm *archive.Result) []content.Finding {
	var out []content.Finding
	for _, a := range norm.Articles {
		out = append(out, a.Findings...)
	}
	for _, d := range norm.Duplicates {
		out = append(out, d.Article.Findings...)
		out = append(out, content.Finding{Path: d.Article.Source, Kind: "duplicate",
			Text: fmt.Sprintf("duplicate of content/%s (%s): not published; %s redirects to %s",
				d.Of.Source, d.Reason, d.Article.URLPath(), d.Of.URLPath())})
	}
	for i := range out {
		out[i].Path = path.Join("content", out[i].Path)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Line < out[j].Line
	})
	return out
}

// Summary is one line saying what normalization found: articles, bad
// files, duplicates, and boilerplate removed by kind.
func (r *Report) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d articles, %d errors, %d duplicates; boilerplate removed:", r.Articles, len(r.Problems), r.Duplicates)
	n := 0
	for _, k := range rawtext.Kinds {
		if c := r.Boilerplate[string(k)]; c > 0 {
			if n > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, " %s %d", k, c)
			n++
		}
	}
	if n == 0 {
		b.WriteString(" none")
	}
	return b.String()
}

// optionalSub returns fsys's folder dir, or nil when there is none.
func optionalSub(fsys fs.FS, dir string) fs.FS {
	fi, err := fs.Stat(fsys, dir)
	if err != nil || !fi.IsDir() {
		return nil
	}
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		return nil
	}
	return sub
}

// Check validates the site at opts.Source as a build would, writing
// nothing. Of opts it reads Source, Progress (articles read) and Sources.
func Check(ctx context.Context, opts Options) (*Report, error) {
	prog := startProgress(opts.Progress, time.Now())
	defer prog.stop() // the line erased before the report is printed
	return check(ctx, opts, prog)
}

// check is Check, counting the articles it reads in prog.
func check(ctx context.Context, opts Options, prog *progress) (*Report, error) {
	s, err := load(ctx, opts.Source, func(l *content.Loader) {
		l.DropBodies = true // nothing shows a body
		l.Walked = opts.Sources
		l.Loaded = func() { prog.read.Add(1) }
	})
	if err != nil {
		return nil, err
	}
	rep := newReport(s)
	rep.Elapsed = time.Since(prog.start)
	if len(s.Problems) > 0 {
		return rep, fmt.Errorf("%w: %d bad files", ErrProblems, len(s.Problems))
	}
	return rep, nil
}

// checkDest refuses destinations that would swallow the site's own source.
func checkDest(source, dest string) error {
	src, err1 := filepath.Abs(source)
	dst, err2 := filepath.Abs(dest)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	if rel, err := filepath.Rel(dst, src); err == nil && filepath.IsLocal(rel) || src == dst {
		return fmt.Errorf("destination %s contains the site's source %s; choose a --dest inside or beside it, such as %s",
			dest, source, filepath.Join(source, "public"))
	}
	return nil
}

// uniqueFiles checks that no two pages would be written to one file, which
// would make the output depend on which finished last.
func uniqueFiles(pages []*render.Page) error {
	seen := make(map[string]*render.Page, len(pages))
	for _, p := range pages {
		f := p.File()
		if q := seen[f]; q != nil {
			return fmt.Errorf("two pages would be written to %s: %s (%s) and %s (%s); change a slug or an alias",
				f, q.Path, q.Kind, p.Path, p.Kind)
		}
		seen[f] = p
	}
	return nil
}
