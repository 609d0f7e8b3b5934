package build

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/site"
)

// periodGraph is a year with two months; the first month has two days,
// the second one; days and months link their neighbours.
type periodGraph struct {
	year           *site.Period
	jan, feb       *site.Period
	d1, d2, d3, d4 *site.Period // d1, d2 in January; d3 in February; d4 a day of the next year
}

func newPeriodGraph() *periodGraph {
	day := func(m, d int) time.Time { return time.Date(2024, time.Month(m), d, 0, 0, 0, 0, time.UTC) }
	g := &periodGraph{
		year: &site.Period{Kind: site.Year, Start: day(1, 1)},
		jan:  &site.Period{Kind: site.Month, Start: day(1, 1)},
		feb:  &site.Period{Kind: site.Month, Start: day(2, 1)},
		d1:   &site.Period{Kind: site.Day, Start: day(1, 3)},
		d2:   &site.Period{Kind: site.Day, Start: day(1, 9)},
		d3:   &site.Period{Kind: site.Day, Start: day(2, 2)},
		d4:   &site.Period{Kind: site.Day, Start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	g.year.Children = []*site.Period{g.jan, g.feb}
	g.jan.Parent, g.feb.Parent = g.year, g.year
	g.jan.Children, g.feb.Children = []*site.Period{g.d1, g.d2}, []*site.Period{g.d3}
	g.d1.Parent, g.d2.Parent, g.d3.Parent = g.jan, g.jan, g.feb
	g.jan.Next, g.feb.Prev = g.feb, g.jan
	g.d1.Next, g.d2.Prev, g.d2.Next, g.d3.Prev, g.d3.Next, g.d4.Prev = g.d2, g.d1, g.d3, g.d2, g.d4, g.d3
	for _, p := range []*site.Period{g.d1, g.d2, g.d3, g.d4} {
		p.Articles = []*content.Article{{}}
	}
	return g
}

// TestWritePeriodReads checks that a date page's period key changes when,
// and only when, a period one of its paths reaches changes what the path
// reads of it: its count (when read), its start, or which periods a step
// finds.
func TestWritePeriodReads(t *testing.T) {
	key := func(g *periodGraph, own func(*periodGraph) *site.Period, reads []render.PeriodRead) sourceHash {
		var k keyWriter
		writePeriodReads(&k, []*site.Period{own(g)}, reads)
		return k.sum()
	}
	type pr struct {
		path  string
		count bool
	}
	reads := func(rs ...pr) []render.PeriodRead {
		var out []render.PeriodRead
		for _, r := range rs {
			out = append(out, render.PeriodRead{Path: r.path, Count: r.count})
		}
		return out
	}
	jan := func(g *periodGraph) *site.Period { return g.jan }
	d2 := func(g *periodGraph) *site.Period { return g.d2 }
	for _, tc := range []struct {
		name    string
		own     func(*periodGraph) *site.Period
		reads   []render.PeriodRead
		change  func(g *periodGraph)
		changes bool
	}{
		{"own count read", jan, reads(pr{"", true}), func(g *periodGraph) { g.jan.Articles = make([]*content.Article, 5) }, true},
		{"own count not read", jan, reads(pr{"", false}), func(g *periodGraph) { g.jan.Articles = make([]*content.Article, 5) }, false},
		{"a child's count", jan, reads(pr{"c", true}), func(g *periodGraph) { g.d2.Articles = nil }, true},
		{"a child's count not read", jan, reads(pr{"c", false}), func(g *periodGraph) { g.d2.Articles = nil }, false},
		{"a new child", jan, reads(pr{"c", false}), func(g *periodGraph) { g.jan.Children = append(g.jan.Children, g.d4) }, true},
		{"another month's child", jan, reads(pr{"c", true}), func(g *periodGraph) { g.d3.Articles = nil }, false},
		{"parent's start", d2, reads(pr{"u", false}), func(g *periodGraph) { g.jan.Start = g.jan.Start.Add(time.Hour) }, true},
		{"grandparent's kind", d2, reads(pr{"uu", false}), func(g *periodGraph) { g.year.Kind = site.Month }, true},
		{"grandparent unread", d2, reads(pr{"u", true}), func(g *periodGraph) { g.year.Articles = nil }, false},
		{"next day moves", d2, reads(pr{"n", false}), func(g *periodGraph) { g.d2.Next = g.d4 }, true},
		{"next day gone", d2, reads(pr{"n", false}), func(g *periodGraph) { g.d2.Next = nil }, true},
		{"the day after next", d2, reads(pr{"n", true}), func(g *periodGraph) { g.d4.Articles = nil }, false},
		{"the day after next, read", d2, reads(pr{"nn", true}), func(g *periodGraph) { g.d4.Articles = nil }, true},
		// The same periods reached from different ones: the month's
		// children's previous days are d1 (from d2) and nothing (from
		// d1), then nothing and d1.
		{"which child a step starts from", jan, reads(pr{"cp", false}), func(g *periodGraph) {
			g.d2.Prev, g.d1.Prev = nil, g.d1
		}, true},
	} {
		before := key(newPeriodGraph(), tc.own, tc.reads)
		g := newPeriodGraph()
		tc.change(g)
		if changed := key(g, tc.own, tc.reads) != before; changed != tc.changes {
			t.Errorf("%s: key changed %v, want %v", tc.name, changed, tc.changes)
		}
	}
}

// TestKeyWriterMatchesStream checks that a keyWriter, which gathers fields
// in a buffer, gives the sums of feeding each length-prefixed field to
// SHA-256 as it comes: random runs of fields, some longer than the buffer,
// keyed one after another with one writer.
func TestKeyWriterMatchesStream(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var k keyWriter
	for run := range 300 {
		ref := sha256.New()
		varint := func(n int64) { ref.Write(binary.AppendVarint(nil, n)) }
		for range rng.IntN(60) {
			switch rng.IntN(4) {
			case 0:
				n := rng.Int64N(1<<40) - 1<<39
				k.int(n)
				varint(n)
			case 1, 2:
				size := rng.IntN(64)
				if rng.IntN(10) == 0 {
					size = rng.IntN(3 * keyBuffer)
				}
				b := make([]byte, size)
				for i := range b {
					b[i] = byte(rng.IntN(256))
				}
				if rng.IntN(2) == 0 {
					k.str(string(b))
				} else {
					k.bytes(b)
				}
				varint(int64(len(b)))
				ref.Write(b)
			case 3:
				var h sourceHash
				for i := range h {
					h[i] = byte(rng.IntN(256))
				}
				k.hash(h)
				ref.Write(h[:])
			}
		}
		var want sourceHash
		copy(want[:], ref.Sum(nil))
		if got := k.sum(); got != want {
			t.Fatalf("run %d: sum %x, want %x", run, got, want)
		}
	}
}
