package build

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/publish"
	"github.com/sitegen/sitegen/internal/search"
	"github.com/sitegen/sitegen/internal/site"
)

// The build cache is one file beside the destination, named like the
// publish package's staging folders: DEST/../.public.sitegen-cache for
// DEST public. It records what the last build read (every content file's
// size, times, inode and hash, and the article parsed from it, without its
// body) and what it wrote (every output file's key, hash and stamp), and
// every article's related stories with the key of their inputs.
//
// It is trusted only as far as it can be checked, so that a stale cache
// cannot produce wrong output:
//   - it is keyed to the program (a hash of the executable), the site root
//     and the destination; any other program or place ignores it;
//   - a content file is reused only when its size, mtime, ctime and inode
//     are all unchanged, and never when it was modified within a second of
//     being read (an edit in the same clock tick would not move its mtime);
//   - an output file is left alone only when its page key and its own
//     size, mtime and inode are unchanged: a file edited, replaced or
//     deleted in the destination by hand is written again (the change time
//     is left out: hard links made and removed by full builds move it);
//   - the theme (sitegen.yaml, templates/, i18n/, assets/) is hashed in
//     full on every build.
//
// Deleting the file is always safe: the next build is a full one.
const cacheFormat = "sitegen build cache 6"

func cachePath(dest string) string {
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".sitegen-cache")
}

// A manifest is the cache file's content. readManifest fills in all but
// Sources and Search, which a no-op build does not need; readRest reads
// them.
type manifest struct {
	Format  string
	Program sourceHash
	Root    string // absolute site root
	Dest    string // absolute destination
	State   cacheState
	Stamps  []cachedStamp
	Sources []cachedSource
	Outputs []cachedOutput

	rest  func() error // reads Sources and State.Search; nil once done
	trees func() error // reads the folder records (see readTrees); nil once done
	file  *os.File     // the cache file, open until rest is done
	// The records of the folders beside dest, from readTrees: the spare's
	// decoded (nil: none, or not for this spare), the destination's as
	// written, for the next cache to name as the spare's.
	spareTree             *publish.Tree
	spareData, publicTree []byte
}

// A cacheState is what a build leaves in the cache besides its sources
// and outputs: what a no-op build reports without indexing the site, and
// the feeds' and search index's keys and per-article analyses, so that a
// build remakes only those whose inputs changed.
type cacheState struct {
	World    sourceHash // program, theme and tags.yaml: see worldKey
	Articles int        // Report.Articles
	Pages    int        // Report.Pages
	Notes    []string   // Report.Notes

	// Extras holds, by output path, the key under which a feed or search
	// document file was made and the hash of the bytes made: writeManifest
	// gives an output file the key only when its bytes are those.
	Extras map[string]extraMade
	// Search is the search index's per-article analyses.
	Search *search.Cache
	// Related is every article's related stories, with the key of their
	// inputs, so that a build whose articles have the same source paths,
	// dates and tags (a body or title edit) does not compute them again;
	// nil when the templates show none.
	Related *site.RelatedIndex
	// SpareTree and PublicTree are publish.Tree records, encoded, of the
	// spare beside the destination and of the destination itself, left by
	// the builds that filled them: the next build lists the spare with its
	// record (publish.ListSpare), and the one after uses the destination's
	// once it has become the spare. Empty: none.
	SpareTree, PublicTree []byte
}

// same reports whether s records what o does, but for the search
// analyses, which follow from the sources.
func (s *cacheState) same(o *cacheState) bool {
	return s.World == o.World && s.Articles == o.Articles && s.Pages == o.Pages &&
		slices.Equal(s.Notes, o.Notes) && maps.Equal(s.Extras, o.Extras) &&
		(s.Related == nil) == (o.Related == nil) && (s.Related == nil || s.Related.Key == o.Related.Key)
}

// An extraMade is a feed or search document file as made under a key.
type extraMade struct{ Key, Sum sourceHash }

