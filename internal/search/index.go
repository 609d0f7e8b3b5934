package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/sitegen/sitegen/internal/content"
)

// Field weights for ranking (BM25F): a word in the title says more about
// an article than the same word deep in its body.
const (
	titleWeight   = 3
	tagWeight     = 2
	summaryWeight = 1.5
	bodyWeight    = 1

	bm25K1 = 1.2
	bm25B  = 0.75
)

// Defaults for Options.
const (
	DefaultShardBytes = 16 << 10 // target size of one term shard
	DefaultTopK       = 1000     // impacts kept for a frequent term
)

// maxPostings bounds the postings the index inverts at once: 64 MB, or
// more on an archive whose postings would otherwise take more than
// maxInvertPasses passes over every entry (see shardWriter.limit).
// Variables for tests.
var (
	maxPostings     = 8 << 20
	maxInvertPasses = 8
)

// maxDocText bounds the body text stored per article for snippets. Longer
// bodies are indexed in full but snippets come from their first part.
const maxDocText = 8000

// Options tune the index. The zero value uses the defaults.
type Options struct {
	BasePath   string // prefix of article URLs: the path of baseURL, "/" or "/archive/"
	ShardBytes int    // a term shard is closed once it reaches this size
	TopK       int    // terms in more articles than this keep only the TopK best impacts

	// Body returns an article's body HTML, for builds that keep bodies
	// out of memory; nil means the article's Body field. It is called
	// from several goroutines at once.
	Body func(*content.Article) (string, error)

	// Keep, when not nil, is offered each term shard of the previous
	// index (the one whose Cache Index is given) that would be made again
	// with the same bytes under the same name: it returns true when it
	// keeps the file the previous index emitted, which is then not
	// emitted, and false when it cannot (the file is gone or changed),
	// and the shard is made and emitted.
	Keep func(name string) bool

	// PrevDocFile, when not nil, returns a document file of the previous
	// index (the one whose Cache Index is given), name as DocFile gives
	// it, with the bytes that index emitted, or nil when it cannot (the
	// file is gone or changed). A document file made again takes each of
	// its documents whose analysis comes from the Cache from the
	// previous index's file, renumbered, instead of reading its body:
	// an article added, deleted or moved in date order renumbers every
	// document after it, and their files are made again without reading
	// any of their bodies. It is called from several goroutines at once.
	PrevDocFile func(name string) []byte

	// PrevShard, when not nil, returns a term shard of the previous
	// index, name as the index emitted it, with the bytes that index
	// emitted, or nil when it cannot. When the documents are the previous
	// index's with one moved in date order (a date edit), the shards are
	// made from the previous ones, renumbered, instead of from every
	// document's terms (see writeRenumbered). It is called from several
	// goroutines at once.
	PrevShard func(name string) []byte
}

// Stats say what Write produced, in bytes as written (uncompressed).
type Stats struct {
	Docs           int   // articles indexed
	Analyzed       int   // articles analyzed, not taken from the Cache
	Terms          int   // distinct terms, tag filters included
	Shards         int   // term shard files
	KeptShards     int   // of those, the previous index's kept as they were (Options.Keep)
	ManifestBytes  int   // index.json, which every query loads first
	ShardBytes     int64 // all term shards together
	MaxShard       int   // the largest term shard
	DocFiles       int   // document files (groups of DocsPerFile articles) made
	CopiedDocs     int   // documents of those files taken from the previous index's (Options.PrevDocFile)
	DocBytes       int64 // the document files made, together
	InvertPasses   int   // passes over every entry to gather the postings of the shards made
	Renumbered     int   // term shards made from the previous index's, renumbered (Options.PrevShard)
	RenumberedTies int   // of their frequent terms, those whose moved document tied at the cut (see renumberTop)
}

// Files returns the number of files Write emitted.
func (s Stats) Files() int { return 1 + s.Shards + s.DocFiles }

// Names of the index's files, relative to the search page's folder.
const (
	ManifestFile = "index.json"
	shardDir     = "t/"
	docDir       = "d/"
)

// DocsPerFile is how many articles share one document file: documents
// id/DocsPerFile*DocsPerFile up to the next multiple, numbered oldest
// first. A cold build writes one file per 64 articles instead of one per
// article, and a query still fetches only the documents it shows, by byte
// range.
const DocsPerFile = 64

