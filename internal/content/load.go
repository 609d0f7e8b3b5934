package content

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark"
)

// A Loader reads articles from a content tree.
type Loader struct {
	FS       fs.FS          // the content/ folder
	Location *time.Location // time zone for dates without one; nil means UTC
	MaxBytes int64          // largest article file read; 0 means DefaultMaxBytes
	RawHTML  bool           // pass raw HTML in Markdown bodies through (trusted content only)
}

// IsArticleFile reports whether a name is a source format Load reads.
func IsArticleFile(name string) bool {
	switch path.Ext(name) {
	case ".txt", ".md", ".markdown":
		return true
	}
	return false
}

// skipped reports whether a file or folder name is not content at all:
// hidden files, editor swap files and Hugo-style _index.md.
func skipped(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")
}

// Paths lists the article source paths under the tree, sorted, and a
// problem for every file that is neither an article nor skipped.
func (l *Loader) Paths() ([]string, Problems, error) {
	var paths []string
	var probs Problems
	err := fs.WalkDir(l.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			prob := readProblem(err)
			prob.Path = p
			probs = append(probs, prob)
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != "." && skipped(d.Name()) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			probs = append(probs, &Problem{Path: p, Msg: "not a regular file", Fix: "remove it from content/"})
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if prob := l.linkProblem(p); prob != nil {
				prob.Path = p
				probs = append(probs, prob)
				return nil
			}
		}
		if !IsArticleFile(p) {
			probs = append(probs, &Problem{Path: p, Msg: fmt.Sprintf("not an article: %q is not a content format", path.Ext(p)),
				Fix: "articles are .txt or .md; move other files to assets/ or rename them with a leading _ to skip them"})
			return nil
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("walking content: %w", err)
	}
	return paths, probs, nil
}

// Load reads and normalizes every article in the tree, in parallel on all
// cores. Articles come back sorted by source path; drafts are left out.
// Every bad file adds one Problem; only a failure to walk the tree is an error.
func (l *Loader) Load(ctx context.Context) ([]*Article, Problems, error) {
	paths, probs, err := l.Paths()
	if err != nil {
		return nil, nil, err
	}
	arts := make([]*Article, len(paths))
	perr := make([]*Problem, len(paths))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				arts[i], perr[i] = l.LoadFile(paths[i])
			}
		}()
	}
feed:
	for i := range paths {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	out := arts[:0]
	for i, a := range arts {
		if perr[i] != nil {
			probs = append(probs, perr[i])
		} else if a != nil && !a.Draft {
			out = append(out, a)
		}
	}
	probs.Sort()
	return out, probs, nil
}

// LoadFile reads and normalizes one article. The problem, if any, names p.
func (l *Loader) LoadFile(p string) (*Article, *Problem) {
	_, a, prob := l.LoadFileBytes(p)
	return a, prob
}

// LoadFileBytes is LoadFile that also returns the bytes it read, nil when
// the file could not be read, for build caches that key on them.
func (l *Loader) LoadFileBytes(p string) ([]byte, *Article, *Problem) {
	data, prob := l.readSource(p)
	if prob != nil {
		prob.Path = p
		return nil, nil, prob
	}
	md := markdown
	if l.RawHTML {
		md = markdownRawHTML
	}
	a, prob := parse(p, data, l.Location, md)
	return data, a, prob
}

// Parse normalizes one source file's bytes into an Article. p is the path
// relative to content/; its extension picks the format.
// Raw HTML in Markdown is omitted.
func Parse(p string, data []byte, loc *time.Location) (*Article, *Problem) {
	return parse(p, data, loc, markdown)
}

func parse(p string, data []byte, loc *time.Location, md goldmark.Markdown) (*Article, *Problem) {
	if loc == nil {
		loc = time.UTC
	}
	text, prob := decodeText(data)
	if prob != nil {
		prob.Path = p
		return nil, prob
	}
	h := fnv.New64a()
	h.Write(data)
	a := &Article{Source: p, Hash: h.Sum64(), Section: section(p)}
	switch path.Ext(p) {
	case ".txt":
		prob = parseRawText(a, text, loc)
	default:
		prob = parseMarkdown(a, text, loc, md)
	}
	if prob == nil {
		prob = cleanMetadata(a)
	}
	if prob != nil {
		prob.Path = p
		return nil, prob
	}
	a.Slug = makeSlug(a.Slug, a.Title, p)
	return a, nil
}

// decodeText checks that data is text and returns it with Unix line ends.
func decodeText(data []byte) (string, *Problem) {
	if len(bytes.TrimSpace(data)) == 0 {
		return "", &Problem{Msg: "empty file", Fix: "write the article or remove the file"}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return "", &Problem{Line: 1 + bytes.Count(data[:i], []byte("\n")),
			Msg: "binary data (a NUL byte) in a text article", Fix: "replace the file with the article's text"}
	}
	if !utf8.Valid(data) {
		off := firstInvalid(data)
		return "", &Problem{Line: 1 + bytes.Count(data[:off], []byte("\n")),
			Msg: fmt.Sprintf("invalid UTF-8 at byte %d", off), Fix: "save the file as UTF-8"}
	}
	s := strings.TrimPrefix(string(data), "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return s, nil
}

func firstInvalid(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// section is the first folder of a content path: "bbc/business/1.txt" -> "bbc".
func section(p string) string {
	if i := strings.IndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return ""
}

func unwrapPathErr(err error) string {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// SortByDate orders articles newest first; ties break on URL then source
// path so that the order never depends on load order.
func SortByDate(arts []*Article) {
	sort.SliceStable(arts, func(i, j int) bool {
		a, b := arts[i], arts[j]
		if !a.Date.Equal(b.Date) {
			return a.Date.After(b.Date)
		}
		if a.Slug != b.Slug {
			return a.Slug < b.Slug
		}
		return a.Source < b.Source
	})
}
