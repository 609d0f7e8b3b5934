// Package build runs the whole pipeline once: load and normalize content,
// index the site, render every page and publish the result atomically.
//
// It is what the CLI's build and check commands and the preview server call;
// it owns the order of the stages and the report of what a build did, and
// leaves each stage's work to its own package.
package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/sitegen/sitegen/internal/assets"
	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/i18n"
	"github.com/sitegen/sitegen/internal/publish"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/site"
)

// Options say what to build and where.
type Options struct {
	Source    string // site root: content/, templates/, assets/, sitegen.yaml
	Dest      string // output folder; "" means Source/public
	KeepGoing bool   // build the good articles even when some are bad
}

// A Report says what a build or check did.
type Report struct {
	Articles int              // articles published
	Pages    int              // HTML pages written
	Files    int              // files written in all, assets included
	Problems content.Problems // every bad source file
	Notes    []string         // changes the build made on its own, such as renamed slugs
	Elapsed  time.Duration    // wall time
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
}

// Load reads and indexes the site at root without writing anything.
func Load(ctx context.Context, root string) (*Site, error) {
	th, err := loadTheme(os.DirFS(root))
	if err != nil {
		return nil, err
	}
	contentFS := optionalSub(os.DirFS(root), "content")
	if contentFS == nil {
		return nil, noContent(root)
	}
	arts, probs, err := th.loader(contentFS).Load(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range probs {
		p.Path = path.Join("content", p.Path) // as the user finds it from the site root
	}
	return &Site{Site: site.New(th.cfg, arts), Renderer: th.renderer, Lang: th.lang, Problems: probs,
		Assets: th.assets, Hashed: th.hashed}, nil
}

func noContent(root string) error {
	return fmt.Errorf("%s has no content/ folder: put articles (.txt or .md) in %s",
		root, filepath.Join(root, "content"))
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

// Check validates the site at opts.Source as a build would, writing nothing.
func Check(ctx context.Context, opts Options) (*Report, error) {
	start := time.Now()
	s, err := Load(ctx, opts.Source)
	if err != nil {
		return nil, err
	}
	rep := &Report{Articles: len(s.Site.Articles), Problems: s.Problems, Notes: s.Site.Notes}
	rep.Elapsed = time.Since(start)
	if len(s.Problems) > 0 {
		return rep, fmt.Errorf("%w: %d bad files", ErrProblems, len(s.Problems))
	}
	return rep, nil
}

// Run builds the site at opts.Source into opts.Dest. When any source file is
// bad it writes nothing and returns an error wrapping ErrProblems, unless
// opts.KeepGoing is set: then it publishes the rest and still returns that
// error. The previous destination is replaced only by a complete new site.
func Run(ctx context.Context, opts Options) (*Report, error) {
	start := time.Now()
	if opts.Dest == "" {
		opts.Dest = filepath.Join(opts.Source, "public")
	}
	if err := checkDest(opts.Source, opts.Dest); err != nil {
		return nil, err
	}
	s, err := Load(ctx, opts.Source)
	if err != nil {
		return nil, err
	}
	rep := &Report{Articles: len(s.Site.Articles), Problems: s.Problems, Notes: s.Site.Notes}
	problemsErr := error(nil)
	if len(s.Problems) > 0 {
		problemsErr = fmt.Errorf("%w: %d bad files", ErrProblems, len(s.Problems))
		if !opts.KeepGoing {
			rep.Elapsed = time.Since(start)
			return rep, problemsErr
		}
	}
	st, err := publish.Begin(opts.Dest)
	if err != nil {
		return rep, err
	}
	defer st.Cleanup()
	if rep.Pages, rep.Files, err = s.Write(ctx, st); err != nil {
		return rep, err
	}
	if err := st.Commit(); err != nil {
		return rep, err
	}
	rep.Elapsed = time.Since(start)
	return rep, problemsErr
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

// Write renders every page and copies the assets into st, rendering on all
// cores. It returns the number of pages and of files written.
func (s *Site) Write(ctx context.Context, st *publish.Staging) (pages, files int, err error) {
	for _, a := range s.Assets {
		if err := st.CopyFS(a); err != nil {
			return 0, 0, err
		}
	}
	for _, name := range s.Hashed.Files() {
		if err := st.WriteFile(name, s.Hashed.Content(name)); err != nil {
			return 0, 0, err
		}
	}
	all := render.Pages(s.Site, s.Lang)
	if err := uniqueFiles(all); err != nil {
		return 0, 0, err
	}
	work := make(chan *render.Page)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf bytes.Buffer
			for p := range work {
				buf.Reset()
				err := s.Renderer.Render(&buf, p)
				if err == nil {
					err = st.WriteFile(p.File(), buf.Bytes())
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	var failed error
feed:
	for _, p := range all {
		select {
		case work <- p:
		case failed = <-errs:
			break feed
		case <-ctx.Done():
			failed = ctx.Err()
			break feed
		}
	}
	close(work)
	wg.Wait()
	if failed == nil {
		select {
		case failed = <-errs:
		default:
		}
	}
	if failed != nil {
		return 0, 0, failed
	}
	return len(all), len(all) + countFiles(s.Assets) + len(s.Hashed.Files()), nil
}

func countFiles(fss []fs.FS) int {
	seen := map[string]bool{}
	for _, fsys := range fss {
		fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				seen[p] = true
			}
			return nil
		})
	}
	return len(seen)
}

// uniqueFiles checks that no two pages would be written to one file, which
// would make the output depend on which finished last.
func uniqueFiles(pages []*render.Page) error {
	seen := make(map[string]*render.Page, len(pages))
	for _, p := range pages {
		if q := seen[p.File()]; q != nil {
			return fmt.Errorf("two pages would be written to %s: %s (%s) and %s (%s); change a slug or an alias",
				p.File(), q.Path, q.Kind, p.Path, p.Kind)
		}
		seen[p.File()] = p
	}
	return nil
}