// shardFile and docFile name the files a query fetches; search.js builds
// the same names.
func shardFile(i int) string { return shardDir + strconv.Itoa(i) + ".bin" }
func docFile(id int) string  { return docDir + strconv.Itoa(id/DocsPerFile) + ".bin" }

// tagTerm is the index term that filters by a tag. Tokens never contain
// '#', so it cannot collide with a word.
func tagTerm(slug string) string { return "#" + slug }

// Write indexes arts, which must be in date order, oldest first (see
// Index), and passes each file of the index to emit with its name relative
// to the search page's folder. emit is called from several goroutines at
// once, and must not keep data once it returns (the index reuses it):
// it writes it out or copies it.
func Write(ctx context.Context, arts []*content.Article, opt Options, emit func(name string, data []byte) error) (Stats, error) {
	docs := make([]Doc, len(arts))
	for i, a := range arts {
		docs[i] = Doc{Article: a, File: true}
	}
	st, _, err := Index(ctx, docs, opt, nil, emit)
	return st, err
}

// A Doc is one article to index.
type Doc struct {
	Article *content.Article
	// Key is the caller's hash of everything the index reads of the
	// article but its place: its body, title, summary, tags (names and
	// slugs), URL and date, and Options.BasePath. An article whose Key
	// is in the Cache is not analyzed again; the zero Key is never
	// looked up.
	Key [16]byte
	// File says to make the document file that holds the article
	// (DocFile). A file holds DocsPerFile articles and is made when any
	// of them has File set; then all their bodies are read. An article
	// whose file is not made needs its body only when it is not in the
	// Cache.
	File bool
}

// A Cache holds the analyses of the articles of an index, so that an
// index made again analyzes only the articles that changed. It is plain
// data, for the caller to keep (the build keeps it in its cache file).
type Cache struct {
	Terms   []string // the dictionary: an Entry's terms are indexes into it
	Entries []Entry

	// The term shards of the index made with these entries, and the
	// options they were made with, so that an index made again keeps
	// those an edit cannot have changed (see Options.Keep).
	Shards           []Shard
	ShardBytes, TopK int
}

// An Entry is one article's analysis.
type Entry struct {
	Key    [16]byte // Doc.Key
	Terms  []byte   // uvarint pairs (gap from the previous term index, 2 × weighted frequency), by term index
	Length float32  // weighted length
	Sum    uint64   // hash of what its result shows but its text (see docSum)
}

// DocFile is the name of the file that holds document id, relative to
// the search page's folder; documents id/DocsPerFile*DocsPerFile up to the
// next multiple of DocsPerFile share it.
func DocFile(id int) string { return docFile(id) }

// Index indexes docs like Write, taking the analyses of the articles whose
// Key is in cache (which may be nil) from there, and returns the cache for
// the next index: the analyses of docs. Only the document files that hold
// a doc with File set are emitted; the term shards and the manifest always
// are. emit is called as Write calls it, and must not keep data either.
//
// docs must be in date order, oldest first: a document's number is its
// place in docs, a year is then a contiguous range of numbers, and an
// article added to an archive, usually its newest, takes the next number
// and changes no other document's, so only the last document file is made
// again.
func Index(ctx context.Context, docs []Doc, opt Options, cache *Cache, emit func(name string, data []byte) error) (Stats, *Cache, error) {
	if opt.BasePath == "" {
		opt.BasePath = "/"
	}
	if opt.ShardBytes <= 0 {
		opt.ShardBytes = DefaultShardBytes
	}
	if opt.TopK <= 0 {
		opt.TopK = DefaultTopK
	}
	if opt.Body == nil {
		opt.Body = func(a *content.Article) (string, error) { return string(a.Body), nil }
	}
	ix := &indexer{opt: opt, n: len(docs), dict: &dictionary{ids: map[string]uint32{}}, prev: cache}
	ix.useCache(cache)
	if err := ix.addAll(ctx, docs, emit); err != nil {
		return ix.stats, nil, err
	}
	if err := ix.writeShards(ctx, emit); err != nil {
		return ix.stats, nil, err
	}
	arts := make([]*content.Article, len(docs))
	for i, d := range docs {
		arts[i] = d.Article
	}
	if err := ix.writeManifest(arts, emit); err != nil {
		return ix.stats, nil, err
	}
	return ix.stats, ix.cache(), nil
}