// A cachedStamp is one content file's stamp and problem, read before the
// rest of the cache to tell a no-op build from the others.
type cachedStamp struct {
	Path  string
	Stamp stamp
	Prob  *content.Problem
}

// A stamp identifies one version of a file without reading it. The zero
// stamp matches nothing.
type stamp struct {
	Size, Mtime, Ctime int64
	Ino, Dev           uint64
}

func (s stamp) valid() bool { return s != stamp{} }

// A cachedSource is one content file as the last build read it.
type cachedSource struct {
	Path  string
	Stamp stamp
	Hash  sourceHash
	Meta  sourceHash
	Slug  string
	Art   *content.Article // without Body; nil when the file is bad or a draft
	Prob  *content.Problem
	Arch  *archived // what package archive made of Art besides what the file says; nil: nothing
}

// archived is what the archive-wide steps (package archive) made of an
// article beyond its file: whether it was left out as a duplicate, and
// what they set on the copy the site published. A build whose only changes
// leave those steps' results as they were takes them from here instead of
// running the steps again (see editFromCache).
type archived struct {
	Left     bool              // left out as a duplicate of another article
	NewTags  bool              // Tags replaces the article's own tags (which tags.yaml maps, or topic tags were added)
	Tags     []content.Tag     // the published tags, when NewTags
	Aliases  []string          // aliases added: the URLs of its duplicates
	Findings []content.Finding // findings added: Read more lines linked or dropped
	SeeAlso  []string          // the source paths of the articles its Read more lines link to
}

// archiveFields returns what package archive made of s's article, which
// the site published as pub (nil: left out), or nil when it published the
// article as parsed.
func archiveFields(s *source, pub *content.Article) *archived {
	if s.art == nil {
		return nil
	}
	if pub == nil {
		return &archived{Left: true}
	}
	tags, aliases, findings := s.art.Tags, s.art.Aliases, s.art.Findings
	if s.normalized {
		tags, aliases, findings = s.parsed.tags, s.parsed.aliases, s.parsed.findings
	}
	var ar archived
	if !slices.Equal(pub.Tags, tags) {
		ar.NewTags, ar.Tags = true, pub.Tags
	}
	// Package archive appends to the article's own lists.
	ar.Aliases = slices.Clip(pub.Aliases[min(len(aliases), len(pub.Aliases)):])
	ar.Findings = slices.Clip(pub.Findings[min(len(findings), len(pub.Findings)):])
	for _, r := range pub.SeeAlso {
		ar.SeeAlso = append(ar.SeeAlso, r.Source)
	}
	if !ar.NewTags && len(ar.Aliases) == 0 && len(ar.Findings) == 0 && len(ar.SeeAlso) == 0 {
		return nil
	}
	return &ar
}

// apply normalizes s's article in place as package archive did before,
// but for its Read more links (SeeAlso), which name other articles and are
// left to the caller. ar may be nil: the article as parsed.
func (ar *archived) apply(s *source) {
	s.asParsed()
	if ar == nil {
		return
	}
	a := s.art
	if ar.NewTags {
		a.Tags = slices.Clip(ar.Tags)
	}
	// Never into the arrays the parsed lists own: asParsed gives them back.
	a.Aliases = append(slices.Clip(a.Aliases), ar.Aliases...)
	a.Findings = append(slices.Clip(a.Findings), ar.Findings...)
}

// A cachedOutput is one file the last build left in the destination.
type cachedOutput struct {
	Path  string
	Key   pageKey    // the page's key; zero for assets
	Sum   sourceHash // of the bytes
	Stamp stamp
	Extra bool // a feed, sitemap or search index file
}

// The cache file is a gob stream: a manifestHeader, then the stamps, the
// outputs, the records of the spare and the destination (two byte
// slices), the sources, the search index's analyses and the related
// stories' lists in chunks of at most cacheChunk, so that neither writing
// nor reading it holds a second copy of a million-article archive in
// memory, and a no-op build reads only the stamps and outputs.
type manifestHeader struct {
	Format           string
	Program          sourceHash
	Root, Dest       string
	World            sourceHash
	Articles, Pages  int
	Notes            []string
	Extras           map[string]extraMade
	Sources, Outputs int
	SearchTerms      int // words in the search analyses' dictionary
	SearchEntries    int
	HasRelated       bool     // the related stories follow
	RelatedKey       [32]byte // site.RelatedIndex.Key
	RelatedLists     int
}

