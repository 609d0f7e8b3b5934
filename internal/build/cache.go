package build

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
	"unsafe"

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
//     and the destination; any other place ignores it, and another program
//     takes from it only what the output files held, for files still as
//     they were (readCache);
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
const cacheFormat = "sitegen build cache 15"

func cachePath(dest string) string { return besideDest(dest, ".sitegen-cache") }

// HasCache reports whether a build of the site at source into dest ("" for
// source/public, as in Options) finds a build cache file beside dest,
// whether or not it turns out readable. The command asks before it builds,
// to ready its memory for a build that starts from the cache.
func HasCache(source, dest string) bool {
	_, err := os.Stat(cachePath(destOf(source, dest)))
	return err == nil
}

// destOf returns Options.Dest as a build uses it: dest, or source/public
// for "".
func destOf(source, dest string) string {
	if dest == "" {
		return filepath.Join(source, "public")
	}
	return dest
}

// besideDest is the path of a file that sitegen keeps beside the
// destination dest: ".public" and suffix, for public/. Such names start
// with a dot, so that a site's folder listing and most tools pass over
// them.
func besideDest(dest, suffix string) string {
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+suffix)
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
	// document file was made and the hash of the bytes made: the cache
	// (cacheWrite.finish) gives an output file the key only when its bytes
	// are those.
	Extras map[string]extraMade
	// Search is the search index's per-article analyses.
	Search *search.Cache
	// Related is every article's related stories, with the key of their
	// inputs, so that a build whose articles have the same source paths,
	// dates and tags (a body or title edit) does not compute them again;
	// nil when the templates show none.
	Related *site.RelatedIndex
	// Content is the walk of content/ that found the sources, for the
	// next build to take if it holds; nil: none.
	Content *contentRecord
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
		(s.Related == nil) == (o.Related == nil) && (s.Related == nil || s.Related.Key == o.Related.Key) &&
		s.Content.same(o.Content)
}

// An extraMade is a feed or search document file as made under a key, and
// the sum of its bytes (sumOutput).
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
	// NoTopics is set when Art may lack its topic candidates: it was read
	// while the archive had no raw text article (see source.noTopics).
	NoTopics bool
	Prob     *content.Problem
	Arch     *archived // what package archive made of Art besides what the file says; nil: nothing
	// Extras are the article's parts of the feeds' and search documents'
	// keys (see extraKeys); zero when it is not published.
	Extras articleExtras

	// For writing: Art as the site holds it, normalized in place, whose
	// fields as parsed are these (see source.asParsed); nil: Art is as parsed.
	parsed *parsedFields
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
	p := new(archived) // not &ar, which would put every article's on the heap
	*p = ar
	return p
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
	Sum   sourceHash // of the bytes: sumOutput
	Stamp stamp
	Extra bool // a feed, sitemap or search index file

	// pos is 1 + the place in the cache it was read from of the record
	// or of the one it was copied from (not written), 0 for one a build
	// made: outputList keeps the cache's order without looking up paths.
	pos int32
}

// The cache file is a sequence of sections (see cachecodec.go for how
// records are written), in the order of their numbers below, then a table
// of their places and a footer that gives the table's place. The sections
// that follow from the sources and the index come first, written while the
// build publishes the site (see cacheWrite); then those that record what
// the destination holds. A no-op build reads the record of content/, the
// stamps, the header and the outputs, which follow each other, and nothing
// else; a build that reads more reads each other section, or run of them,
// with one read.
const (
	secSources       = iota // the rest of each content file's cachedSource, in the order of secStamps
	secSearchTerms          // search.Cache.Terms
	secSearchEntries        // search.Cache.Entries
	secSearchShards         // search.Cache.Shards
	secRelated              // cacheState.Related's lists
	secContent              // cacheState.Content
	secStamps               // cachedStamp, one per content file, by path
	secHeader               // format, program, root and destination, cacheState's small fields, counts
	secOutputs              // cachedOutput, one per output file, by path
	secSpareTree            // cacheState.SpareTree
	secPublicTree           // cacheState.PublicTree
	numSections
)

// cacheFooter ends the file: the table's offset and length, then this.
const cacheFooter = "sgcache\n"

// cacheChunk is how many sources a build hands startCache at a time.
const cacheChunk = 4096