// A posting is one article's weighted term frequency for one term.
type posting struct {
	doc uint32
	tf  float32
}

type indexer struct {
	opt      Options
	n        int // documents
	dict     *dictionary
	cached   map[[16]byte]int // the previous index's document number of each Entry.Key
	entries  []Entry          // by document
	docLen   []float32        // weighted length of each document
	stats    Stats
	df       []int32  // documents of each term, by id
	shards   []Shard  // the term shards made or kept
	shardSep []string // first term (shortened) of each shard
	docSums  []uint64 // hash of what each document shows; see docSum
	version  uint64   // hash of all shards and what documents show, so browsers do not mix builds
	prev     *Cache   // the previous index's, or nil
}

// useCache takes the dictionary and analyses of a previous index.
func (ix *indexer) useCache(c *Cache) {
	if c == nil {
		return
	}
	ix.dict.terms = c.Terms
	for i, t := range c.Terms {
		ix.dict.ids[t] = uint32(i)
	}
	ix.cached = make(map[[16]byte]int, len(c.Entries))
	for i, e := range c.Entries {
		if e.Key != ([16]byte{}) {
			ix.cached[e.Key] = i
		}
	}
}

// validEntry reports whether terms decodes to term indexes below n.
func validEntry(terms []byte, n int) bool {
	id, i := uint64(0), 0
	for ; i < len(terms); i++ {
		gap := uint64(terms[i])
		if gap >= 0x80 {
			v, k := binary.Uvarint(terms[i:])
			if k <= 0 {
				return false
			}
			gap, i = v, i+k-1
		}
		if id += gap; id >= uint64(n) {
			return false
		}
		// The frequency.
		if i++; i == len(terms) {
			return false
		}
		if terms[i] >= 0x80 {
			_, k := binary.Uvarint(terms[i:])
			if k <= 0 {
				return false
			}
			i += k - 1
		}
	}
	return true
}

// pairs yields each term index and 2 × weighted frequency of an entry
// (see Entry), and stops early at the first malformed pair. The
// one-byte values that most gaps and frequencies are take a fast path:
// every build reads every entry once or twice.
func pairs(terms []byte) iter.Seq2[uint32, uint32] {
	return func(yield func(uint32, uint32) bool) {
		id := uint32(0)
		for i := 0; i < len(terms); {
			gap := uint64(terms[i])
			if gap < 0x80 {
				i++
			} else {
				v, k := binary.Uvarint(terms[i:])
				if k <= 0 {
					return
				}
				gap, i = v, i+k
			}
			if i == len(terms) {
				return
			}
			tf2 := uint64(terms[i])
			if tf2 < 0x80 {
				i++
			} else {
				v, k := binary.Uvarint(terms[i:])
				if k <= 0 {
					return
				}
				tf2, i = v, i+k
			}
			id += uint32(gap)
			if !yield(id, uint32(tf2)) {
				return
			}
		}
	}
}

