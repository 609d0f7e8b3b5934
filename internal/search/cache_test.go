package search

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/sitegen/sitegen/internal/content"
)

// docKeys keys each article by everything the index reads of it, as the
// build does.
func docKeys(arts []*content.Article, file func(i int) bool) []Doc {
	docs := make([]Doc, len(arts))
	for i, a := range arts {
		h := sha256.Sum256(fmt.Appendf(nil, "%q %q %q %v %q %q", a.Body, a.Title, a.Summary, a.Tags, a.URLPath(), a.Date.Format("2006-01-02")))
		docs[i] = Doc{Article: a, File: file(i)}
		copy(docs[i].Key[:], h[:])
	}
	return docs
}

// TestIndexFromCache: an index made again from the previous one's cache,
// after an article's body changed, one was added and one deleted,
// analyzes only the new and changed articles and has the bytes of an index
// made from scratch.
func TestIndexFromCache(t *testing.T) {
	ctx := context.Background()
	opt := Options{BasePath: "/", ShardBytes: 300, TopK: 40}
	arts := testArticles(200)
	_, emit := collect()
	_, cache, err := Index(ctx, docKeys(arts, func(int) bool { return true }), opt, nil, emit)
	if err != nil {
		t.Fatal(err)
	}
	if len(cache.Entries) != len(arts) {
		t.Fatalf("cache holds %d analyses, want %d", len(cache.Entries), len(arts))
	}

	// Edit one body, delete one article, add one with a new word.
	edited := *arts[10]
	edited.Body = template.HTML("<p>Entirely new words: zeppelin lighthouse.</p>")
	arts[10] = &edited
	arts = slices.Delete(arts, 50, 51)
	added := *arts[0]
	added.Source, added.Slug, added.Body = "s/new.md", "new", "<p>Quasar harbours.</p>"
	arts = append(arts, &added)
	content.SortByDate(arts)

	want, emitWant := collect()
	if _, err := Write(ctx, arts, opt, emitWant); err != nil {
		t.Fatal(err)
	}
	got, emitGot := collect()
	docs := docKeys(arts, func(int) bool { return true })
	stats, next, err := Index(ctx, docs, opt, cache, emitGot)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Analyzed != 2 {
		t.Errorf("analyzed %d articles, want 2 (the edited and the added one)", stats.Analyzed)
	}
	if !maps.EqualFunc(got, want, bytes.Equal) {
		for name := range want {
			if !bytes.Equal(got[name], want[name]) {
				t.Errorf("%s differs from the index made from scratch", name)
			}
		}
		t.Fatalf("%d files, want %d", len(got), len(want))
	}

	// Without document files asked for, only shards and the manifest are
	// made, and nothing is analyzed or read.
	for i := range docs {
		docs[i].File = false
		a := *docs[i].Article
		a.Body = "" // a body read now would change the index
		docs[i].Article = &a
	}
	only, emitOnly := collect()
	stats, _, err = Index(ctx, docs, opt, next, emitOnly)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Analyzed != 0 {
		t.Errorf("analyzed %d articles with every analysis cached", stats.Analyzed)
	}
	for name, data := range only {
		if !bytes.Equal(data, want[name]) {
			t.Errorf("%s differs from the index made from scratch", name)
		}
		if name[:2] == docDir {
			t.Errorf("%s made though not asked for", name)
		}
	}
}

// TestCacheCompaction: a dictionary mostly of words no article has any
// more is rebuilt, and the index stays the same.
func TestCacheCompaction(t *testing.T) {
	ctx := context.Background()
	arts := testArticles(30)
	var words []string
	for i := range 3000 {
		words = append(words, fmt.Sprintf("gone%d", i))
	}
	c := &Cache{Terms: words}
	want, emitWant := collect()
	if _, err := Write(ctx, arts, Options{}, emitWant); err != nil {
		t.Fatal(err)
	}
	got, emitGot := collect()
	_, next, err := Index(ctx, docKeys(arts, func(int) bool { return true }), Options{}, c, emitGot)
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Terms) >= len(words) {
		t.Errorf("dictionary of %d words not compacted", len(next.Terms))
	}
	if !maps.EqualFunc(got, want, bytes.Equal) {
		t.Error("index differs from the one made from scratch")
	}
	// The compacted cache still gives the same index.
	again, emitAgain := collect()
	st, _, err := Index(ctx, docKeys(arts, func(int) bool { return true }), Options{}, next, emitAgain)
	if err != nil {
		t.Fatal(err)
	}
	if st.Analyzed != 0 || !maps.EqualFunc(again, want, bytes.Equal) {
		t.Errorf("from the compacted cache: analyzed %d, same bytes %v", st.Analyzed, maps.EqualFunc(again, want, bytes.Equal))
	}
}

