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
// first, and links each level's periods to their neighbours.
func periods(arts []*content.Article) []*Period {
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

func reverse(as []*content.Article) {
	for i, j := 0, len(as)-1; i < j; i, j = i+1, j-1 {
		as[i], as[j] = as[j], as[i]
	}
}