// addAll analyzes the articles not in the cache on all cores and makes the
// document files asked for. It goes in batches of whole document files, so
// that each worker makes whole files and reads only the bodies of one
// batch at a time.
func (ix *indexer) addAll(ctx context.Context, docs []Doc, emit func(string, []byte) error) error {
	const batch = 32 * DocsPerFile
	ix.docLen = make([]float32, len(docs))
	ix.entries = make([]Entry, len(docs))
	ix.docSums = make([]uint64, len(docs))
	fresh := make([]bool, batch)            // analyzed now, not taken from the cache
	copied := make([]bool, batch)           // document copied from the previous index's file
	sizes := make([]int, batch/DocsPerFile) // of each file made in the batch; -1: not made
	bufs := make([]bytes.Buffer, runtime.GOMAXPROCS(0))
	ans := make([]*analyzer, len(bufs))
	prevs := make([]prevDocs, len(bufs))
	for w := range ans {
		ans[w] = newAnalyzer(ix.dict)
	}
	for lo := 0; lo < len(docs); lo += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(lo+batch, len(docs))
		var wg sync.WaitGroup
		errs := make([]error, len(bufs))
		for w := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for f := lo + w*DocsPerFile; f < hi && errs[w] == nil; f += len(errs) * DocsPerFile {
					end := min(f+DocsPerFile, hi)
					sizes[(f-lo)/DocsPerFile], errs[w] = ix.addFile(f, docs[f:end], fresh[f-lo:end-lo], copied[f-lo:end-lo], ans[w], &prevs[w], &bufs[w], emit)
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return err
			}
		}
		for i := lo; i < hi; i++ {
			if fresh[i-lo] {
				ix.stats.Analyzed++
				fresh[i-lo] = false
			}
			if copied[i-lo] {
				ix.stats.CopiedDocs++
				copied[i-lo] = false
			}
			ix.docLen[i] = ix.entries[i].Length
			ix.docSums[i] = ix.entries[i].Sum
		}
		for _, n := range sizes[:(hi-lo+DocsPerFile-1)/DocsPerFile] {
			if n >= 0 {
				ix.stats.DocFiles++
				ix.stats.DocBytes += int64(n)
			}
		}
	}
	ix.stats.Docs = len(docs)
	ix.df = make([]int32, len(ix.dict.terms))
	for _, an := range ans {
		for id, n := range an.df {
			ix.df[id] += n
		}
	}
	return nil
}

// addFile analyzes the documents of one document file, first to
// first+len(docs)-1, that the cache does not have, and makes the file
// when any of them asks for it. It returns the file's size, or -1 when it
// was not made. copied reports the documents taken from the previous
// index's files (see Options.PrevDocFile), prev is the worker's reader of
// those.
//
// A document file is a header of len(docs) little-endian uint32s, the
// offset in the file where each document ends, then the documents, each a
// JSON object and a newline; the first starts right after the header.
func (ix *indexer) addFile(first int, docs []Doc, fresh, copied []bool, an *analyzer, prev *prevDocs, buf *bytes.Buffer, emit func(string, []byte) error) (int, error) {
	made := slices.ContainsFunc(docs, func(d Doc) bool { return d.File })
	buf.Reset()
	if made {
		buf.Write(make([]byte, 4*len(docs)))
	}
	for j, d := range docs {
		text, was, err := ix.analyzeDoc(first+j, d, made, an, prev, &fresh[j])
		if err != nil {
			return 0, err
		}
		if made {
			if was != nil {
				appendRenumbered(buf, first+j, was)
				copied[j] = true
			} else {
				ix.appendDoc(buf, first+j, d.Article, text)
			}
			binary.LittleEndian.PutUint32(buf.Bytes()[4*j:], uint32(buf.Len()))
		}
	}
	if !made {
		return -1, nil
	}
	// Every document file may be held until the build writes it: make it
	// exactly as long as it is.
	data := bytes.Clone(buf.Bytes())
	return len(data), emit(docFile(first), data)
}

// analyzeDoc puts document i's entry in ix.entries[i], from the cache if
// it has a sound one, else analyzing it and reporting so in fresh. When
// its document file is made (file), it returns the document as the
// previous index's file holds it (see prevDocs.doc) when the entry came
// from the cache and that file is at hand, else its body text; it returns
// the body text too when the analysis needs it.
func (ix *indexer) analyzeDoc(i int, d Doc, file bool, an *analyzer, prev *prevDocs, fresh *bool) (text, was []byte, err error) {
	old, cached := ix.cached[d.Key]
	cached = cached && d.Key != [16]byte{} && an.take(&ix.prev.Entries[old], len(ix.prev.Terms))
	if cached {
		ix.entries[i] = ix.prev.Entries[old]
		if !file {
			return nil, nil, nil
		}
		if was := prev.doc(ix, old); was != nil {
			return nil, was, nil
		}
	}
	body, err := ix.opt.Body(d.Article)
	if err != nil {
		return nil, nil, fmt.Errorf("reading the body of %s: %w", d.Article.Source, err)
	}
	an.text = appendPlainText(an.text[:0], body)
	if !cached {
		ix.entries[i], *fresh = an.analyze(d.Key, d.Article, an.text), true
		ix.entries[i].Sum = ix.docSum(d.Article)
	}
	return an.text, nil, nil
}

