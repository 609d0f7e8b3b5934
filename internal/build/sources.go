package build

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"html/template"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/zeebo/xxh3"

	"github.com/sitegen/sitegen/internal/content"
)

// A sourceHash identifies a file's bytes in 128 bits: a source's, config's
// or key's (hashBytes), or an output file's (sumOutput).
type sourceHash [16]byte

// hashBytes is 128 bits of SHA-256 of data. Cache entries and page keys are
// built from it, and whoever writes the articles chooses the bytes: no
// collision can be made on purpose.
func hashBytes(data []byte) sourceHash {
	sum := sha256.Sum256(data)
	return sourceHash(sum[:16])
}

// sumOutput identifies an output file's bytes (cachedOutput.Sum), to tell
// whether a page drawn again is the file the previous build left at the
// same path: XXH3-128, some fifty times faster than SHA-256 here, whose
// hashing of every page was a thirtieth of a cold build's CPU time. It
// is not built to resist a collision made on purpose; one would need the
// page's new bytes to collide with its old ones, and would only leave the
// old page in place. A source's bytes are hashed with hashBytes.
func sumOutput(data []byte) sourceHash {
	return xxh3.Hash128(data).Bytes()
}

// A source is one content file as the build last read it.
type source struct {
	art  *content.Article // nil when the file is bad or a draft
	prob *content.Problem // why the file is bad, or nil
	hash sourceHash       // of the file's bytes
	meta sourceHash       // of every field of art but Body, as parsed
	slug string           // art.Slug as parsed, before site.New renames duplicates

	stamp    stamp    // of the file when it was read; zero when it may not be trusted
	bodyless bool     // art came from the build cache without its Body; see hydrate
	spill    *spilled // where art's Body is while art.Body is empty; see bodySpill
	noTopics bool     // art may lack its topic candidates (content.Loader.SkipMarkdownTopics); see ensureTopics

	// reindex normalizes art in place (package archive sets its tags,
	// aliases, findings and Read more links, site.New may rename its
	// slug), so that the site holds the one copy of each article; parsed
	// keeps those fields as the file gave them, to be put back before the
	// archive is normalized again.
	normalized bool
	parsed     parsedFields
}

// parsedFields are the fields of an article that the archive-wide steps
// change, as parsed.
type parsedFields struct {
	tags     []content.Tag
	aliases  []string
	findings []content.Finding
}

// asParsed gives s.art back the fields the archive-wide steps change, as
// the file gave them: the first time by keeping them, later by putting
// them back. The caller is about to normalize s.art.
func (s *source) asParsed() {
	a := s.art
	if !s.normalized {
		s.parsed = parsedFields{a.Tags, a.Aliases, a.Findings}
		s.normalized = true
	}
	a.Tags, a.Aliases, a.Findings = s.parsed.tags, s.parsed.aliases, s.parsed.findings
	a.SeeAlso = nil
	a.Slug = s.slug // site.New renames duplicates afresh every time
}

// parsedTags returns s.art's tags as parsed, before package archive
// mapped them through the rules and added topic tags.
func (s *source) parsedTags() []content.Tag {
	if s.normalized {
		return s.parsed.tags
	}
	return s.art.Tags
}

// parsedFindings returns s.art's findings as parsed, without those the
// archive-wide steps added.
func (s *source) parsedFindings() []content.Finding {
	if s.normalized {
		return s.parsed.findings
	}
	return s.art.Findings
}

// metaHash hashes every field of a but its Body and the hash of its
// source bytes. It goes through JSON so that a field added to
// content.Article is covered without a change here.
func metaHash(a *content.Article) sourceHash {
	c := *a
	c.Body, c.Hash = "", 0
	// What the archive-wide steps derive from these (topic tags, duplicates,
	// Read more links) is keyed on its own, by writeArchiveFields; findings
	// are not shown on pages.
	c.Topics, c.Fingerprint, c.Findings, c.ReadMore = nil, 0, nil, nil
	data, err := json.Marshal(&c)
	if err != nil { // cannot happen for the plain data in an Article
		data = []byte(err.Error() + a.Source)
	}
	return hashBytes(data)
}

// loadSources reads and parses the files at paths of l.FS in parallel on
// all cores. When dir, the content folder on disk, is not "", each file is
// stamped first and, if cache holds an entry with the same stamp, taken
// from there without being read. progress, when not nil, counts the files.
func loadSources(ctx context.Context, paths []string, l *content.Loader, dir string,
	cache map[string]*cachedSource, spill *bodySpill, progress *atomic.Int64) ([]*source, error) {
	var spillErr atomic.Value
	now := time.Now()
	out := make([]*source, len(paths))
	err := content.Each(ctx, paths, func(i int, p string) {
		if dir == "" {
			out[i] = loadSource(p, l)
		} else {
			st := stampFile(filepath.Join(dir, filepath.FromSlash(p)), now)
			if c := cache[p]; fromCache(c, st, l, p) {
				out[i] = c.source(l.Location)
			} else {
				out[i] = loadSource(p, l)
				out[i].stamp = st
			}
		}
		if a := out[i].art; spill != nil && a != nil && a.Body != "" {
			at, err := spill.put(string(a.Body))
			if err != nil {
				spillErr.CompareAndSwap(nil, err)
			} else {
				out[i].spill, a.Body = &at, ""
			}
		}
		if progress != nil {
			progress.Add(1)
		}
	})
	if err != nil {
		return nil, err
	}
	if spill != nil {
		if err := spill.flush(); err != nil {
			spillErr.CompareAndSwap(nil, err)
		}
	}
	if err, _ := spillErr.Load().(error); err != nil {
		return nil, fmt.Errorf("keeping article bodies in a temporary file: %w", err)
	}
	return out, nil
}

