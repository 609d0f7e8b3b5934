package site

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/content"
)

// referenceRelated is the straightforward form of relatedTo, scoring with
// a map over the articles themselves, kept to check the dense one against.
func referenceRelated(s *Site, a *content.Article, n int) []*content.Article {
	total := float64(len(s.Articles))
	scores := map[*content.Article]float64{}
	for _, t := range a.Tags {
		ti := s.tagBySlug[t.Slug]
		if ti == nil || len(ti.Articles) < 2 {
			continue
		}
		idf := math.Log1p(total / float64(len(ti.Articles)))
		pos := s.position[a]
		i := sort.Search(len(ti.Articles), func(i int) bool { return s.position[ti.Articles[i]] >= pos })
		for j := max(0, i-relatedWindow); j < min(len(ti.Articles), i+relatedWindow+1); j++ {
			if b := ti.Articles[j]; b != a {
				scores[b] += idf
			}
		}
	}
	type scored struct {
		a     *content.Article
		score float64
		apart time.Duration
	}
	var all []scored
	for b, sc := range scores {
		apart := a.Date.Sub(b.Date).Abs()
		all = append(all, scored{b, sc + closeness(apart), apart})
	}
	sort.Slice(all, func(i, j int) bool {
		x, y := all[i], all[j]
		if x.score != y.score {
			return x.score > y.score
		}
		if x.apart != y.apart {
			return x.apart < y.apart
		}
		return x.a.Source < y.a.Source
	})
	out := []*content.Article{}
	for _, c := range all[:min(n, len(all))] {
		out = append(out, c.a)
	}
	return out
}

// TestRelatedMatchesReference compares every article's related stories
// with referenceRelated's on archives built to have many ties: few
// distinct dates (equal distances), tags of every frequency (windows cut
// short and not), an article carrying the same tag twice, and tags on one
// article only.
func TestRelatedMatchesReference(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		r := rand.New(rand.NewPCG(seed, 42))
		var arts []*content.Article
		for i := range 1500 {
			var tags []content.Tag
			for range 1 + r.IntN(5) {
				// Tag k with weight ~1/k: a few tags on most articles.
				k := int(math.Exp(r.Float64() * math.Log(400)))
				tags = append(tags, content.MakeTag(fmt.Sprintf("tag %d", k)))
			}
			if i%97 == 0 && len(tags) > 0 {
				tags = append(tags, tags[0])
			}
			if i%131 == 0 {
				tags = append(tags, content.MakeTag(fmt.Sprintf("only %d", i)))
			}
			src := fmt.Sprintf("posts/%04d.md", r.IntN(100000))
			arts = append(arts, &content.Article{Title: src, Slug: fmt.Sprintf("s%d", i), Source: src + fmt.Sprint(i),
				Date: time.Date(2020, 1, 1+r.IntN(40), 12*r.IntN(2), 0, 0, 0, time.UTC), Tags: tags})
		}
		s := New(config.Default(), arts)
		for _, a := range s.Articles {
			got, want := s.Related(a), referenceRelated(s, a, RelatedCount)
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d: related of %s: %v, want %v", seed, a.Source, sources(got), sources(want))
			}
		}
	}
}

func sources(as []*content.Article) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Source)
	}
	return out
}

// BenchmarkRelated computes every article's related stories on a synthetic
// archive of 10,000 and 200,000 articles (tags of every frequency, a year of dates).
func BenchmarkRelated(b *testing.B) {
	for _, n := range []int{10000, 200000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			arts := syntheticArchive(n)
			cfg := config.Default()
			b.ResetTimer()
			for range b.N {
				s := New(cfg, slices.Clone(arts))
				s.Related(s.Articles[0])
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "articles/s")
		})
	}
}

// syntheticArchive returns n articles with tags of every frequency (two
// to five each) and dates spread over a year.
func syntheticArchive(n int) []*content.Article {
	r := rand.New(rand.NewPCG(7, 7))
	arts := make([]*content.Article, n)
	for i := range arts {
		var tags []content.Tag
		for range 2 + r.IntN(4) {
			k := int(math.Exp(r.Float64() * math.Log(float64(n/10))))
			tags = append(tags, content.MakeTag(fmt.Sprintf("tag %d", k)))
		}
		arts[i] = &content.Article{Source: fmt.Sprintf("posts/%d.md", i), Slug: fmt.Sprintf("s%d", i),
			Date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(365*24)) * time.Hour), Tags: tags}
	}
	return arts
}

// BenchmarkNew indexes a synthetic archive of 50,000 articles, as a build
// from the cache does once it has read the articles.
func BenchmarkNew(b *testing.B) {
	arts := syntheticArchive(50000)
	cfg := config.Default()
	for b.Loop() {
		New(cfg, slices.Clone(arts))
	}
}

// BenchmarkNewLike indexes a synthetic archive of 50,000 articles again
// after one article moved to another day, as the preview does for a date
// edit (site.NewLike given the site before and the moved article).
func BenchmarkNewLike(b *testing.B) {
	arts := syntheticArchive(50000)
	cfg := config.Default()
	prev := New(cfg, slices.Clone(arts))
	moved := prev.Articles[len(prev.Articles)/2]
	for i := 0; b.Loop(); i++ {
		moved.Date = moved.Date.Add(time.Duration(1-2*(i%2)) * 240 * time.Hour) // there and back
		prev = NewLike(cfg, slices.Clone(prev.Articles), prev, map[*content.Article]bool{moved: true})
	}
}

// relatedScan.apart is time.Time.Sub made cheaper: the same Duration for
// dates near and far, with nanoseconds, at the ends of what Unix seconds
// and Durations hold.
func TestApartMatchesSub(t *testing.T) {
	dates := []time.Time{
		time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2020, 1, 1, 0, 0, 0, 999999999, time.UTC),
		time.Date(2019, 12, 31, 23, 59, 59, 1, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1677, 9, 21, 0, 12, 43, 145224191, time.UTC),
		time.Date(1737, 1, 1, 0, 0, 0, 5, time.UTC), // 283 and 284 years from 2020: either side of the fast path's limit
		time.Date(1736, 1, 1, 0, 0, 0, 5, time.UTC),
		time.Date(2262, 4, 11, 23, 47, 16, 854775807, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Unix(1<<62, 0).UTC(),
		time.Unix(-1<<62, 999).UTC(),
		time.Unix(math.MaxInt64-62135596800, 0).UTC(),
		time.Unix(math.MaxInt64-5, 0).UTC(), // seconds that wrap around
		time.Unix(math.MinInt64+5, 0).UTC(),
		time.Date(2020, 6, 1, 12, 0, 0, 0, time.FixedZone("east", 5*3600)),
	}
	rs := &relatedScan{}
	for _, d := range dates {
		rs.secs, rs.nsecs = append(rs.secs, d.Unix()), append(rs.nsecs, int32(d.Nanosecond()))
	}
	for a := range dates {
		for b := range dates {
			if got, want := rs.apart(int32(a), int32(b)), dates[a].Sub(dates[b]).Abs(); got != want {
				t.Errorf("apart(%v, %v) = %v, want %v", dates[a], dates[b], got, want)
			}
		}
	}
}

// BenchmarkRelatedInputs hashes the related stories' inputs of 50,000
// synthetic articles, as a build does to check its cache's.
func BenchmarkRelatedInputs(b *testing.B) {
	s := New(config.Default(), syntheticArchive(50000))
	b.ResetTimer()
	for range b.N {
		inputsHash(s.Articles)
	}
}