// A prevDocs reads one worker's documents from the previous index's
// document files (Options.PrevDocFile), keeping the last two files read:
// the documents of a file made again come, renumbered by an article
// added, deleted or moved before them, from one or two files.
type prevDocs struct {
	file [2]int      // the file numbers held, +1 (0: none)
	docs [2][][]byte // their documents, each from its opening brace to its newline
	next int         // the slot to fill next
}

// doc returns document id of the previous index from its file, without
// its number: what follows `{"n":id` in its JSON, up to and including its
// newline. It returns nil when the file is not at hand or not a document
// file of DocsPerFile documents (or fewer, the last) whose document id
// carries that number.
func (p *prevDocs) doc(ix *indexer, id int) []byte {
	if ix.opt.PrevDocFile == nil {
		return nil
	}
	f := id / DocsPerFile
	k := slices.Index(p.file[:], f+1)
	if k < 0 {
		k, p.next = p.next, 1-p.next
		p.file[k] = f + 1
		n := min(DocsPerFile, len(ix.prev.Entries)-f*DocsPerFile)
		p.docs[k] = splitDocFile(ix.opt.PrevDocFile(docFile(id)), n)
	}
	docs := p.docs[k]
	if docs == nil {
		return nil
	}
	d := docs[id%DocsPerFile]
	var prefix [32]byte
	open := appendDocOpening(prefix[:0], id)
	if !bytes.HasPrefix(d, open) || len(d) == len(open) || d[len(open)] != ',' {
		return nil
	}
	return d[len(open):]
}

// splitDocFile returns the n documents of a document file (see addFile),
// or nil when data is not one: a header of n ascending end offsets, the
// last at the end of data, and documents that open with a brace and end
// with a newline.
func splitDocFile(data []byte, n int) [][]byte {
	if n <= 0 || len(data) < 4*n {
		return nil
	}
	docs := make([][]byte, n)
	start := 4 * n
	for i := range docs {
		end := int(binary.LittleEndian.Uint32(data[4*i:]))
		if end < start+2 || end > len(data) || data[start] != '{' || data[end-1] != '\n' {
			return nil
		}
		docs[i], start = data[start:end], end
	}
	if start != len(data) {
		return nil
	}
	return docs
}

// appendRenumbered appends document id to buf as the previous index's
// document was, which rest holds without its number (prevDocs.doc).
func appendRenumbered(buf *bytes.Buffer, id int, rest []byte) {
	var open [32]byte
	buf.Write(appendDocOpening(open[:0], id))
	buf.Write(rest)
}

// appendDocOpening appends what document id's JSON opens with, up to its
// number: `{"n":id`, as appendDoc's encoding writes it.
func appendDocOpening(dst []byte, id int) []byte {
	return strconv.AppendInt(append(dst, `{"n":`...), int64(id), 10)
}

// docSum hashes what document d's file shows of it but its text, for the
// manifest's version. The version is made of the bytes an index holds, so
// it cannot hash the text of files not made again; an edit of the text
// alone nearly always changes the shards too, and search.js checks every
// document it reads (its number, "n") and reads its file afresh if a kept
// header and newer bytes do not match.
func (ix *indexer) docSum(a *content.Article) uint64 {
	// FNV-64a, as hash/fnv makes it, without a copy of each string: every
	// build sums every document.
	h := uint64(fnvOffset)
	str := func(s string) {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * fnvPrime
		}
	}
	str(ix.opt.BasePath) // the URL: ix.url(a)
	str(strings.TrimPrefix(a.URLPath(), "/"))
	str("\x00")
	var date [16]byte
	for _, c := range a.Date.AppendFormat(date[:0], "2006-01-02") {
		h = (h ^ uint64(c)) * fnvPrime
	}
	str("\x00")
	str(a.Title)
	str("\x00")
	str(a.Summary)
	str("\x00")
	for _, t := range a.Tags {
		str(t.Name)
		str("\x00")
	}
	return h
}

// The FNV-64a hash's constants.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// url is the link of an article's result.
func (ix *indexer) url(a *content.Article) string {
	return ix.opt.BasePath + strings.TrimPrefix(a.URLPath(), "/")
}

