package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"html/template"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/content"
)

// wordyArticles are n articles over a vocabulary of a few thousand words
// drawn unevenly (a few words in most articles, most words in few), with
// bodies of different lengths: many shards, terms of every kind (a bitmap,
// a top-k list, a handful of documents) and impacts that move with the
// average length.
func wordyArticles(n int, seed uint64) []*content.Article {
	rng := rand.New(rand.NewPCG(seed, 1))
	zipf := rand.NewZipf(rng, 1.2, 1, 2999)
	word := func() string {
		i := zipf.Uint64()
		return fmt.Sprintf("%c%x", 'a'+rune(i%26), i*2654435761%100003)
	}
	text := func(k int) string {
		ws := make([]string, k)
		for i := range ws {
			ws[i] = word()
		}
		return strings.Join(ws, " ")
	}
	arts := make([]*content.Article, n)
	for i := range arts {
		var body strings.Builder
		for range 1 + rng.IntN(4) {
			fmt.Fprintf(&body, "<p>%s</p>\n", text(5+rng.IntN(60)))
		}
		arts[i] = &content.Article{
			Title:   text(3 + rng.IntN(5)),
			Summary: text(rng.IntN(12)),
			Date:    time.Date(2000+rng.IntN(20), 1, 1+rng.IntN(28), 0, 0, 0, 0, time.UTC),
			Slug:    fmt.Sprint("a", i),
			Source:  fmt.Sprintf("s/%d.md", i),
			Body:    template.HTML(body.String()),
		}
		for range rng.IntN(3) {
			t := word()
			arts[i].Tags = append(arts[i].Tags, content.Tag{Name: "T " + t, Slug: t})
		}
	}
	content.SortByDate(arts)
	return arts
}

// site is an index's files as a build keeps them between builds.
type site map[string][]byte

// indexAgain indexes arts from the previous index's cache, keeping the
// shards Index offers whose files prev holds, and returns the new files:
// those emitted and those kept, and no others.
func indexAgain(t *testing.T, arts []*content.Article, opt Options, prev site, cache *Cache, keep func(string) bool) (site, *Cache, []string) {
	t.Helper()
	var kept []string
	opt.Keep = func(name string) bool {
		if _, ok := prev[name]; !ok || keep != nil && !keep(name) {
			return false
		}
		kept = append(kept, name)
		return true
	}
	got, emit := collect()
	_, next, err := Index(context.Background(), docKeys(arts, func(int) bool { return true }), opt, cache, emit)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range kept {
		if _, dup := got[name]; dup {
			t.Errorf("%s both kept and emitted", name)
		}
		got[name] = prev[name]
	}
	return got, next, kept
}

// fresh indexes arts from scratch.
func fresh(t *testing.T, arts []*content.Article, opt Options) site {
	t.Helper()
	files, emit := collect()
	if _, err := Write(context.Background(), arts, opt, emit); err != nil {
		t.Fatal(err)
	}
	return files
}

// sameSite fails t unless got and want hold the same files, byte for byte.
func sameSite(t *testing.T, what string, got, want site) {
	t.Helper()
	if maps.EqualFunc(got, want, bytes.Equal) {
		return
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: %s missing", what, name)
		} else if !bytes.Equal(got[name], want[name]) {
			t.Errorf("%s: %s differs from the index made from scratch", what, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s left over", what, name)
		}
	}
}