// TestInvertInGroups: inverting a few postings at a time gives the same
// index as inverting all at once. With the passes left unbounded, a small
// maxPostings makes many; bounded, however small maxPostings is against
// the archive's postings, the index reads every entry at most about
// 2*maxInvertPasses times (a group ends before the term that would take
// it over the bound, so two groups together always exceed it), not once
// per maxPostings postings.
func TestInvertInGroups(t *testing.T) {
	arts := testArticles(300)
	opt := Options{ShardBytes: 200, TopK: 50}
	want, emitWant := collect()
	if _, err := Write(context.Background(), arts, opt, emitWant); err != nil {
		t.Fatal(err)
	}
	defer func(n, k, s int) { maxPostings, maxInvertPasses, splitInvert = n, k, s }(maxPostings, maxInvertPasses, splitInvert)
	for _, tc := range []struct {
		name                 string
		passes               int // maxInvertPasses
		minPasses, maxPasses int // InvertPasses expected
		split                int // splitInvert
	}{
		{"unbounded passes", 1 << 30, 10, 1 << 30, 1 << 30},
		{"bounded passes", 4, 2, 2*4 + 1, 1 << 30},
		// Each pass shared by two goroutines, from both ends.
		{"unbounded passes, split", 1 << 30, 10, 1 << 30, 1},
		{"bounded passes, split", 4, 2, 2*4 + 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			maxPostings = 100 // "harbours", in every title, is a group of its own
			maxInvertPasses, splitInvert = tc.passes, tc.split
			got, emitGot := collect()
			stats, err := Write(context.Background(), arts, opt, emitGot)
			if err != nil {
				t.Fatal(err)
			}
			if !maps.EqualFunc(got, want, bytes.Equal) {
				t.Error("the index inverted in groups differs")
			}
			if stats.InvertPasses < tc.minPasses || stats.InvertPasses > tc.maxPasses {
				t.Errorf("inverted in %d passes, want %d to %d", stats.InvertPasses, tc.minPasses, tc.maxPasses)
			}
		})
	}
}

// TestDocumentFiles: documents are grouped DocsPerFile to a file, each
// readable by the byte range its file's header gives; an edit of one
// article changes only its file (and the shards and manifest), and the
// file is remade alone when only its documents ask for it.
func TestDocumentFiles(t *testing.T) {
	ctx := context.Background()
	n := 2*DocsPerFile + 22
	arts := testArticles(n)
	opt := Options{BasePath: "/news/"}
	all := func(int) bool { return true }
	before, emit := collect()
	stats, cache, err := Index(ctx, docKeys(arts, all), opt, nil, emit)
	if err != nil {
		t.Fatal(err)
	}
	if stats.DocFiles != 3 || stats.Files() != 1+stats.Shards+3 {
		t.Fatalf("%d document files (%d files in all, %d shards), want 3", stats.DocFiles, stats.Files(), stats.Shards)
	}
	var size int64
	for i, a := range arts {
		if d := readDoc(t, before, i, n); d.Title != a.Title || d.URL != "/news/"+a.URLPath()[1:] {
			t.Fatalf("document %d: %+v, want %q at %s", i, d, a.Title, a.URLPath())
		}
		if i%DocsPerFile == 0 {
			size += int64(len(before[docFile(i)]))
		}
	}
	if stats.DocBytes != size {
		t.Errorf("stats say %d bytes of documents, the files hold %d", stats.DocBytes, size)
	}

	edited := *arts[DocsPerFile+5]
	edited.Body = "<p>An edit: <b>zeppelin</b>.</p>"
	arts[DocsPerFile+5] = &edited
	after, emit := collect()
	if _, _, err := Index(ctx, docKeys(arts, all), opt, cache, emit); err != nil {
		t.Fatal(err)
	}
	for name, data := range after {
		changed := !bytes.Equal(data, before[name])
		if want := name == docFile(DocsPerFile) || name == ManifestFile || name[:2] == shardDir; changed && !want {
			t.Errorf("%s changed after an edit of document %d", name, DocsPerFile+5)
		}
	}
	if !bytes.Contains(after[docFile(DocsPerFile)], []byte("zeppelin")) {
		t.Errorf("%s lacks the edit", docFile(DocsPerFile))
	}

	// Only the edited article asks for its file: that file alone is made,
	// with the bytes it has when every file is made.
	only, emit := collect()
	stats, _, err = Index(ctx, docKeys(arts, func(i int) bool { return i == DocsPerFile+5 }), opt, cache, emit)
	if err != nil {
		t.Fatal(err)
	}
	if stats.DocFiles != 1 {
		t.Errorf("%d document files made, want 1", stats.DocFiles)
	}
	for name, data := range only {
		if name[:2] == docDir && name != docFile(DocsPerFile) {
			t.Errorf("%s made though not asked for", name)
		}
		if !bytes.Equal(data, after[name]) {
			t.Errorf("%s differs from the one made with every file", name)
		}
	}
}