// cache returns the analyses of this index for the next one. The
// dictionary keeps the words of articles since deleted or changed until
// they are more than half of it; then it is rebuilt with only the words
// in use.
func (ix *indexer) cache() *Cache {
	c := &Cache{Terms: ix.dict.terms, Entries: ix.entries, Shards: ix.shards, ShardBytes: ix.opt.ShardBytes, TopK: ix.opt.TopK}
	if len(ix.dict.terms) <= 2*ix.stats.Terms+1024 {
		return c
	}
	remap := make([]uint32, len(ix.dict.terms))
	var terms []string
	for id, df := range ix.df { // the terms in use
		if df > 0 {
			remap[id] = uint32(len(terms))
			terms = append(terms, ix.dict.terms[id])
		}
	}
	entries := make([]Entry, len(ix.entries))
	for i, e := range ix.entries {
		buf := make([]byte, 0, len(e.Terms))
		prev := uint32(0)
		for id, tf2 := range pairs(e.Terms) {
			id = remap[id]
			buf = binary.AppendUvarint(buf, uint64(id-prev))
			buf = binary.AppendUvarint(buf, uint64(tf2))
			prev = id
		}
		entries[i] = Entry{Key: e.Key, Terms: buf, Length: e.Length, Sum: e.Sum}
	}
	c.Terms, c.Entries = terms, entries
	return c
}

// docJSON is an article's document file: what a result shows.
type docJSON struct {
	ID      int      `json:"n"` // document number, which search.js checks
	URL     string   `json:"u"`
	Title   string   `json:"t"`
	Date    string   `json:"d"` // YYYY-MM-DD, in the site's time zone
	Tags    []string `json:"g,omitempty"`
	Summary string   `json:"s,omitempty"`
	Text    string   `json:"b"` // body text, one line per paragraph, for snippets
}

// appendDoc appends an article's document, what its result shows, to
// buf: a JSON object and a newline.
func (ix *indexer) appendDoc(buf *bytes.Buffer, id int, a *content.Article, text []byte) {
	d := docJSON{ID: id, URL: ix.url(a), Title: a.Title, Date: a.Date.Format("2006-01-02"),
		Summary: a.Summary, Text: truncate(text, maxDocText)}
	for _, t := range a.Tags {
		d.Tags = append(d.Tags, t.Name)
	}
	json.NewEncoder(buf).Encode(d) // cannot fail: strings only; like json.Marshal, then a newline
}

// truncate cuts s to at most n bytes at a word boundary.
func truncate(s []byte, n int) string {
	if len(s) <= n {
		return string(s)
	}
	if i := bytes.LastIndexAny(s[:n], " \n"); i > 0 {
		return string(s[:i])
	}
	return string(bytes.ToValidUTF8(s[:n], nil))
}

// separator returns the shortest prefix of next that sorts after prev: the
// key the manifest gives a shard starting at next.
func separator(prev, next string) string {
	if prev == "" {
		return ""
	}
	for i := range next {
		if i > 0 && next[:i] > prev {
			return next[:i]
		}
	}
	return next
}

// manifest is index.json, the one file every query loads first.
type manifest struct {
	Format  int      `json:"format"`  // 2; bumped when the layout changes
	Version string   `json:"version"` // hash of the shards and documents; search.js adds it to their URLs
	Docs    int      `json:"docs"`
	PerFile int      `json:"perFile"` // documents per document file: DocsPerFile
	Shards  []string `json:"shards"`  // shard i holds the terms from Shards[i] up to Shards[i+1]
	Years   [][3]int `json:"years"`   // [year, first document, last document + 1]
}

func (ix *indexer) writeManifest(arts []*content.Article, emit func(string, []byte) error) error {
	m := manifest{Format: 2, Version: strconv.FormatUint(ix.version, 36), Docs: ix.n, PerFile: DocsPerFile,
		Shards: ix.shardSep, Years: [][3]int{}}
	if m.Shards == nil {
		m.Shards = []string{}
	}
	for i, a := range arts {
		y := a.Date.Year()
		if n := len(m.Years); n > 0 && m.Years[n-1][0] == y {
			m.Years[n-1][2] = i + 1
			continue
		}
		m.Years = append(m.Years, [3]int{y, i, i + 1})
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("search manifest: %w", err)
	}
	data = append(data, '\n')
	ix.stats.ManifestBytes = len(data)
	return emit(ManifestFile, data)
}

// idf is BM25's inverse document frequency.
func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}
