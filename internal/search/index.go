package search

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
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
}

// Stats say what Write produced, in bytes as written (uncompressed).
type Stats struct {
	Docs          int   // articles indexed
	Terms         int   // distinct terms, tag filters included
	Shards        int   // term shard files
	ManifestBytes int   // index.json, which every query loads first
	ShardBytes    int64 // all term shards together
	MaxShard      int   // the largest term shard
	DocBytes      int64 // all document files together
}

// Files returns the number of files Write emitted.
func (s Stats) Files() int { return 1 + s.Shards + s.Docs }

// Names of the index's files, relative to the search page's folder.
const (
	ManifestFile = "index.json"
	shardDir     = "t/"
	docDir       = "d/"
)

// shardFile and docFile name the files a query fetches; search.js builds
// the same names.
func shardFile(i int) string { return shardDir + strconv.Itoa(i) + ".bin" }
func docFile(id int) string  { return docDir + strconv.Itoa(id/1000) + "/" + strconv.Itoa(id) + ".json" }

// tagTerm is the index term that filters by a tag. Tokens never contain
// '#', so it cannot collide with a word.
func tagTerm(slug string) string { return "#" + slug }

// Write indexes arts, which must be in site order (newest first: a year is
// then a contiguous range of document numbers), and passes each file of the
// index to emit with its name relative to the search page's folder. emit
// is called from several goroutines at once.
func Write(ctx context.Context, arts []*content.Article, opt Options, emit func(name string, data []byte) error) (Stats, error) {
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
	ix := &indexer{opt: opt, n: len(arts), terms: map[string][]posting{}}
	if err := ix.addAll(ctx, arts, emit); err != nil {
		return ix.stats, err
	}
	if err := ix.writeShards(ctx, emit); err != nil {
		return ix.stats, err
	}
	return ix.stats, ix.writeManifest(arts, emit)
}

// A posting is one article's weighted term frequency for one term.
type posting struct {
	doc uint32
	tf  float32
}

type indexer struct {
	opt      Options
	n        int                  // documents
	terms    map[string][]posting // postings in document order
	docLen   []float32            // weighted length of each document
	stats    Stats
	shardSep []string // first term (shortened) of each shard
	version  uint64   // hash of all shards, so browsers do not mix builds
}

// analyzed is one article, tokenized, with its document file.
type analyzed struct {
	tf     map[string]float32
	length float32
	file   []byte
}

// addAll tokenizes the articles on all cores, in batches so that memory
// holds the postings and only one batch of per-article term maps.
func (ix *indexer) addAll(ctx context.Context, arts []*content.Article, emit func(string, []byte) error) error {
	const batch = 2048
	ix.docLen = make([]float32, len(arts))
	out := make([]analyzed, batch)
	for lo := 0; lo < len(arts); lo += batch {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := min(lo+batch, len(arts))
		var wg sync.WaitGroup
		errs := make([]error, runtime.GOMAXPROCS(0))
		for w := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := lo + w; i < hi && errs[w] == nil; i += len(errs) {
					body, err := ix.opt.Body(arts[i])
					if err != nil {
						errs[w] = fmt.Errorf("reading the body of %s: %w", arts[i].Source, err)
						break
					}
					out[i-lo] = ix.analyze(arts[i], body)
					errs[w] = emit(docFile(i), out[i-lo].file)
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
			a := &out[i-lo]
			ix.docLen[i] = a.length
			ix.stats.DocBytes += int64(len(a.file))
			for t, tf := range a.tf {
				ps, ok := ix.terms[t]
				if !ok {
					t = strings.Clone(t) // t points into the article's text
				}
				ix.terms[t] = append(ps, posting{uint32(i), tf})
			}
			*a = analyzed{}
		}
	}
	ix.stats.Docs = len(arts)
	return nil
}