// A manifestHeader is the header section's content.
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
	SearchShards     int // the search index's term shards (search.Cache.Shards)
	SearchShardBytes int // and the options they were made with
	SearchTopK       int
	HasRelated       bool     // the related stories follow
	RelatedKey       [32]byte // site.RelatedIndex.Key
	RelatedLists     int
}

func (cw *cacheWriter) header(h *manifestHeader) {
	cw.str(h.Format)
	cw.hash(h.Program)
	cw.str(h.Root)
	cw.str(h.Dest)
	cw.hash(h.World)
	cw.int(h.Articles)
	cw.int(h.Pages)
	cw.strs(h.Notes)
	cw.uvarint(uint64(len(h.Extras)))
	for _, p := range sortedKeys(h.Extras) {
		cw.str(p)
		cw.hash(h.Extras[p].Key)
		cw.hash(h.Extras[p].Sum)
	}
	cw.int(h.Sources)
	cw.int(h.Outputs)
	cw.int(h.SearchTerms)
	cw.int(h.SearchEntries)
	cw.int(h.SearchShards)
	cw.int(h.SearchShardBytes)
	cw.int(h.SearchTopK)
	cw.bool(h.HasRelated)
	cw.hash([16]byte(h.RelatedKey[:16]))
	cw.hash([16]byte(h.RelatedKey[16:]))
	cw.int(h.RelatedLists)
}

// header reads the header section, up to and including the destination
// when the format is not this one's: the caller then stops.
func (r *cacheReader) header() *manifestHeader {
	h := &manifestHeader{Format: r.str()}
	if h.Format != cacheFormat {
		return h
	}
	h.Program, h.Root, h.Dest, h.World = r.hash(), r.str(), r.str(), r.hash()
	h.Articles, h.Pages, h.Notes = r.int(), r.int(), r.strs()
	n := r.count()
	h.Extras = make(map[string]extraMade, n)
	for range n {
		h.Extras[r.str()] = extraMade{r.hash(), r.hash()}
	}
	h.Sources, h.Outputs, h.SearchTerms, h.SearchEntries = r.int(), r.int(), r.int(), r.int()
	h.SearchShards, h.SearchShardBytes, h.SearchTopK = r.int(), r.int(), r.int()
	h.HasRelated = r.bool()
	k1, k2 := r.hash(), r.hash()
	copy(h.RelatedKey[:16], k1[:])
	copy(h.RelatedKey[16:], k2[:])
	h.RelatedLists = r.int()
	for _, n := range []int{h.Sources, h.Outputs, h.SearchTerms, h.SearchEntries, h.SearchShards, h.SearchShardBytes, h.SearchTopK, h.RelatedLists} {
		if n < 0 || int64(n) > 1<<40 {
			r.fail("a count out of range")
		}
	}
	return h
}

// A cacheFile is an open build cache file and its sections' places.
type cacheFile struct {
	f    *os.File
	data string // the whole file when it is mapped (see fileMaps); else it is read
	off  [numSections]int64
	len  [numSections]int64
}

// openCacheFile opens the cache file at p and reads its table of
// sections. It maps the file into fm, when fm is not nil and maps are
// had here.
func openCacheFile(p string, fm *fileMaps) (*cacheFile, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	cf := &cacheFile{f: f}
	if err := cf.readTable(fm); err != nil {
		f.Close()
		return nil, err
	}
	return cf, nil
}

func (cf *cacheFile) readTable(fm *fileMaps) error {
	fi, err := cf.f.Stat()
	if err != nil {
		return err
	}
	size := fi.Size()
	const footer = int64(16 + len(cacheFooter))
	if size < footer {
		return errors.New("too short")
	}
	cf.data, _ = fm.mapString(cf.f, size)
	tail, err := cf.bytes(size-footer, footer)
	if err != nil {
		return err
	}
	if string(tail[16:]) != cacheFooter {
		return errors.New("no footer")
	}
	at, n := int64(binary.LittleEndian.Uint64(tail)), int64(binary.LittleEndian.Uint64(tail[8:]))
	if at < 0 || n < 0 || n > size || at > size-footer-n {
		return errors.New("the table is out of the file")
	}
	table, err := cf.str(at, n)
	if err != nil {
		return err
	}
	r := newCacheReader(table)
	end := int64(0)
	for i := range numSections {
		cf.off[i], cf.len[i] = int64(r.uvarint()), int64(r.uvarint())
		if cf.off[i] != end || cf.len[i] < 0 || cf.len[i] > at-end {
			r.fail("a section out of place")
			break
		}
		end += cf.len[i]
	}
	return r.end()
}

