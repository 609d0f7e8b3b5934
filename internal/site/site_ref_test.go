package site

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/content"
)

// TestDedupeAndPeriodsMatchReference checks dedupeURLs and periods against
// the implementations they replaced (kept below) on random archives: few
// days and few slugs, so that URLs collide, some slugs looking like renamed
// ones ("story-2"), dates in time zones that change their clocks at
// midnight and beyond year 9999, the articles in site order as New sorts
// them. The slugs, notes and order must be the same, and the periods the
// same tree with the same articles.
func TestDedupeAndPeriodsMatchReference(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("east", 5*3600+1800)}
	if sp, err := time.LoadLocation("America/Sao_Paulo"); err == nil { // clocks went back at midnight
		zones = append(zones, sp)
	} else {
		t.Logf("no zone data (%v): fixed zones only", err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	slugs := []string{"story", "story-2", "story-3", "news", "news-2", "x"}
	renamed, years := 0, 0 // so that the rounds are known to rename and to span years
	for round := range 400 {
		loc := zones[round%len(zones)]
		base := time.Date(2010+rng.IntN(3), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), 0, 0, 0, loc)
		if round%50 == 7 {
			base = time.Date(9999, 12, 30, 12, 0, 0, 0, loc)
		}
		n := 1 + rng.IntN(40)
		var a, b []*content.Article
		for i := range n {
			d := base.Add(time.Duration(rng.IntN(24*90)) * time.Hour / time.Duration(1+rng.IntN(8)))
			if rng.IntN(4) == 0 {
				d = base.AddDate(0, 0, rng.IntN(3)) // same instants, many collisions
			}
			x := &content.Article{Source: fmt.Sprintf("s%03d.md", rng.IntN(1000)*100+i), Slug: slugs[rng.IntN(len(slugs))], Date: d.In(loc)}
			y := *x
			a, b = append(a, x), append(b, &y)
		}
		sa, sb := &Site{Articles: a}, &Site{Articles: b}
		sortByDate(a)
		sortByDate(b)
		sa.dedupeURLs()
		sb.refDedupeURLs()
		describe := func(s *Site) string {
			var out string
			for _, x := range s.Articles {
				out += x.Source + " " + x.URLPath() + "\n"
			}
			return out + fmt.Sprint(s.Notes)
		}
		if got, want := describe(sa), describe(sb); got != want {
			t.Fatalf("round %d: dedupeURLs gives\n%s\nthe reference\n%s", round, got, want)
		}
		if got, want := describePeriods(periods(a)), describePeriods(refPeriods(b)); got != want {
			t.Fatalf("round %d: periods give\n%s\nthe reference\n%s", round, got, want)
		}
		if len(sa.Renamed()) != len(sa.Notes) {
			t.Fatalf("round %d: %d articles renamed, %d notes", round, len(sa.Renamed()), len(sa.Notes))
		}
		for i, x := range sa.Renamed() {
			if !strings.HasPrefix(sa.Notes[i], x.Source+": ") || !strings.HasSuffix(sa.Notes[i], " "+x.URLPath()) {
				t.Fatalf("round %d: renamed %s, noted %q", round, x.Source, sa.Notes[i])
			}
		}
		renamed += len(sa.Notes)
		years += len(periods(a)) - 1
	}
	if renamed < 100 || years < 50 {
		t.Errorf("%d renames and %d years after the first in all rounds: the archives are too tame", renamed, years)
	}
}

// describePeriods writes out a period tree: each period's kind, start,
// articles (by source), and the starts of its parent and neighbours.
func describePeriods(years []*Period) string {
	var out string
	start := func(p *Period) string {
		if p == nil {
			return "-"
		}
		return p.Start.Format(time.DateOnly)
	}
	var walk func([]*Period, string)
	walk = func(ps []*Period, indent string) {
		for _, p := range ps {
			var srcs []string
			for _, a := range p.Articles {
				srcs = append(srcs, a.Source)
			}
			out += fmt.Sprintf("%s%d %s %v up %s prev %s next %s\n", indent, p.Kind, start(p), srcs, start(p.Parent), start(p.Prev), start(p.Next))
			walk(p.Children, indent+"  ")
		}
	}
	walk(years, "")
	return out
}

// refDedupeURLs is dedupeURLs as it was: one map of every URL. The article whose
// source path sorts first keeps the plain slug, so the result does not
// depend on load order.
func (s *Site) refDedupeURLs() {
	taken := make(map[string]*content.Article, len(s.Articles))
	shared := map[string]bool{} // URLs taken by more than one article
	for _, a := range s.Articles {
		u := a.URLPath()
		if taken[u] == nil {
			taken[u] = a
		} else {
			shared[u] = true
		}
	}
	if len(shared) == 0 {
		return
	}
	byURL := map[string][]*content.Article{}
	for _, a := range s.Articles {
		if u := a.URLPath(); shared[u] {
			byURL[u] = append(byURL[u], a)
		}
	}
	for _, u := range slices.Sorted(maps.Keys(shared)) {
		as := byURL[u]
		sort.Slice(as, func(i, j int) bool { return as[i].Source < as[j].Source })
		for _, a := range as[1:] {
			base := a.Slug
			for n := 2; ; n++ {
				a.Slug = fmt.Sprintf("%s-%d", base, n)
				if taken[a.URLPath()] == nil {
					break
				}
			}
			taken[a.URLPath()] = a
			s.Notes = append(s.Notes, fmt.Sprintf("%s: URL %s is taken by %s; using %s",
				a.Source, u, as[0].Source, a.URLPath()))
		}
	}
	sortByDate(s.Articles)
}

// refPeriods is periods as it was: each period's articles appended to a
// slice of its own.
func refPeriods(arts []*content.Article) []*Period {
	var years []*Period
	var levels [4][]*Period // all periods of each kind, oldest first
	var cur [4]*Period
	for i := len(arts) - 1; i >= 0; i-- { // oldest first
		a := arts[i]
		for k := Year; k <= Day; k++ {
			start := dateKey(a.Date, int(k))
			if cur[k] == nil || !cur[k].Start.Equal(start) {
				p := &Period{Kind: k, Start: start}
				if k > Year {
					p.Parent = cur[k-1]
					p.Parent.Children = append(p.Parent.Children, p)
				} else {
					years = append(years, p)
				}
				if n := len(levels[k]); n > 0 {
					p.Prev = levels[k][n-1]
					p.Prev.Next = p
				}
				levels[k] = append(levels[k], p)
				cur[k] = p
				for kk := k + 1; kk <= Day; kk++ {
					cur[kk] = nil
				}
			}
			// Appended oldest first here; reversed to newest first below.
			cur[k].Articles = append(cur[k].Articles, a)
		}
	}
	for k := Year; k <= Day; k++ {
		for _, p := range levels[k] {
			reverse(p.Articles)
		}
	}
	return years
}

// dateKey truncates t to a period: 1 = year, 2 = month, 3 = day.
func dateKey(t time.Time, depth int) time.Time {
	switch depth {
	case 1:
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case 2:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func reverse(as []*content.Article) {
	for i, j := 0, len(as)-1; i < j; i, j = i+1, j-1 {
		as[i], as[j] = as[j], as[i]
	}
}