// TestShardsKeptAfterEdits: after each kind of edit, an index made from
// the previous one's cache, keeping the shards it offers, has the bytes of
// an index made from scratch; and a body edit keeps most shards.
func TestShardsKeptAfterEdits(t *testing.T) {
	opt := Options{ShardBytes: 400, TopK: 30}
	var terms []string // the dictionary of the index before the edit
	edits := []struct {
		name string
		edit func(arts []*content.Article, i int) []*content.Article
		keep bool // some shards must be kept
	}{
		{"body", func(arts []*content.Article, i int) []*content.Article {
			a := *arts[i]
			a.Body += "<p>An added paragraph.</p>"
			arts[i] = &a
			return arts
		}, true},
		{"same length", func(arts []*content.Article, i int) []*content.Article {
			a := *arts[i]
			a.Body = template.HTML(strings.Replace(string(a.Body), "<p>", "<p>zzfirst ", 1)) + "<p>and</p>"
			arts[i] = &a
			return arts
		}, true},
		{"title", func(arts []*content.Article, i int) []*content.Article {
			a := *arts[i]
			a.Title = "A new headline " + a.Title
			arts[i] = &a
			return arts
		}, true},
		{"tags", func(arts []*content.Article, i int) []*content.Article {
			a := *arts[i]
			a.Tags = append(slices.Clone(a.Tags), content.Tag{Name: "Brand new", Slug: "brand-new"})
			arts[i] = &a
			return arts
		}, true},
		{"every URL", func(arts []*content.Article, i int) []*content.Article {
			for k, a := range arts {
				b := *a
				b.Slug += "-moved"
				arts[k] = &b
			}
			return arts
		}, true},
		{"a word's last use", func(arts []*content.Article, i int) []*content.Article {
			a := *arts[i]
			a.Body = "<p>aaaa0 only this.</p>"
			arts[i] = &a
			return arts
		}, false},
		// A word an article has once, in its body, replaced by another of
		// its words, far from it in the dictionary: the article's length
		// is as it was, and the first word's shard changes by the posting
		// it loses alone. The word is the first of the article's body, or
		// its last term in the index's dictionary (the last an entry
		// lists).
		{"a word dropped", func(arts []*content.Article, i int) []*content.Article {
			return dropWord(t, arts, i, nil)
		}, true},
		{"its last term dropped", func(arts []*content.Article, i int) []*content.Article {
			return dropWord(t, arts, i, terms)
		}, true},
		{"long body", func(arts []*content.Article, i int) []*content.Article {
			a := *arts[i]
			a.Body += template.HTML("<p>" + strings.Repeat("lengthy ", 3000) + "</p>")
			arts[i] = &a
			return arts
		}, false},
		{"moved", func(arts []*content.Article, i int) []*content.Article {
			a := *arts[i]
			a.Date = a.Date.AddDate(-3, 0, 0)
			arts[i] = &a
			content.SortByDate(arts)
			return arts
		}, false},
		{"added", func(arts []*content.Article, i int) []*content.Article {
			a := *arts[i]
			a.Source, a.Slug = "s/new.md", "new"
			arts = append(arts, &a)
			content.SortByDate(arts)
			return arts
		}, false},
		{"deleted", func(arts []*content.Article, i int) []*content.Article {
			return slices.Delete(arts, i, i+1)
		}, false},
	}
	arts := wordyArticles(300, 1)
	prev := fresh(t, arts, opt)
	_, cache, _ := indexAgain(t, arts, opt, site{}, nil, nil)
	for round := range 2 {
		for j, e := range edits {
			terms = cache.Terms
			arts = e.edit(slices.Clone(arts), (37*j+11*round)%len(arts))
			got, next, kept := indexAgain(t, arts, opt, prev, cache, nil)
			want := fresh(t, arts, opt)
			sameSite(t, e.name, got, want)
			if e.keep && len(kept) == 0 {
				t.Errorf("%s: no shard kept", e.name)
			}
			t.Logf("%s: %d of %d shards kept", e.name, len(kept), len(next.Shards))
			prev, cache = want, next
		}
	}
}

// TestShardMovedByAverageLength: an edit that changes only the average
// document length (a long body of a word of its own) changes shards that
// hold no word of the edited article; those are made again, not kept.
func TestShardMovedByAverageLength(t *testing.T) {
	opt := Options{ShardBytes: 400, TopK: 30}
	arts := wordyArticles(300, 2)
	prev := fresh(t, arts, opt)
	_, cache, _ := indexAgain(t, arts, opt, site{}, nil, nil)
	i := 17
	words := map[string]bool{}
	for _, a := range []*content.Article{arts[i]} {
		for _, f := range []string{a.Title, a.Summary, plainText(string(a.Body))} {
			Tokens(Fold(f), func(w string) { words[w] = true })
		}
		for _, tg := range a.Tags {
			words[tagTerm(tg.Slug)] = true
			Tokens(Fold(tg.Name), func(w string) { words[w] = true })
		}
	}
	edited := *arts[i]
	edited.Body += template.HTML("<p>" + strings.Repeat("zzzlong ", 4000) + "</p>")
	arts[i] = &edited
	words["zzzlong"] = true
	got, _, _ := indexAgain(t, arts, opt, prev, cache, nil)
	want := fresh(t, arts, opt)
	sameSite(t, "long body", got, want)
	// Some shard changed that holds none of the article's words: only the
	// average length can have changed it.
	moved := 0
	for name, data := range want {
		if !strings.HasPrefix(name, shardDir) || bytes.Equal(data, prev[name]) {
			continue
		}
		holds := false
		for term := range readShard(t, data, len(arts)) {
			holds = holds || words[term]
		}
		if !holds {
			moved++
		}
	}
	if moved == 0 {
		t.Fatal("no shard changed by the average length alone: the test proves nothing")
	}
}

