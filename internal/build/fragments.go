package build

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
)

// A build that draws many pages saves the list entries and other
// fragments it drew from articles (render.Renderer.WriteFragments) in a
// file beside the build cache, and a later build that is about to draw
// many pages reads them back: adding one article moves every home page,
// whose 50,000 entries at 50,000 articles are then pasted, not drawn.
// Fragments are kept by their article's key (articleID), so an entry read
// back is one the article, as it is now, would draw; the file's stamp
// (fragmentsStamp) holds the program and the theme, which every fragment
// depends on besides its article. The file is only ever an aid: one that
// is missing, damaged or stamped otherwise is ignored.
var (
	// fragmentsReadMin is how many pages a build must draw before the
	// saved fragments are worth reading: at 50,000 articles the file is
	// 42 MB, read and checked in about 0.1 s, where drawing a page takes
	// about 100 us on one core.
	fragmentsReadMin = 500
	// fragmentsSaveMin is how many article fragments a build must have
	// drawn (not read) before it saves them all: a cold build, a new
	// program's, one after a template edit. Builds that draw a few keep
	// the file as it is; an entry it lacks is drawn when needed.
	fragmentsSaveMin = 2000
)

// fragmentsRead counts the fragments builds read back, for tests.
var fragmentsRead atomic.Int64

// fragmentsPath is the file beside the destination that holds the saved
// fragments: ".public.sitegen-fragments" for public/.
func fragmentsPath(dest string) string { return besideDest(dest, ".sitegen-fragments") }

// fragmentsStamp names what fragments depend on besides their articles:
// the program and the theme (sitegen.yaml, templates/, i18n/, assets/).
func (b *Builder) fragmentsStamp() []byte {
	var k keyWriter
	k.str("fragments")
	k.hash(programKey())
	k.hash(b.themeHash)
	s := k.sum()
	return s[:]
}

// readFragments gives the renderer the fragments a previous build saved
// for dest, when pages pages are about to be drawn with articles keyed by
// content (after a full keying, see articleID).
func (b *Builder) readFragments(dest string, pages int) {
	if pages < fragmentsReadMin || b.artKeys == nil {
		return
	}
	data, err := readString(fragmentsPath(dest), b.maps)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			slog.Debug("build: saved fragments not read", "err", err)
		}
		return
	}
	n, err := b.theme.renderer.ReadFragments(data, b.fragmentsStamp())
	fragmentsRead.Add(int64(n))
	slog.Debug("build: saved fragments read", "fragments", n, "bytes", len(data), "err", err)
}

// saveFragments saves the renderer's article fragments for dest when it
// drew enough of them, replacing the file whole: a build killed meanwhile
// leaves the previous file and a ".new" one, which the next build deletes
// (removeUnsavedFragments). It never fails the build: a file not saved
// only means fragments drawn again.
func (b *Builder) saveFragments(dest string) {
	if _, drawn := b.theme.renderer.ArticleFragments(); drawn < fragmentsSaveMin {
		return
	}
	// Only the site's articles as they are: those read back from an older
	// file may include articles edited or deleted since.
	b.theme.renderer.KeepFragments(b.liveArticles())
	path := fragmentsPath(dest)
	tmp := path + ".new"
	err := func() error {
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		w := bufio.NewWriterSize(f, 256<<10)
		err = b.theme.renderer.WriteFragments(w, b.fragmentsStamp())
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp, path)
		}
		return err
	}()
	if err != nil {
		os.Remove(tmp)
		slog.Debug("build: fragments not saved", "err", err)
	}
}

// removeUnsavedFragments deletes what a build killed while it saved
// fragments left beside dest.
func removeUnsavedFragments(dest string) {
	os.Remove(fragmentsPath(dest) + ".new")
}

// readString returns the file at path as a string, held once: the
// fragments read from it are slices of it. It maps the file into fm when
// it can, and reads it otherwise.
func readString(path string, fm *fileMaps) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var sb strings.Builder
	if fi, err := f.Stat(); err == nil {
		if data, ok := fm.mapString(f, fi.Size()); ok {
			return data, nil
		}
		sb.Grow(int(fi.Size()) + 1) // +1: the read that finds the end
	}
	_, err = io.Copy(&sb, f)
	return sb.String(), err
}