// sections returns the sections from first to last, which follow each
// other, as one string (one read when the file is not mapped), whose
// parts the records read are.
func (cf *cacheFile) sections(first, last int) (string, error) {
	return cf.str(cf.off[first], cf.off[last]+cf.len[last]-cf.off[first])
}

// str returns the n bytes at off as a string: a part of the mapped file,
// or read into memory.
func (cf *cacheFile) str(off, n int64) (string, error) {
	if cf.data == "" {
		return readSectionString(cf.f, off, n)
	}
	if off < 0 || n < 0 || n > int64(len(cf.data))-off {
		return "", io.ErrUnexpectedEOF
	}
	return cf.data[off : off+n], nil
}

// bytes returns the n bytes at off: a part of the mapped file, which
// must not be written to, or read into memory.
func (cf *cacheFile) bytes(off, n int64) ([]byte, error) {
	if cf.data == "" {
		return readSection(cf.f, off, n)
	}
	s, err := cf.str(off, n)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice(unsafe.StringData(s), len(s)), nil
}

// readManifest reads the cache for dest, or returns nil when there is
// none or it is not for this program, root and destination. It reads the
// stamps and outputs; m.readTrees and m.readRest read the rest.
func readManifest(root, dest string) *manifest {
	m, _ := readCache(root, dest, nil)
	return m
}

// readCache is readManifest that also returns, when the cache is another
// program's (an earlier or later sitegen) for this root and destination,
// the output files it records. Nothing that program keyed, parsed or
// computed is trusted, but what it says a file held is true of the file
// as long as its stamp says it is as that build left it: a build by this
// program links the files whose bytes it makes again instead of writing
// them, and so keeps the previous site as the spare instead of deleting
// it (see siteWriter.write).
func readCache(root, dest string, fm *fileMaps) (*manifest, []cachedOutput) {
	cf, err := openCacheFile(cachePath(dest), fm)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			slog.Debug("ignoring unreadable build cache", "file", cachePath(dest), "err", err)
		}
		return nil, nil
	}
	m, other, err := cf.readManifest(root, dest)
	if err != nil || m == nil {
		if err != nil {
			slog.Debug("ignoring unreadable build cache", "file", cachePath(dest), "err", err)
		}
		cf.f.Close()
		return nil, other
	}
	return m, nil
}

// readManifest reads the manifest, or, when the cache is another
// program's, only the outputs it records (see readCache).
func (cf *cacheFile) readManifest(root, dest string) (m *manifest, otherOutputs []cachedOutput, err error) {
	data, err := cf.sections(secContent, secOutputs)
	if err != nil {
		return nil, nil, err
	}
	at := func(sec int) string { // section sec of data
		start := cf.off[sec] - cf.off[secContent]
		return data[start : start+cf.len[sec]]
	}
	r := newCacheReader(at(secHeader))
	h := r.header()
	if r.err != nil || h.Format != cacheFormat || h.Root != root || h.Dest != dest {
		return nil, nil, nil // another place's, or format's: not an error
	}
	if err := r.end(); err != nil {
		return nil, nil, err
	}
	if int64(h.Sources) > cf.len[secStamps] || int64(h.Outputs) > cf.len[secOutputs] {
		return nil, nil, errors.New("more records than bytes")
	}
	m = &manifest{Format: h.Format, Program: h.Program, Root: h.Root, Dest: h.Dest,
		State: cacheState{World: h.World, Articles: h.Articles, Pages: h.Pages, Notes: h.Notes, Extras: h.Extras}}
	// The outputs on the other core, idle this early, while the stamps
	// are read.
	outputsRead := make(chan error, 1)
	go func() {
		m.Outputs = make([]cachedOutput, h.Outputs)
		r := newCacheReader(at(secOutputs))
		for i := range m.Outputs {
			m.Outputs[i] = r.output()
			m.Outputs[i].pos = int32(i + 1)
		}
		outputsRead <- r.end()
	}()
	m.Stamps = make([]cachedStamp, h.Sources)
	r = newCacheReader(at(secStamps))
	for i := range m.Stamps {
		m.Stamps[i] = cachedStamp{Path: r.str(), Stamp: r.stamp(), Prob: r.problem()}
	}
	err = r.end()
	r = newCacheReader(at(secContent))
	m.State.Content = r.contentRecord()
	if err := errors.Join(err, r.end(), <-outputsRead); err != nil {
		return nil, nil, err
	}
	// Checked last: Run hashes the executable meanwhile (see programKey).
	if h.Program != programKey() {
		return nil, m.Outputs, nil
	}
	m.file = cf.f
	m.trees = func() error {
		data, err := cf.bytes(cf.off[secSpareTree], cf.len[secSpareTree]+cf.len[secPublicTree])
		if err != nil {
			return err
		}
		n := cf.len[secSpareTree]
		m.spareData, m.publicTree = data[:n:n], data[n:]
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
		defer cf.f.Close()
		if err := m.readTrees(); err != nil {
			return err
		}
		return m.readSources(cf, h)
	}
	return m, nil, nil
}