const cacheChunk = 4096

// readManifest reads the cache for dest, or returns nil when there is
// none or it is not for this program, root and destination. It reads the
// stamps and outputs; m.readRest reads the rest.
func readManifest(root, dest string) *manifest {
	f, err := os.Open(cachePath(dest))
	if err != nil {
		return nil
	}
	dec := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	var h manifestHeader
	if err := dec.Decode(&h); err != nil || h.Format != cacheFormat || h.Program != programKey() || h.Root != root || h.Dest != dest {
		f.Close()
		return nil
	}
	m := &manifest{Format: h.Format, Program: h.Program, Root: h.Root, Dest: h.Dest,
		State:  cacheState{World: h.World, Articles: h.Articles, Pages: h.Pages, Notes: h.Notes, Extras: h.Extras},
		Stamps: make([]cachedStamp, 0, h.Sources), Outputs: make([]cachedOutput, 0, h.Outputs)}
	unreadable := func(err error) *manifest {
		slog.Debug("ignoring unreadable build cache", "file", cachePath(dest), "err", err)
		f.Close()
		return nil
	}
	if err := readChunks(dec, &m.Stamps, h.Sources); err != nil {
		return unreadable(err)
	}
	if err := readChunks(dec, &m.Outputs, h.Outputs); err != nil {
		return unreadable(err)
	}
	m.file = f
	m.trees = func() error {
		if err := dec.Decode(&m.spareData); err != nil {
			return err
		}
		if err := dec.Decode(&m.publicTree); err != nil {
			return err
		}
		if len(m.spareData) > 0 {
			t := new(publish.Tree)
			if err := t.UnmarshalBinary(m.spareData); err != nil {
				return err
			}
			m.spareTree = t
		}
		return nil
	}
	m.rest = func() error {
		defer f.Close()
		if err := m.readTrees(); err != nil {
			return err
		}
		m.Sources = make([]cachedSource, 0, h.Sources)
		if err := readChunks(dec, &m.Sources, h.Sources); err != nil {
			return err
		}
		sc := &search.Cache{Terms: make([]string, 0, h.SearchTerms), Entries: make([]search.Entry, 0, h.SearchEntries)}
		if err := readChunks(dec, &sc.Terms, h.SearchTerms); err != nil {
			return err
		}
		if err := readChunks(dec, &sc.Entries, h.SearchEntries); err != nil {
			return err
		}
		m.State.Search = sc
		if h.HasRelated {
			ri := &site.RelatedIndex{Key: h.RelatedKey, Lists: make([][]int32, 0, h.RelatedLists)}
			if err := readChunks(dec, &ri.Lists, h.RelatedLists); err != nil {
				return err
			}
			m.State.Related = ri
		}
		return nil
	}
	return m
}

// readTrees reads the records of the folders beside the destination,
// which follow the outputs.
func (m *manifest) readTrees() error {
	if m.trees == nil {
		return nil
	}
	err := m.trees()
	m.trees = nil
	return err
}

// readRest reads the sources and search analyses, or returns false when
// they cannot be read: the cache is then of no use.
func (m *manifest) readRest() bool {
	if m.rest == nil {
		return true
	}
	err := m.rest()
	m.rest = nil
	if err != nil {
		slog.Debug("ignoring unreadable build cache", "file", cachePath(m.Dest), "err", err)
		return false
	}
	return true
}

// close releases the cache file when readRest was not called.
func (m *manifest) close() {
	if m != nil && m.rest != nil {
		m.rest = nil
		m.file.Close()
	}
}