// TestShardNotKeptWhenFileGone: a shard the caller cannot keep is made.
func TestShardNotKeptWhenFileGone(t *testing.T) {
	opt := Options{ShardBytes: 400, TopK: 30}
	arts := wordyArticles(200, 3)
	prev := fresh(t, arts, opt)
	_, cache, _ := indexAgain(t, arts, opt, site{}, nil, nil)
	a := *arts[5]
	a.Body += "<p>More.</p>"
	arts[5] = &a
	offers := 0
	var refused []string // every other shard offered
	got, _, kept := indexAgain(t, arts, opt, prev, cache, func(name string) bool {
		offers++
		if offers%2 == 1 {
			refused = append(refused, name)
			return false
		}
		return true
	})
	sameSite(t, "refused", got, fresh(t, arts, opt))
	if len(refused) < 2 || len(kept) < 2 {
		t.Fatalf("refused %v, kept %v: want some of each", refused, kept)
	}
	for _, name := range refused {
		if slices.Contains(kept, name) {
			t.Errorf("%s kept though refused", name)
		}
	}
}

func TestValidEntry(t *testing.T) {
	for _, tc := range []struct {
		terms []byte
		n     int
		want  bool
	}{
		{nil, 0, true},
		{[]byte{0, 2, 3, 4}, 4, true},
		{[]byte{0, 2, 3, 4}, 3, false},         // index 3 of 3 terms
		{[]byte{0, 2, 3}, 4, false},            // no frequency
		{[]byte{0x81, 0x01, 2}, 200, true},     // a gap of 129
		{[]byte{0x81, 0x01, 2}, 129, false},    // index 129 of 129
		{[]byte{0, 0x80}, 4, false},            // a frequency cut short
		{[]byte{0, 0x80, 0x01, 1, 6}, 4, true}, // a frequency of 128
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 2}, 1 << 30, false}, // overflow
	} {
		if got := validEntry(tc.terms, tc.n); got != tc.want {
			t.Errorf("validEntry(%x, %d) = %v, want %v", tc.terms, tc.n, got, tc.want)
		}
		if tc.want {
			var ids []uint32
			for id := range pairs(tc.terms) {
				ids = append(ids, id)
			}
			if len(ids)*2 > len(tc.terms) {
				t.Errorf("pairs(%x) gave %v", tc.terms, ids)
			}
		}
	}
}