// readSources reads the sources, the search analyses and the related
// stories.
func (m *manifest) readSources(cf *cacheFile, h *manifestHeader) error {
	// The search analyses, read and checked meanwhile on the other core.
	var entries []search.Entry
	var shards []search.Shard
	var searchErr error
	searchRead := make(chan struct{})
	go func() {
		defer close(searchRead)
		var data []byte
		if data, searchErr = cf.bytes(cf.off[secSearchEntries], cf.len[secSearchEntries]); searchErr == nil {
			if entries, searchErr = readEntries(data, h.SearchEntries); searchErr == nil {
				shards, searchErr = cf.readShards(h.SearchShards)
			}
		}
	}()
	defer func() { <-searchRead }() // no goroutine left behind, whatever the return
	data, err := cf.sections(secSources, secSearchTerms)
	if err != nil {
		return err
	}
	r := newCacheReader(data)
	m.Sources = make([]cachedSource, len(m.Stamps))
	arts := make([]content.Article, 0, len(m.Stamps)) // one allocation for them all
	prefault(m.Sources)
	prefault(arts[:cap(arts)])
	for i, st := range m.Stamps {
		c := &m.Sources[i]
		c.Path, c.Stamp, c.Prob = st.Path, st.Stamp, st.Prob
		c.Hash, c.Meta, c.Slug = r.hash(), r.hash(), r.str()
		if r.bool() {
			arts = append(arts, content.Article{})
			c.Art, c.NoTopics = &arts[len(arts)-1], r.bool()
			r.article(c.Art)
		}
		c.Arch = r.archived()
		c.Extras = articleExtras{r.hash(), r.hash(), r.u64()}
		if r.err != nil {
			return r.err
		}
	}
	if r.err == nil && int64(len(r.data)) != cf.len[secSearchTerms] {
		r.fail("the sources do not end where the search terms begin")
	}
	sc := &search.Cache{Terms: make([]string, h.SearchTerms)}
	for i := range sc.Terms {
		sc.Terms[i] = r.str()
	}
	if err := r.end(); err != nil {
		return err
	}
	<-searchRead
	if searchErr != nil {
		return searchErr
	}
	sc.Entries, sc.Shards = entries, shards
	sc.ShardBytes, sc.TopK = h.SearchShardBytes, h.SearchTopK
	m.State.Search = sc
	if h.HasRelated {
		data, err := cf.str(cf.off[secRelated], cf.len[secRelated])
		if err != nil {
			return err
		}
		r := newCacheReader(data)
		ri := &site.RelatedIndex{Key: h.RelatedKey, Lists: make([][]int32, h.RelatedLists)}
		for i := range ri.Lists {
			n := r.count()
			l := make([]int32, n)
			for j := range l {
				v := r.varint()
				if v != int64(int32(v)) {
					r.fail("a site position out of range")
				}
				l[j] = int32(v)
			}
			ri.Lists[i] = l
		}
		if err := r.end(); err != nil {
			return err
		}
		m.State.Related = ri
	}
	return nil
}

