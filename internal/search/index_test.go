package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/content"
)

func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Protesters storm the U.S. embassy", []string{"protesters", "storm", "the", "u", "s", "embassy"}},
		{"Müller, MULLER and muller", []string{"muller", "muller", "and", "muller"}},
		{"ΟΔΟΣ οδός", []string{"οδοσ", "οδοσ"}},
		{"İstanbul 2019-12-30", []string{"istanbul", "2019", "12", "30"}},
		{"中国人民 and 東京タワー", []string{"中", "国", "人", "民", "and", "東", "京", "タ", "ワ", "ー"}},
		{"ﬁnal ①", []string{"final", "1"}},
		{"https://example.org/" + strings.Repeat("x", 40), []string{"https", "example", "org"}},
	} {
		var got []string
		Tokens(Fold(tc.in), func(tok string) { got = append(got, tok) })
		if !slices.Equal(got, tc.want) {
			t.Errorf("Tokens(Fold(%q)) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// entry is a term entry read back from a shard.
type entry struct {
	df      int
	docs    []int
	impacts map[int]byte // nil for filter terms
	rest    byte         // the bound of the other documents' impacts; top-k entries only
}

// readShard decodes a shard as assets/search.js does.
func readShard(t *testing.T, data []byte, n int) map[string]entry {
	t.Helper()
	out := map[string]entry{}
	pos := 0
	uv := func() int {
		v, k := binary.Uvarint(data[pos:])
		if k <= 0 {
			t.Fatalf("bad uvarint at %d", pos)
		}
		pos += k
		return int(v)
	}
	for pos < len(data) {
		l := uv()
		term := string(data[pos : pos+l])
		pos += l
		e := entry{df: uv()}
		flags := data[pos]
		pos++
		size := uv()
		end := pos + size
		if flags&flagBitmap != 0 {
			for d := range n {
				if data[pos+d/8]&(1<<(d%8)) != 0 {
					e.docs = append(e.docs, d)
				}
			}
			pos += (n + 7) / 8
		} else {
			d := 0
			for range e.df {
				d += uv()
				e.docs = append(e.docs, d)
			}
		}
		switch {
		case flags&flagNoImpacts != 0:
		case flags&flagTopK != 0:
			k := uv()
			var ids []int
			d := 0
			for range k {
				d += uv()
				ids = append(ids, d)
			}
			e.impacts = map[int]byte{}
			for _, id := range ids {
				e.impacts[id] = data[pos]
				pos++
			}
			e.rest = data[pos]
			pos++
		default:
			e.impacts = map[int]byte{}
			for _, d := range e.docs {
				e.impacts[d] = data[pos]
				pos++
			}
		}
		if pos != end {
			t.Fatalf("term %q: body ends at %d, read to %d", term, end, pos)
		}
		if len(e.docs) != e.df {
			t.Fatalf("term %q: df %d, %d documents", term, e.df, len(e.docs))
		}
		out[term] = e
	}
	return out
}

// collect returns an emit func that keeps copies of the files, safe for
// the concurrent calls Write makes.
func collect() (map[string][]byte, func(string, []byte) error) {
	files := map[string][]byte{}
	var mu sync.Mutex
	return files, func(name string, data []byte) error {
		mu.Lock()
		defer mu.Unlock()
		files[name] = bytes.Clone(data)
		return nil
	}
}

func testArticles(n int) []*content.Article {
	var arts []*content.Article
	for i := range n {
		a := &content.Article{
			Title:   fmt.Sprintf("Story %d about harbours", i),
			Date:    time.Date(2020-i%3, 1, 1, 0, 0, 0, 0, time.UTC),
			Slug:    fmt.Sprint("story-", i),
			Summary: "A summary.",
			Body:    template.HTML(fmt.Sprintf("<p>Common words here.</p><p>Word%d <em>rare</em>%s</p>", i%7, strings.Repeat(" filler", i%5))),
			Source:  fmt.Sprintf("s/%d.md", i),
		}
		if i%4 == 0 {
			a.Tags = []content.Tag{{Name: "Ports", Slug: "ports"}}
		}
		arts = append(arts, a)
	}
	content.SortByDate(arts)
	return arts
}

func TestIndexRoundTrip(t *testing.T) {
	const n = 300
	arts := testArticles(n)
	files, emit := collect()
	stats, err := Write(context.Background(), arts, Options{BasePath: "/news/", ShardBytes: 200, TopK: 50}, emit)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(files[ManifestFile], &m); err != nil {
		t.Fatal(err)
	}
	if m.Docs != n || len(m.Shards) != stats.Shards || stats.Shards < 3 {
		t.Fatalf("manifest %+v, stats %+v: want %d docs and several shards", m, stats, n)
	}
	// Every term sits in the shard whose key range holds it.
	all := map[string]entry{}
	for i := range m.Shards {
		for term, e := range readShard(t, files[shardFile(i)], n) {
			if term < m.Shards[i] || i+1 < len(m.Shards) && term >= m.Shards[i+1] {
				t.Errorf("term %q in shard %d, outside [%q, %q)", term, i, m.Shards[i], m.Shards[min(i+1, len(m.Shards)-1)])
			}
			all[term] = e
		}
	}
	if len(all) != stats.Terms {
		t.Errorf("read %d terms, stats say %d", len(all), stats.Terms)
	}
	// Each term's documents are exactly those whose text has it.
	want := func(match func(a *content.Article) bool) []int {
		var ds []int
		for i, a := range arts {
			if match(a) {
				ds = append(ds, i)
			}
		}
		return ds
	}
	word3 := want(func(a *content.Article) bool { return strings.Contains(string(a.Body), "Word3 ") })
	if got := all["word3"].docs; !slices.Equal(got, word3) {
		t.Errorf("word3: documents %v, want %v", got, word3)
	}
	ports := want(func(a *content.Article) bool { return len(a.Tags) > 0 })
	if e := all["#ports"]; !slices.Equal(e.docs, ports) || e.impacts != nil {
		t.Errorf("#ports: documents %v (impacts %v), want %v without impacts", e.docs, e.impacts, ports)
	}
	// "harbours" is in every title: more than TopK documents, so only the
	// best 50 keep an impact and the rest are bounded.
	h := all["harbours"]
	if h.df != n || len(h.impacts) != 50 {
		t.Fatalf("harbours: df %d, %d impacts; want %d and 50", h.df, len(h.impacts), n)
	}
	for d, q := range h.impacts {
		if q < h.rest {
			t.Errorf("harbours: kept impact %d of document %d is below the rest's bound %d", q, d, h.rest)
		}
	}
	// More occurrences of a word score higher (BM25 grows with tf).
	full, emit := collect()
	if _, err := Write(context.Background(), arts, Options{}, emit); err != nil {
		t.Fatal(err)
	}
	fil := readShard(t, full[shardFile(0)], n)["filler"]
	byTF := map[int]byte{} // occurrences -> impact
	for d, q := range fil.impacts {
		var i int
		fmt.Sscanf(arts[d].Source, "s/%d.md", &i)
		if i%7 == 1 { // the same body otherwise, so the same length
			byTF[i%5] = q
		}
	}
	if !(byTF[1] < byTF[2] && byTF[2] < byTF[3] && byTF[3] < byTF[4]) {
		t.Errorf("impacts of filler by occurrences: %v, want increasing", byTF)
	}
	// Years are contiguous ranges of documents, in the order given.
	if len(m.Years) != 3 || m.Years[0][0] != 2020 || m.Years[0][1] != 0 || m.Years[2][2] != n {
		t.Errorf("years %v", m.Years)
	}
	doc := readDoc(t, files, 0, n)
	if !strings.HasPrefix(doc.URL, "/news/2020/01/01/story-") || !strings.Contains(doc.Text, "Common words here.\nWord") {
		t.Errorf("document 0: %+v", doc)
	}
}

func TestIndexIsDeterministic(t *testing.T) {
	build := func() map[string][]byte {
		files, emit := collect()
		if _, err := Write(context.Background(), testArticles(120), Options{ShardBytes: 100}, emit); err != nil {
			t.Fatal(err)
		}
		return files
	}
	a, b := build(), build()
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for name, data := range a {
		if string(b[name]) != string(data) {
			t.Errorf("%s differs between two builds of the same input", name)
		}
	}
}

func TestSeparator(t *testing.T) {
	for _, tc := range []struct{ prev, next, want string }{
		{"", "apple", ""},
		{"apple", "apricot", "apr"},
		{"zebra", "zz", "zz"},
		{"mü", "mül", "mül"},
		{"a", "b" + strconv.Itoa(5), "b"},
	} {
		if got := separator(tc.prev, tc.next); got != tc.want {
			t.Errorf("separator(%q, %q) = %q, want %q", tc.prev, tc.next, got, tc.want)
		}
	}
}