// TestDamagedCacheEntries: analyses that do not decode, or name terms the
// dictionary lacks, are made again, and the index is the one made from
// scratch.
func TestDamagedCacheEntries(t *testing.T) {
	opt := Options{ShardBytes: 400, TopK: 30}
	arts := wordyArticles(150, 4)
	prev := fresh(t, arts, opt)
	_, cache, _ := indexAgain(t, arts, opt, site{}, nil, nil)
	cache.Entries[3].Terms = []byte{0xff}
	cache.Entries[5].Terms = binary.AppendUvarint(nil, uint64(len(cache.Terms)))
	cache.Entries[5].Terms = append(cache.Entries[5].Terms, 2)
	got, _, _ := indexAgain(t, arts, opt, prev, cache, nil)
	sameSite(t, "damaged", got, prev)
	st, _, err := Index(context.Background(), docKeys(arts, func(int) bool { return false }), opt, cache, func(string, []byte) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if st.Analyzed != 2 {
		t.Errorf("analyzed %d articles, want the 2 whose cached analyses are damaged", st.Analyzed)
	}
}

// dropWord replaces a word that the article at i or one after it has once,
// in its body, with another of its body's words that starts with another
// letter. With terms, the dictionary of an index of arts, the word is the
// article's last term in it; else the first such word of its body.
func dropWord(t *testing.T, arts []*content.Article, i int, terms []string) []*content.Article {
	t.Helper()
	id := map[string]int{}
	for n, term := range terms {
		id[term] = n
	}
	for k := range arts {
		a := *arts[(i+k)%len(arts)]
		all := strings.Fields(a.Title + " " + a.Summary + " " + string(a.Body))
		for _, tag := range a.Tags {
			all = append(all, strings.Fields(tag.Name)...)
			all = append(all, tagTerm(tag.Slug))
		}
		body := strings.Fields(strings.NewReplacer("<p>", " ", "</p>", " ").Replace(string(a.Body)))
		if terms != nil {
			last := slices.MaxFunc(all, func(v, w string) int { return id[strings.ToLower(v)] - id[strings.ToLower(w)] })
			body = slices.DeleteFunc(slices.Clone(body), func(w string) bool { return w != last })
		}
		for _, w := range body {
			if strings.Count(" "+strings.Join(all, " ")+" ", " "+w+" ") != 1 {
				continue
			}
			for _, v := range strings.Fields(strings.NewReplacer("<p>", " ", "</p>", " ").Replace(string(a.Body))) {
				if v[0] != w[0] {
					a.Body = template.HTML(strings.Replace(string(a.Body), w, v, 1))
					arts[(i+k)%len(arts)] = &a
					return arts
				}
			}
		}
	}
	t.Fatal("no article has a word of its own")
	return arts
}

// TestShardsRenumberedAfterMove: after an article moves in date order, an
// index made from the previous one's cache and shards (Options.PrevShard)
// renumbers the previous shards, and has the bytes of an index made from
// scratch; moves back and forth, to either end, short and long, with
// frequent terms whose best impacts tie at the cut.
func TestShardsRenumberedAfterMove(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
	}{
		{"small shards", Options{ShardBytes: 300, TopK: 20}},
		{"default", Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := tc.opt
			arts := wordyArticles(300, 7)
			prev := fresh(t, arts, opt)
			_, cache, err := Index(context.Background(), docKeys(arts, func(int) bool { return true }), opt, nil, func(string, []byte) error { return nil })
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			renumbered, ties := 0, 0
			for step := range 40 {
				i := rng.IntN(len(arts))
				moved := *arts[i]
				switch step % 4 {
				case 0:
					moved.Date = arts[0].Date.AddDate(0, 0, -1) // to the start
				case 1:
					moved.Date = arts[len(arts)-1].Date.AddDate(0, 0, 1) // to the end
				default:
					moved.Date = moved.Date.AddDate(0, 0, rng.IntN(200)-100)
				}
				arts = slices.Clone(arts)
				arts[i] = &moved
				content.SortByDate(arts)
				o := opt
				o.PrevShard = func(name string) []byte { return prev[name] }
				var st Stats
				got, emit := collect()
				o.Keep = func(name string) bool {
					if data, ok := prev[name]; ok {
						got[name] = data
						return true
					}
					return false
				}
				st, cache, err = Index(context.Background(), docKeys(arts, func(int) bool { return true }), o, cache, emit)
				if err != nil {
					t.Fatal(err)
				}
				want := fresh(t, arts, opt)
				sameSite(t, fmt.Sprintf("step %d", step), got, want)
				if st.Renumbered > 0 {
					renumbered++
					ties += st.RenumberedTies
				}
				prev = got
			}
			// The renumbered shards' bounds on the average length hold:
			// a body edit that moves it keeps only the shards whose
			// impacts stay.
			edited := *arts[10]
			edited.Body += template.HTML(strings.Repeat("<p>more words make a longer article</p>", 30))
			arts = slices.Clone(arts)
			arts[10] = &edited
			got, _, _ := indexAgain(t, arts, opt, prev, cache, nil)
			sameSite(t, "a body edit after the moves", got, fresh(t, arts, opt))
			// Most moves change the article's number; with frequent
			// terms, some of those meet a tie at a term's cut.
			if renumbered < 30 {
				t.Errorf("%d of 40 moves renumbered the shards", renumbered)
			}
			if tc.opt.TopK > 0 && ties == 0 {
				t.Errorf("no tie at a term's cut after %d moves", renumbered)
			}
			t.Logf("%d moves renumbered, %d ties at a term's cut", renumbered, ties)
		})
	}
}

