package site

import (
	"time"

	"github.com/sitegen/sitegen/internal/content"
)

// PeriodKind says whether a Period is a year, a month or a day.
type PeriodKind int

const (
	Year  PeriodKind = 1
	Month PeriodKind = 2
	Day   PeriodKind = 3
)

// A Period is one year, month or day of the archive that has articles.
// Templates see it as .Period on date pages.
type Period struct {
	Kind     PeriodKind         // Year, Month or Day
	Start    time.Time          // first instant of the period (UTC calendar date)
	Articles []*content.Article // the period's articles, newest first
	Children []*Period          // months of a year, days of a month; oldest first
	Parent   *Period            // the year of a month, the month of a day; nil for years
	Prev     *Period            // the closest earlier period of the same kind with articles
	Next     *Period            // the closest later period of the same kind with articles
}

// URLPath is the period's site-relative URL: /YYYY/, /YYYY/MM/ or /YYYY/MM/DD/.
func (p *Period) URLPath() string {
	switch p.Kind {
	case Year:
		return p.Start.Format("/2006/")
	case Month:
		return p.Start.Format("/2006/01/")
	}
	return p.Start.Format("/2006/01/02/")
}

// periods builds the year > month > day tree from articles sorted newest
// first, and links each level's periods to their neighbours. A period's
// articles are a run of arts, which its Articles share (clipped).
func periods(arts []*content.Article) []*Period {
	var years []*Period
	var levels [4][]*Period // all periods of each kind, oldest first
	var cur [4]*Period
	var keys, ends [4]int // the current periods' calendar keys, and one past their newest article in arts
	// close gives cur[k] its articles, from lo on, and ends it.
	close := func(k PeriodKind, lo int) {
		if p := cur[k]; p != nil {
			p.Articles = arts[lo:ends[k]:ends[k]]
			cur[k] = nil
		}
	}
	for i := len(arts) - 1; i >= 0; i-- { // oldest first
		y, m, d := arts[i].Date.Date()
		key := [4]int{0, y, y*100 + int(m), (y*100+int(m))*100 + d}
		for k := Year; k <= Day; k++ {
			if cur[k] != nil && keys[k] == key[k] {
				continue
			}
			for kk := k; kk <= Day; kk++ {
				close(kk, i+1)
			}
			start := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
			switch k {
			case Month:
				start = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
			case Day:
				start = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
			}
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
			cur[k], keys[k], ends[k] = p, key[k], i+1
		}
	}
	for k := Year; k <= Day; k++ {
		close(k, 0)
	}
	return years
}