// readShards reads the n search shards of the shards section.
func (cf *cacheFile) readShards(n int) ([]search.Shard, error) {
	data, err := cf.str(cf.off[secSearchShards], cf.len[secSearchShards])
	if err != nil {
		return nil, err
	}
	if n > len(data) {
		return nil, errors.New("more search shards than bytes")
	}
	r := newCacheReader(data)
	shards := make([]search.Shard, n)
	for i := range shards {
		shards[i] = r.shard()
	}
	return shards, r.end()
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

// A cacheWrite is a new build cache being written to a temporary file
// beside the old one, in two parts. startCache writes the sections that
// follow from the sources and the index (the sources, the search analyses,
// the related stories, the stamps) on a goroutine of its own, while the
// build stages and swaps the new site in: the sources first, the search
// analyses once searchReady says they are made; finish then adds those
// that record what the destination holds (the header, the outputs, the
// folder records) and renames the file over the old cache. Each part
// streams its sections through one buffer, so that neither holds a second
// copy of a million-article archive in memory.
type cacheWrite struct {
	tmp      *os.File // nil when it could not be made
	cw       *cacheWriter
	table    [numSections][2]int64
	nSources int
	done     chan struct{} // closed when startCache's sections are written
	err      error         // startCache's, read after done
	ended    bool          // finish or abort ran

	ready     chan struct{} // closed by searchReady: st.Search is final
	readyOnce sync.Once
	stop      chan struct{} // closed by abort: the sections after the sources are not written
}

// errCacheAborted ends a cache write given up before the search index was
// made.
var errCacheAborted = errors.New("cache write given up")

// startCache starts writing the cache for dest. sources yields the content
// files' entries one chunk at a time; it is called twice, first for all
// (full true), then for their paths, stamps and problems alone (full
// false), on another goroutine, which reads st's Related and Content at
// once and its Search after searchReady (or finish), but no other field.
// Finish or abort the returned write.
func startCache(dest string, st *cacheState, nSources int, sources func(full bool, yield func([]cachedSource) error) error) *cacheWrite {
	c := &cacheWrite{nSources: nSources, done: make(chan struct{}), ready: make(chan struct{}), stop: make(chan struct{})}
	p := cachePath(dest)
	// A build killed while writing the cache leaves its temporary file.
	stale, _ := filepath.Glob(p + ".tmp-*")
	for _, f := range stale {
		os.Remove(f)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".tmp-")
	if err != nil {
		c.err = err
		close(c.done)
		return c
	}
	c.tmp, c.cw = tmp, &cacheWriter{w: bufio.NewWriterSize(tmp, 1<<20)}
	related, walk := st.Related, st.Content
	go func() {
		defer close(c.done)
		c.err = c.writeSources(st, related, walk, sources)
	}()
	return c
}

// searchReady tells the write that st.Search is final: the search
// analyses' sections follow the sources'.
func (c *cacheWrite) searchReady() {
	if c != nil {
		c.readyOnce.Do(func() { close(c.ready) })
	}
}

// section writes section i with write and notes its place in the table.
func (c *cacheWrite) section(i int, write func()) {
	cw := c.cw
	cw.flush()
	start := cw.n
	write()
	cw.flush()
	c.table[i] = [2]int64{start, cw.n - start}
}

// writeSources writes the sections that come first in the file.
func (c *cacheWrite) writeSources(st *cacheState, related *site.RelatedIndex, walk *contentRecord, sources func(full bool, yield func([]cachedSource) error) error) error {
	cw := c.cw
	var serr error
	c.section(secSources, func() {
		serr = sources(true, func(chunk []cachedSource) error {
			for _, c := range chunk {
				cw.hash(c.Hash)
				cw.hash(c.Meta)
				cw.str(c.Slug)
				cw.bool(c.Art != nil)
				if c.Art != nil {
					cw.bool(c.NoTopics)
					cw.article(c.Art, c.Slug, c.parsed)
				}
				cw.archived(c.Arch)
				cw.hash(c.Extras.full)
				cw.hash(c.Extras.analysis)
				cw.u64(c.Extras.url)
			}
			return cw.err
		})
	})
	select {
	case <-c.ready:
	case <-c.stop:
		return errCacheAborted
	}
	sc := st.Search
	if sc == nil {
		sc = &search.Cache{}
	}
	c.section(secSearchTerms, func() {
		for _, t := range sc.Terms {
			cw.str(t)
		}
	})
	c.section(secSearchEntries, func() {
		for i := range sc.Entries {
			cw.entry(&sc.Entries[i])
		}
	})
	c.section(secSearchShards, func() {
		for i := range sc.Shards {
			cw.shard(&sc.Shards[i])
		}
	})
	c.section(secRelated, func() {
		if related != nil {
			for _, l := range related.Lists {
				cw.uvarint(uint64(len(l)))
				for _, v := range l {
					cw.varint(int64(v))
				}
			}
		}
	})
	c.section(secContent, func() { cw.contentRecord(walk) })
	c.section(secStamps, func() {
		if serr != nil {
			return
		}
		serr = sources(false, func(chunk []cachedSource) error {
			for _, c := range chunk {
				cw.str(c.Path)
				cw.stamp(c.Stamp)
				cw.problem(c.Prob)
			}
			return cw.err
		})
	})
	return errors.Join(serr, cw.err)
}

// finish waits for startCache's sections, writes the rest and replaces the
// cache for dest with the new one. An output that st.Extras says was made
// under a key, with the bytes it has, is recorded with that key.
func (c *cacheWrite) finish(root, dest string, st *cacheState, outputs []*cachedOutput) error {
	c.searchReady()
	<-c.done
	c.ended = true
	err := c.err
	if err == nil {
		err = c.writeRest(root, dest, st, outputs)
	}
	if c.tmp != nil {
		if cerr := c.tmp.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(c.tmp.Name(), cachePath(dest))
		}
		if err != nil {
			os.Remove(c.tmp.Name())
		}
	}
	if err != nil {
		return fmt.Errorf("writing the build cache %s: %w", cachePath(dest), err)
	}
	return nil
}