// fromCache reports whether c, the build cache's entry for the content
// file at p, which is now stamped st, stands for the file: the stamp is
// the one the cache recorded, and the article has the topic candidates
// the archive needs. A Markdown article cached without them (read when the
// archive held no raw text article: cachedSource.NoTopics) is read again
// when it does; one that has none is not.
func fromCache(c *cachedSource, st stamp, l *content.Loader, p string) bool {
	return c != nil && st.valid() && c.Stamp == st &&
		(l.SkipMarkdownTopics || c.Art == nil || !c.NoTopics || content.IsRawText(p))
}

// loadSource reads and parses one content file.
func loadSource(p string, l *content.Loader) *source {
	data, a, prob := l.LoadFileBytes(p)
	s := &source{prob: prob}
	if data != nil {
		s.hash = hashBytes(data)
	}
	if prob == nil && a != nil && !a.Draft {
		s.art, s.slug, s.meta = a, a.Slug, metaHash(a)
		s.noTopics = l.SkipMarkdownTopics && !content.IsRawText(p)
	}
	return s
}

// source turns a cache entry back into a source whose article has no body.
// The cache keeps times as instants with an offset; loc, the zone the
// parser put them in, gives them back their zone's name.
func (c *cachedSource) source(loc *time.Location) *source {
	if a := c.Art; a != nil && loc != nil {
		a.Date = a.Date.In(loc)
		if !a.Updated.IsZero() {
			a.Updated = a.Updated.In(loc)
		}
	}
	return &source{art: c.Art, prob: c.Prob, hash: c.Hash, meta: c.Meta, slug: c.Slug,
		stamp: c.Stamp, bodyless: c.Art != nil, noTopics: c.Art != nil && c.NoTopics && !content.IsRawText(c.Path)}
}

// hydrate gives articles that came from the build cache their bodies back,
// reading and parsing their sources again. When the build keeps bodies in
// a spill file, they go there as a cold build's do: a build that draws
// every page again after a template change hydrates every article, and
// holding their bodies took a 50,000-article site's peak memory from a
// cold build's 490 MB to 870 MB.
func (b *Builder) hydrate(ctx context.Context, arts []*content.Article) error {
	var need []string
	seen := map[string]bool{}
	for _, a := range arts {
		if a == nil || seen[a.Source] {
			continue
		}
		seen[a.Source] = true
		if s := b.sources[a.Source]; s != nil && s.bodyless {
			need = append(need, a.Source)
		}
	}
	if len(need) == 0 {
		return nil
	}
	fresh, err := b.reread(ctx, need, b.spill)
	if err != nil {
		return err
	}
	for i, p := range need {
		s, f := b.sources[p], fresh[i]
		s.bodyless = false
		if f.spill != nil {
			s.spill = f.spill // read back by body and withBodies
			hydratedToSpill.Add(1)
			continue
		}
		s.art.Body = f.art.Body
		if c := b.published[p]; c != nil {
			c.Body = s.art.Body // the site may hold another copy (see updateBodies)
		}
	}
	return nil
}

// hydratedToSpill counts the bodies hydrate put in the spill file, for tests.
var hydratedToSpill atomic.Int64

// readBodies reads and parses the sources at paths again and returns their
// articles' bodies.
func (b *Builder) readBodies(ctx context.Context, paths []string) ([]template.HTML, error) {
	fresh, err := b.reread(ctx, paths, nil)
	if err != nil {
		return nil, err
	}
	bodies := make([]template.HTML, len(paths))
	for i, f := range fresh {
		bodies[i] = f.art.Body
	}
	return bodies, nil
}

// reread reads and parses the sources at paths again, in parallel, their
// bodies put in spill unless it is nil. A file whose bytes changed since
// the build began is an error: the build is then told to run again rather
// than mix two versions of one article. It changes nothing of b.
func (b *Builder) reread(ctx context.Context, paths []string, spill *bodySpill) ([]*source, error) {
	fresh, err := loadSources(ctx, paths, b.loader, "", nil, spill, nil)
	if err != nil {
		return nil, err
	}
	for i, p := range paths {
		if f := fresh[i]; f.hash != b.sources[p].hash || f.art == nil {
			return nil, fmt.Errorf("content/%s changed while the site was being built; build again", p)
		}
	}
	return fresh, nil
}

// ensureTopics gives every Markdown article its topic candidates once the
// archive holds a raw text article. Articles are loaded without them while
// it holds none (content.Loader.SkipMarkdownTopics), as nothing weighs
// them then; the first raw text article makes them count (package
// archive). They are found from the bodies in memory; articles whose body
// is not (from the build cache, or spilled) are read and parsed again.
func (b *Builder) ensureTopics(ctx context.Context) error {
	if !b.loader.SkipMarkdownTopics || !b.holdsRawText() {
		return nil
	}
	b.loader.SkipMarkdownTopics = false
	var reread []string
	for p, s := range b.sources {
		switch {
		case s.art == nil || !s.noTopics:
		case s.bodyless || s.spill != nil:
			reread = append(reread, p)
		default:
			s.art.Topics, s.noTopics = content.TopicCandidates(s.art.Title, s.art.Body), false
		}
	}
	if len(reread) == 0 {
		return nil
	}
	fresh, err := b.reread(ctx, reread, nil)
	if err != nil {
		return err
	}
	for i, p := range reread {
		s := b.sources[p]
		s.art.Topics, s.noTopics = fresh[i].art.Topics, false
	}
	return nil
}

// holdsRawText reports whether the archive holds a raw text article.
func (b *Builder) holdsRawText() bool {
	for p, s := range b.sources {
		if s.art != nil && content.IsRawText(p) {
			return true
		}
	}
	return false
}