// A previous shard that is not what the cache says (spoiled, or gone)
// leaves the shards to be made the usual way, with the same bytes.
func TestShardsRenumberedNeedEveryShard(t *testing.T) {
	opt := Options{ShardBytes: 300, TopK: 20}
	arts := wordyArticles(200, 9)
	prev := fresh(t, arts, opt)
	_, cache, err := Index(context.Background(), docKeys(arts, func(int) bool { return true }), opt, nil, func(string, []byte) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	moved := *arts[50]
	moved.Date = arts[150].Date
	arts[50] = &moved
	content.SortByDate(arts)
	want := fresh(t, arts, opt)
	for _, spoil := range []func(site){
		func(s site) { delete(s, "t/3.bin") },
		func(s site) { s["t/3.bin"] = append(bytes.Clone(s["t/3.bin"]), 0) },
		func(s site) { b := bytes.Clone(s["t/3.bin"]); b[len(b)/2] ^= 1; s["t/3.bin"] = b },
	} {
		spoiled := maps.Clone(prev)
		spoil(spoiled)
		o := opt
		o.PrevShard = func(name string) []byte { return spoiled[name] }
		got, emit := collect()
		st, _, err := Index(context.Background(), docKeys(arts, func(int) bool { return true }), o, cache, emit)
		if err != nil {
			t.Fatal(err)
		}
		if st.Renumbered != 0 {
			t.Errorf("shards renumbered from a spoiled previous index")
		}
		sameSite(t, "spoiled", got, want)
	}
	// Shards the cache's record vouches for (size and sum made to match)
	// that do not hold exactly their run of terms: one with the next
	// shard's first entry as well, one without its last entry.
	var rd entryReader
	next, _, ok := rd.read(prev["t/4.bin"], len(arts))
	if !ok {
		t.Fatal("shard 4 does not read")
	}
	var last []byte
	for data := prev["t/3.bin"]; len(data) > 0; {
		e, rest, ok := rd.read(data, len(arts))
		if !ok {
			t.Fatal("shard 3 does not read")
		}
		last, data = e.data, rest
	}
	for name, shard := range map[string][]byte{
		"an entry too many": append(bytes.Clone(prev["t/3.bin"]), next.data...),
		"an entry too few":  prev["t/3.bin"][:len(prev["t/3.bin"])-len(last)],
	} {
		spoiled := maps.Clone(prev)
		spoiled["t/3.bin"] = shard
		rec := *cache
		rec.Shards = slices.Clone(cache.Shards)
		h := fnv.New64a()
		h.Write(shard)
		rec.Shards[3].Size, rec.Shards[3].Sum = len(shard), h.Sum64()
		o := opt
		o.PrevShard = func(name string) []byte { return spoiled[name] }
		got, emit := collect()
		st, _, err := Index(context.Background(), docKeys(arts, func(int) bool { return true }), o, &rec, emit)
		if err != nil {
			t.Fatal(err)
		}
		if st.Renumbered != 0 {
			t.Errorf("%s: shards renumbered from it", name)
		}
		sameSite(t, name, got, want)
	}
}

// FuzzRenumberEntry: reading and renumbering an entry of any bytes fails
// or gives an entry, and never panics; a renumbered entry reads back with
// its term and frequency.
func FuzzRenumberEntry(f *testing.F) {
	opt := Options{ShardBytes: 300, TopK: 5}
	files, emit := collect()
	if _, err := Write(context.Background(), wordyArticles(40, 3), opt, emit); err != nil {
		f.Fatal(err)
	}
	for name, data := range files {
		if strings.HasPrefix(name, shardDir) {
			f.Add(data, uint32(3), uint32(30))
		}
	}
	const n = 40
	sc := &scorer{n: n, avgLen: 50, docLen: make([]float32, n), maxScore: idf(n, 1) * (bm25K1 + 1), topK: opt.TopK}
	for i := range sc.docLen {
		sc.docLen[i] = float32(10 + i)
	}
	sc.prepare()
	f.Fuzz(func(t *testing.T, data []byte, from, to uint32) {
		m := move{from % n, to % n}
		rd := entryReader{sc: sc, entries: make([]Entry, n)}
		for len(data) > 0 {
			e, rest, ok := rd.read(data, n)
			if !ok {
				return
			}
			made, ok := rd.renumber(e, m, n, 0, 2)
			if ok && made != nil {
				back, tail, ok := rd.read(made, n)
				if !ok || len(tail) != 0 || !bytes.Equal(back.term, e.term) || back.df != e.df {
					t.Fatalf("renumbered entry of %q reads back as %+v", e.term, back)
				}
			}
			data = rest
		}
	})
}