// docJSON is an article's document file: what a result shows.
type docJSON struct {
	URL     string   `json:"u"`
	Title   string   `json:"t"`
	Date    string   `json:"d"` // YYYY-MM-DD, in the site's time zone
	Tags    []string `json:"g,omitempty"`
	Summary string   `json:"s,omitempty"`
	Text    string   `json:"b"` // body text, one line per paragraph, for snippets
}

func (ix *indexer) analyze(a *content.Article, bodyHTML string) analyzed {
	res := analyzed{tf: map[string]float32{}}
	add := func(text string, w float32) {
		Tokens(Fold(text), func(t string) {
			res.tf[t] += w
			res.length += w
		})
	}
	body := plainText(bodyHTML)
	add(a.Title, titleWeight)
	add(a.Summary, summaryWeight)
	add(body, bodyWeight)
	d := docJSON{URL: ix.opt.BasePath + strings.TrimPrefix(a.URLPath(), "/"), Title: a.Title,
		Date: a.Date.Format("2006-01-02"), Summary: a.Summary, Text: truncate(body, maxDocText)}
	for _, t := range a.Tags {
		add(t.Name, tagWeight)
		res.tf[tagTerm(t.Slug)] = 0 // a filter: membership only, no weight
		d.Tags = append(d.Tags, t.Name)
	}
	res.file, _ = json.Marshal(d) // cannot fail: strings only
	res.file = append(res.file, '\n')
	return res
}

// truncate cuts s to at most n bytes at a word boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if i := strings.LastIndexAny(s[:n], " \n"); i > 0 {
		return s[:i]
	}
	return strings.ToValidUTF8(s[:n], "")
}

// writeShards encodes the terms in code-point order and cuts the sequence
// into shards of about opt.ShardBytes, so that the terms of one shard
// share a key range that the manifest lists.
func (ix *indexer) writeShards(ctx context.Context, emit func(string, []byte) error) error {
	terms := make([]string, 0, len(ix.terms))
	for t := range ix.terms {
		terms = append(terms, t)
	}
	slices.Sort(terms)
	ix.stats.Terms = len(terms)
	var avgLen float64
	for _, l := range ix.docLen {
		avgLen += float64(l)
	}
	avgLen /= float64(max(1, ix.n))
	sc := scorer{n: ix.n, avgLen: avgLen, docLen: ix.docLen, topK: ix.opt.TopK}
	// The largest possible BM25 score (a term in one article) scales the
	// one-byte impacts.
	sc.maxScore = idf(ix.n, 1) * (bm25K1 + 1)

	h := fnv.New64a()
	var shard []byte
	var last string
	flush := func() error {
		if len(shard) == 0 {
			return nil
		}
		h.Write(shard)
		i := len(ix.shardSep) - 1
		ix.stats.Shards++
		ix.stats.ShardBytes += int64(len(shard))
		ix.stats.MaxShard = max(ix.stats.MaxShard, len(shard))
		err := emit(shardFile(i), shard)
		shard = nil
		return err
	}
	for i, t := range terms {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if len(shard) == 0 {
			ix.shardSep = append(ix.shardSep, separator(last, t))
		}
		shard = sc.appendTerm(shard, t, ix.terms[t])
		delete(ix.terms, t)
		last = t
		if len(shard) >= ix.opt.ShardBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	ix.version = h.Sum64()
	return nil
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
	Format  int      `json:"format"`  // 1; bumped when the layout changes
	Version string   `json:"version"` // hash of the shards; search.js adds it to shard URLs
	Docs    int      `json:"docs"`
	Shards  []string `json:"shards"` // shard i holds the terms from Shards[i] up to Shards[i+1]
	Years   [][3]int `json:"years"`  // [year, first document, last document + 1]
}

func (ix *indexer) writeManifest(arts []*content.Article, emit func(string, []byte) error) error {
	m := manifest{Format: 1, Version: strconv.FormatUint(ix.version, 36), Docs: ix.n,
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