// readDoc reads document id of an index of n from its file as search.js
// does: its byte range from the file's header.
func readDoc(t *testing.T, files map[string][]byte, id, n int) docJSON {
	t.Helper()
	data := files[docFile(id)]
	j := id % DocsPerFile
	count := min(DocsPerFile, n-(id-j))
	end := func(j int) int { return int(binary.LittleEndian.Uint32(data[4*j:])) }
	start := 4 * count
	if j > 0 {
		start = end(j - 1)
	}
	if end(count-1) != len(data) {
		t.Fatalf("%s: the header ends it at %d, it holds %d bytes", docFile(id), end(count-1), len(data))
	}
	var d docJSON
	if err := json.Unmarshal(data[start:end(j)], &d); err != nil {
		t.Fatalf("document %d (%s [%d, %d)): %v", id, docFile(id), start, end(j), err)
	}
	if d.ID != id {
		t.Fatalf("document %d says it is %d", id, d.ID)
	}
	return d
}

// TestRenumberedDocumentsCopied: when articles added, deleted or moved in
// date order renumber the documents after them, their files are made
// again from the previous index's files (Options.PrevDocFile), reading
// only the bodies of the articles not in the Cache, with the bytes of an
// index made from scratch. A previous file that is not at hand, damaged,
// or whose document does not carry the number the Cache gives it is not
// used for that document.
func TestRenumberedDocumentsCopied(t *testing.T) {
	ctx := context.Background()
	all := func(int) bool { return true }
	arts := testArticles(3*DocsPerFile + 10)
	prevDocs := docKeys(arts, all)
	before, emit := collect()
	_, cache, err := Index(ctx, prevDocs, Options{BasePath: "/news/"}, nil, emit)
	if err != nil {
		t.Fatal(err)
	}
	oldNumber := map[[16]byte]int{}
	for i, d := range prevDocs {
		oldNumber[d.Key] = i
	}

	// The last article moved to the front (a new date), one deleted in
	// the second file, one added in the third.
	moved := *arts[len(arts)-1]
	moved.Date = arts[0].Date.AddDate(1, 0, 0)
	added := *arts[150]
	added.Source, added.Slug, added.Body = "s/new.md", "new", "<p>Quasar harbours.</p>"
	arts = append(slices.Delete(arts[:len(arts)-1], 90, 91), &moved, &added)
	content.SortByDate(arts)
	want, emitWant := collect()
	if _, err := Write(ctx, arts, Options{BasePath: "/news/"}, emitWant); err != nil {
		t.Fatal(err)
	}

	damaged := func(name string, edit func([]byte) []byte) map[string][]byte {
		files := maps.Clone(before)
		files[name] = edit(slices.Clone(files[name]))
		return files
	}
	for _, c := range []struct {
		name  string
		files map[string][]byte // the previous index's, as PrevDocFile gives them; nil: no PrevDocFile
		not   func(old int) bool
	}{
		{"no previous files", nil, func(int) bool { return true }},
		{"all at hand", before, func(int) bool { return false }},
		{"one gone", damaged(docFile(0), func([]byte) []byte { return nil }), func(old int) bool { return old < DocsPerFile }},
		{"one cut short", damaged(docFile(DocsPerFile), func(b []byte) []byte { return b[:len(b)-1] }),
			func(old int) bool { return old/DocsPerFile == 1 }},
		{"one document renumbered in place", damaged(docFile(2*DocsPerFile), func(b []byte) []byte {
			return bytes.Replace(b, []byte(`{"n":130,`), []byte(`{"n":131,`), 1)
		}), func(old int) bool { return old == 130 }},
		{"a header that is not one", damaged(docFile(3*DocsPerFile), func(b []byte) []byte {
			binary.LittleEndian.PutUint32(b, 3)
			return b
		}), func(old int) bool { return old >= 3*DocsPerFile }},
	} {
		t.Run(c.name, func(t *testing.T) {
			var read atomic.Int64
			opt := Options{BasePath: "/news/", Body: func(a *content.Article) (string, error) {
				read.Add(1)
				return string(a.Body), nil
			}}
			if c.files != nil {
				opt.PrevDocFile = func(name string) []byte { return c.files[name] }
			}
			got, emit := collect()
			stats, _, err := Index(ctx, docKeys(arts, all), opt, cache, emit)
			if err != nil {
				t.Fatal(err)
			}
			copied := 0
			for _, d := range docKeys(arts, all) {
				if old, ok := oldNumber[d.Key]; ok && !c.not(old) {
					copied++
				}
			}
			if copied < len(arts)-2-DocsPerFile && c.files != nil {
				t.Fatalf("the test copies %d documents of %d", copied, len(arts))
			}
			if stats.CopiedDocs != copied || int(read.Load()) != len(arts)-copied {
				t.Errorf("%d documents copied, %d bodies read; want %d and %d", stats.CopiedDocs, read.Load(), copied, len(arts)-copied)
			}
			for name := range want {
				if !bytes.Equal(got[name], want[name]) {
					t.Errorf("%s differs from the index made from scratch", name)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d files, want %d", len(got), len(want))
			}
		})
	}
}

// FuzzPrevDocFile: whatever damage one of the previous index's document
// files has (bytes overwritten at an offset, or the file cut there), an
// index made from the Cache with it renumbers its documents without
// failing, into the bytes of an index made from scratch but for documents
// that file gave: each of those is a document of the file as given, under
// its new number; the genuine file gives the index made from scratch.
// (PrevDocFile promises the bytes the previous index emitted; a file
// changed in place is the caller's to notice, as the build does by its
// stamp. What the index checks, the header and the number in each
// document, it must check without failing.) The damage is fuzzed rather
// than the file, which is 20 KB: the fuzzer mutates large inputs at a few
// executions a second.
func FuzzPrevDocFile(f *testing.F) {
	ctx := context.Background()
	all := func(int) bool { return true }
	arts := testArticles(2*DocsPerFile + 5)
	before, emit := collect()
	_, cache, err := Index(ctx, docKeys(arts, all), Options{}, nil, emit)
	if err != nil {
		f.Fatal(err)
	}
	// The oldest article made the newest: every document renumbered, by
	// one, so that documents 64-127 (file 1) become 65-128.
	moved := *arts[len(arts)-1]
	moved.Date = arts[0].Date.AddDate(1, 0, 0)
	arts = append([]*content.Article{&moved}, arts[:len(arts)-1]...)
	want, emit := collect()
	if _, err := Write(ctx, arts, Options{}, emit); err != nil {
		f.Fatal(err)
	}
	genuine := before[docFile(DocsPerFile)]
	at := func(s string) uint32 { return uint32(bytes.Index(genuine, []byte(s))) }
	f.Add(uint32(0), false, []byte{})                        // the genuine file
	f.Add(uint32(0), true, []byte{})                         // nothing
	f.Add(uint32(len(genuine)-1), true, []byte{})            // cut short by a byte
	f.Add(uint32(0), false, []byte{3, 0, 0, 0})              // a header that is not one
	f.Add(at(`{"n":70,`), false, []byte(`{"n":71,`))         // a document renumbered in place
	f.Add(at(`{"n":70,`)+100, false, []byte("Changed text")) // its text changed, header and number sound: copied as it is
	f.Fuzz(func(t *testing.T, offset uint32, cut bool, patch []byte) {
		data := slices.Clone(genuine)
		i := int(offset % uint32(len(data)+1))
		if cut {
			data = data[:i]
		} else {
			data = append(data[:i], append(patch, data[min(len(data), i+len(patch)):]...)...)
		}
		opt := Options{PrevDocFile: func(name string) []byte {
			if name == docFile(DocsPerFile) {
				return data
			}
			return before[name]
		}}
		got, emit := collect()
		if _, _, err := Index(ctx, docKeys(arts, all), opt, cache, emit); err != nil {
			t.Fatal(err)
		}
		for name := range want {
			if name == docFile(DocsPerFile) || name == docFile(2*DocsPerFile) {
				continue // may hold documents of data: checked below
			}
			if !bytes.Equal(got[name], want[name]) {
				t.Errorf("%s differs from the index made from scratch", name)
			}
		}
		if bytes.Equal(data, genuine) && !maps.EqualFunc(got, want, bytes.Equal) {
			t.Error("the previous index's own file gave another index than one made from scratch")
		}
		for _, first := range []int{DocsPerFile, 2 * DocsPerFile} {
			n := min(DocsPerFile, len(arts)-first)
			docs, fresh := splitDocFile(got[docFile(first)], n), splitDocFile(want[docFile(first)], n)
			if docs == nil {
				t.Fatalf("%s is not a document file", docFile(first))
			}
			for i, d := range docs {
				open := fmt.Sprintf(`{"n":%d,`, first+i)
				was := fmt.Sprintf(`{"n":%d,`, first+i-1)
				if !bytes.Equal(d, fresh[i]) && !(bytes.HasPrefix(d, []byte(open)) && bytes.Contains(data, append([]byte(was), d[len(open):]...))) {
					t.Errorf("document %d is neither the one made from scratch nor one of the file given:\n%s", first+i, d)
				}
			}
		}
	})
}