// readChunks appends n values decoded in chunks to *dst.
func readChunks[T any](dec *gob.Decoder, dst *[]T, n int) error {
	for len(*dst) < n {
		var chunk []T
		if err := dec.Decode(&chunk); err != nil {
			return err
		}
		if len(chunk) == 0 {
			return errors.New("empty chunk")
		}
		*dst = append(*dst, chunk...)
	}
	return nil
}

// writeChunks encodes s in chunks of at most cacheChunk.
func writeChunks[T any](enc *gob.Encoder, s []T) error {
	for i := 0; i < len(s); i += cacheChunk {
		if err := enc.Encode(s[i:min(i+cacheChunk, len(s))]); err != nil {
			return err
		}
	}
	return nil
}

// writeManifest replaces the cache for dest atomically. sources yields the
// content files' entries one chunk at a time; it is called twice. An
// output that st.Extras says was made under a key, with the bytes it has,
// is recorded with that key.
func writeManifest(root, dest string, st *cacheState, nSources int, sources func(yield func([]cachedSource) error) error, outputs []cachedOutput) error {
	p := cachePath(dest)
	// A build killed while writing the cache leaves its temporary file.
	stale, _ := filepath.Glob(p + ".tmp-*")
	for _, f := range stale {
		os.Remove(f)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".tmp-")
	if err != nil {
		return err
	}
	if st == nil {
		st = &cacheState{}
	}
	sc := st.Search
	if sc == nil {
		sc = &search.Cache{}
	}
	extras := map[string]extraMade{}
	for i, o := range outputs {
		if e, ok := st.Extras[o.Path]; ok && o.Extra && e.Sum == o.Sum {
			outputs[i].Key = e.Key
			extras[o.Path] = e
		}
	}
	h := manifestHeader{Format: cacheFormat, Program: programKey(), Root: root, Dest: dest,
		World: st.World, Articles: st.Articles, Pages: st.Pages, Notes: st.Notes, Extras: extras,
		Sources: nSources, Outputs: len(outputs), SearchTerms: len(sc.Terms), SearchEntries: len(sc.Entries)}
	if st.Related != nil {
		h.HasRelated, h.RelatedKey, h.RelatedLists = true, st.Related.Key, len(st.Related.Lists)
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	enc := gob.NewEncoder(w)
	err = enc.Encode(h)
	if err == nil {
		err = sources(func(chunk []cachedSource) error {
			stamps := make([]cachedStamp, len(chunk))
			for i, c := range chunk {
				stamps[i] = cachedStamp{c.Path, c.Stamp, c.Prob}
			}
			return enc.Encode(stamps)
		})
	}
	if err == nil {
		err = writeChunks(enc, outputs)
	}
	if err == nil {
		err = enc.Encode(st.SpareTree)
	}
	if err == nil {
		err = enc.Encode(st.PublicTree)
	}
	if err == nil {
		err = sources(func(chunk []cachedSource) error { return enc.Encode(chunk) })
	}
	if err == nil {
		err = writeChunks(enc, sc.Terms)
	}
	if err == nil {
		err = writeChunks(enc, sc.Entries)
	}
	if err == nil && st.Related != nil {
		err = writeChunks(enc, st.Related.Lists)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing the build cache %s: %w", p, err)
	}
	return nil
}

// removeManifest deletes the cache for dest, before a build changes the
// destination, so that a build killed half way never leaves a cache that
// describes the wrong files.
func removeManifest(dest string) error {
	err := os.Remove(cachePath(dest))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// racyWindow is how recently modified a file may be and still be trusted
// by its stamp: mtimes move in clock ticks, so a file changed twice within
// one tick keeps its mtime.
const racyWindow = time.Second

// stampFile stamps the file at p, or returns the zero stamp when it cannot
// be trusted: unreadable, or modified within racyWindow of now.
func stampFile(p string, now time.Time) stamp {
	fi, err := os.Stat(p)
	if err != nil {
		return stamp{}
	}
	if now.Sub(fi.ModTime()) < racyWindow {
		return stamp{}
	}
	return statStamp(fi)
}