// abort deletes the temporary file of a write not finished.
func (c *cacheWrite) abort() {
	if c == nil || c.ended {
		return
	}
	close(c.stop)
	<-c.done
	c.ended = true
	if c.tmp != nil {
		c.tmp.Close()
		os.Remove(c.tmp.Name())
	}
}

func (c *cacheWrite) writeRest(root, dest string, st *cacheState, outputs []*cachedOutput) error {
	sc := st.Search
	if sc == nil {
		sc = &search.Cache{}
	}
	extras := map[string]extraMade{}
	for _, o := range outputs {
		if e, ok := st.Extras[o.Path]; ok && o.Extra && e.Sum == o.Sum {
			extras[o.Path] = e
		}
	}
	h := manifestHeader{Format: cacheFormat, Program: programKey(), Root: root, Dest: dest,
		World: st.World, Articles: st.Articles, Pages: st.Pages, Notes: st.Notes, Extras: extras,
		Sources: c.nSources, Outputs: len(outputs), SearchTerms: len(sc.Terms), SearchEntries: len(sc.Entries),
		SearchShards: len(sc.Shards), SearchShardBytes: sc.ShardBytes, SearchTopK: sc.TopK}
	if st.Related != nil {
		h.HasRelated, h.RelatedKey, h.RelatedLists = true, st.Related.Key, len(st.Related.Lists)
	}
	cw := c.cw
	c.section(secHeader, func() { cw.header(&h) })
	c.section(secOutputs, func() {
		for _, o := range outputs {
			if e, ok := extras[o.Path]; ok && o.Key != e.Key {
				// Recorded under the key it was made with; the build's
				// own record is left as it is.
				c := *o
				c.Key = e.Key
				o = &c
			}
			cw.output(o)
		}
	})
	c.section(secSpareTree, func() { cw.raw(st.SpareTree) })
	c.section(secPublicTree, func() { cw.raw(st.PublicTree) })
	tableAt := cw.n
	for _, t := range c.table {
		cw.uvarint(uint64(t[0]))
		cw.uvarint(uint64(t[1]))
	}
	cw.flush()
	cw.buf = binary.LittleEndian.AppendUint64(cw.buf, uint64(tableAt))
	cw.buf = binary.LittleEndian.AppendUint64(cw.buf, uint64(cw.n-tableAt))
	cw.buf = append(cw.buf, cacheFooter...)
	cw.flush()
	if cw.err != nil {
		return cw.err
	}
	return cw.w.Flush()
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

// stampAt is stampFile for the file at rel under the folder fs stamps.
func stampAt(fs *folderStat, rel string, now time.Time) stamp {
	st, _, err := fs.stamp(rel, true)
	if err != nil || now.Sub(time.Unix(0, st.Mtime)) < racyWindow {
		return stamp{}
	}
	return st
}

// outputIntact reports whether the output file at rel under the folder fs
// stamps is a regular file with the stamp want (see outputStamp).
func outputIntact(fs *folderStat, rel string, want stamp) bool {
	st, regular, err := fs.stamp(rel, false)
	st.Ctime = 0
	return err == nil && regular && want.valid() && st == want
}
