package content

import (
	"context"
	"fmt"
	"hash/fnv"
	"html/template"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sitegen/sitegen/internal/topics"
)

// A Loader reads articles from a content tree.
type Loader struct {
	FS       fs.FS          // the content/ folder
	Location *time.Location // time zone for dates without one; nil means UTC
	MaxBytes int64          // largest article file read; 0 means DefaultMaxBytes
	RawHTML  bool           // pass raw HTML in Markdown bodies through (trusted content only)

	// SkipMarkdownTopics leaves the Topics of Markdown articles nil.
	// Only raw text articles get topic tags, and the candidates of the
	// others count only in weighing theirs (package archive), so an
	// archive without raw text articles has no use for them: finding
	// them was a quarter of parsing a Markdown article. Load sets it by
	// itself when the tree holds no raw text article; a caller that
	// loads files one by one sets it when it knows so, and computes the
	// candidates (TopicCandidates) if raw text articles come later.
	SkipMarkdownTopics bool

	// DropBodies leaves every article's Body empty once it is parsed, for
	// a caller that wants what parsing finds but shows no page (sitegen
	// check): bodies are most of an archive's bytes.
	DropBodies bool

	// Walked, when not nil, is called by Load with the number of article
	// files the walk found, before it reads any: a caller that sizes
	// something by the site, such as the memory its heap will grow into,
	// learns the size before the memory is needed.
	Walked func(n int)

	// Loaded, when not nil, is called by Load once for every article file
	// it has read, from its workers (so at the same time from several
	// goroutines): a progress count.
	Loaded func()
}

// IsRawText reports whether p names a raw text article, the articles that
// get topic tags extracted from their text.
func IsRawText(p string) bool { return path.Ext(p) == ".txt" }

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
	if l.Walked != nil {
		l.Walked(len(paths))
	}
	if !slices.ContainsFunc(paths, IsRawText) {
		c := *l
		c.SkipMarkdownTopics = true
		l = &c
	}
	arts := make([]*Article, len(paths))
	perr := make([]*Problem, len(paths))
	if err := Each(ctx, paths, func(i int, p string) {
		arts[i], perr[i] = l.LoadFile(p)
		if l.Loaded != nil {
			l.Loaded()
		}
	}); err != nil {
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

// Each calls fn(i, paths[i]) for every path, in parallel with one worker
// per core; fn typically loads the file (LoadFile) and keeps the result at
// index i. When ctx ends, Each hands out no more paths, waits for the calls
// under way and returns ctx's error. Every way of loading content (Load,
// and the build's cached and incremental loads) goes through it.
func Each(ctx context.Context, paths []string, fn func(i int, p string)) error {
	work := make(chan int, 64)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(paths)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				fn(i, paths[i])
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
	return ctx.Err()
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
	a, prob := parse(p, data, l.Location, md, !l.SkipMarkdownTopics || IsRawText(p))
	if a != nil && l.DropBodies {
		a.Body = ""
	}
	return data, a, prob
}

// Parse normalizes one source file's bytes into an Article. p is the path
// relative to content/; its extension picks the format.
// Raw HTML in Markdown is omitted.
func Parse(p string, data []byte, loc *time.Location) (*Article, *Problem) {
	return parse(p, data, loc, markdown, true)
}

// TopicCandidates finds the topic candidates of an article from its title
// and body, as loading does: for a Markdown article loaded with
// SkipMarkdownTopics once the archive holds raw text articles.
func TopicCandidates(title string, body template.HTML) []topics.Candidate {
	return topics.Candidates(title, bodyText(string(body)))
}

func parse(p string, data []byte, loc *time.Location, md *bodyMarkdown, withTopics bool) (*Article, *Problem) {
	if loc == nil {
		loc = time.UTC
	}
	text, decoded, prob := decodeText(data)
	if prob != nil {
		prob.Path = p
		return nil, prob
	}
	h := fnv.New64a()
	h.Write(data)
	a := &Article{Source: p, Hash: h.Sum64(), Section: section(p)}
	if decoded != nil {
		decoded.Path = p
		a.Findings = append(a.Findings, *decoded)
	}
	switch path.Ext(p) {
	case ".txt":
		prob = parseRawText(a, string(text), loc)
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
	a.Fingerprint = fingerprint(string(a.Body))
	if withTopics {
		a.Topics = TopicCandidates(a.Title, a.Body)
	}
	return a, nil
}

// section is the folder path of an article under content/, with date
// folders left out: "bbc/business/001.txt" -> "bbc/business",
// "dw/2019/12/30/x.txt" -> "dw", "2019/12/30/x.txt" -> "". The folders an
// archive arrives in are its sections; dates are not sections.
func section(p string) string {
	dir := path.Dir(p)
	if dir == "." {
		return ""
	}
	var keep []string
	for _, f := range strings.Split(dir, "/") {
		if strings.Trim(f, "0123456789") == "" {
			continue
		}
		keep = append(keep, f)
	}
	return strings.Join(keep, "/")
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
