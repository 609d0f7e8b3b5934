package render

import (
	"html/template"
	"math"
	"strconv"
	"time"

	"github.com/sitegen/sitegen/internal/i18n"
	"github.com/sitegen/sitegen/internal/site"
)

// A Chart is a period's article counts, laid out for the "timeline"
// template to draw as inline SVG: a calendar heat map of years by months on
// the home page, bars per month on year pages and per day on month pages.
// Coordinates are in the SVG's viewBox units.
type Chart struct {
	Kind   string  // "calendar" or "bars"; the <svg>'s class
	Title  string  // accessible name: "Articles per month, 2019"
	Width  int     // viewBox width
	Height int     // viewBox height
	Cells  []Cell  // one per month (calendar, year bars) or day (month bars)
	Labels []Label // axis text: years and months, or days
}

// A Cell is one bar or calendar square, linking to its period's page.
type Cell struct {
	X, Y, W, H int    // the rectangle
	Count      int    // articles in the period
	Path       string // the period's page; "" when it has no articles
	Label      string // tooltip and accessible name: "March 2019: 42 articles"
	Opacity    string // fill-opacity, "0.15" for few articles up to "1" for the most
	TextX      int    // bars: where the count is written above the bar
	TextY      int

	// The same numbers written out as the attributes of the <rect> (x, y,
	// width, height, fill-opacity) and of the count's <text> (x, y), for
	// <rect {{.Rect}}>: one action instead of one per number. A month's
	// chart has 31 bars, and every action is a reflective call.
	Rect, Text template.HTMLAttr
}

// A Label is one piece of axis text.
type Label struct {
	X, Y int
	Text string
	Pos  template.HTMLAttr // X and Y as the attributes x and y: <text {{.Pos}}>
}

// attrs writes numeric attributes: name="value" pairs, space-separated.
// Values are numbers or shade's output, which need no escaping.
func attrs(pairs ...any) template.HTMLAttr {
	b := make([]byte, 0, 64)
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, pairs[i].(string)...)
		b = append(b, '=', '"')
		switch v := pairs[i+1].(type) {
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case string:
			b = append(b, v...)
		}
		b = append(b, '"')
	}
	return template.HTMLAttr(b)
}

// withAttrs fills in the written-out attributes of the chart's cells and labels.
func (c *Chart) withAttrs() *Chart {
	if c == nil {
		return nil
	}
	for i := range c.Cells {
		cl := &c.Cells[i]
		cl.Rect = attrs("x", cl.X, "y", cl.Y, "width", cl.W, "height", cl.H, "fill-opacity", cl.Opacity)
		cl.Text = attrs("x", cl.TextX, "y", cl.TextY)
	}
	for i := range c.Labels {
		l := &c.Labels[i]
		l.Pos = attrs("x", l.X, "y", l.Y)
	}
	return c
}

// Charted reports whether the timeline function may draw a chart for p:
// only on the first page of a paginated list. The build cache keys the
// other pages of the home list without the periods the chart counts.
func Charted(p *Page) bool { return p.Pager == nil || p.Pager.Number <= 1 }

// timeline returns the page's chart, for {{with timeline .}}: the whole
// archive by month on the home page's first page, a year by month, a month
// by day; nil elsewhere. Its words and month names are in lang.
func timeline(lang *i18n.Lang, p *Page) (*Chart, error) {
	if !Charted(p) {
		return nil, nil
	}
	w := chartWords{lang: lang}
	var c *Chart
	switch {
	case p.Kind == KindHome:
		c = w.calendar(p.Site.Years)
	case p.Period != nil && p.Period.Kind == site.Year:
		c = w.monthBars(p.Period)
	case p.Period != nil && p.Period.Kind == site.Month:
		c = w.dayBars(p.Period)
	}
	return c.withAttrs(), w.err
}

// chartWords names periods and counts in the site's language, keeping the
// first error (a word missing from a site's i18n file).
type chartWords struct {
	lang *i18n.Lang
	err  error
}

func (w *chartWords) t(key string, args ...any) string {
	s, err := w.lang.T(key, args...)
	if w.err == nil {
		w.err = err
	}
	return s
}

func (w *chartWords) date(t time.Time, format string) string {
	s, err := w.lang.Date(t, format)
	if w.err == nil {
		w.err = err
	}
	return s
}

// label is a cell's tooltip: "March 2019: 42 articles".
func (w *chartWords) label(name string, n int) string { return name + ": " + w.t("articles", n) }

// shortMonth is a month's name for an axis: whole when short ("Mai",
// "يناير"), else its first three letters ("Jan").
func (w *chartWords) shortMonth(m time.Month) string {
	name := []rune(w.lang.Month(m))
	if len(name) <= 6 {
		return string(name)
	}
	return string(name[:3])
}

const (
	calYearCol = 44 // width of the year labels' column
	calCell    = 22 // calendar square, gap included
	calHeader  = 18 // height of the month initials' row
)

// calendar lays out one row per year, oldest first, and one column per month.
func (w *chartWords) calendar(years []*site.Period) *Chart {
	if len(years) == 0 {
		return nil
	}
	c := &Chart{Kind: "calendar", Title: w.t("timelineMonths"),
		Width: calYearCol + 12*calCell, Height: calHeader + len(years)*calCell}
	for m := 0; m < 12; m++ {
		c.Labels = append(c.Labels, Label{X: calYearCol + m*calCell + calCell/2, Y: calHeader - 6,
			Text: string([]rune(w.lang.Month(time.Month(m + 1)))[:1])})
	}
	most := 0
	for _, y := range years {
		for _, m := range y.Children {
			most = max(most, len(m.Articles))
		}
	}
	for row, y := range years {
		top := calHeader + row*calCell
		c.Labels = append(c.Labels, Label{X: calYearCol / 2, Y: top + calCell/2 + 2, Text: w.date(y.Start, "year")})
		months := make([]*site.Period, 12)
		for _, m := range y.Children {
			months[m.Start.Month()-1] = m
		}
		for i, m := range months {
			cell := Cell{X: calYearCol + i*calCell, Y: top, W: calCell - 3, H: calCell - 3, Opacity: "0.06"}
			start := time.Date(y.Start.Year(), time.Month(i+1), 1, 0, 0, 0, 0, time.UTC)
			cell.Label = w.label(w.date(start, "month"), 0)
			if m != nil {
				cell.Count, cell.Path = len(m.Articles), m.URLPath()
				cell.Label = w.label(w.date(start, "month"), cell.Count)
				cell.Opacity = shade(cell.Count, most)
			}
			c.Cells = append(c.Cells, cell)
		}
	}
	return c
}

const (
	barsWidth  = 600 // viewBox width of a bar chart
	barsPlot   = 120 // height of the tallest bar
	barsTop    = 14  // room above the tallest bar for its count
	barsLabels = 18  // room below the bars for the axis
)

// monthBars draws a year's twelve months.
func (w *chartWords) monthBars(y *site.Period) *Chart {
	counts := make([]*site.Period, 12)
	for _, m := range y.Children {
		counts[m.Start.Month()-1] = m
	}
	return w.bars(w.t("timelineMonthsOf", w.date(y.Start, "year")), counts, func(i int) (string, string) {
		t := time.Date(y.Start.Year(), time.Month(i+1), 1, 0, 0, 0, 0, time.UTC)
		return w.shortMonth(t.Month()), w.date(t, "month")
	})
}

// dayBars draws a month's days.
func (w *chartWords) dayBars(m *site.Period) *Chart {
	days := time.Date(m.Start.Year(), m.Start.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
	counts := make([]*site.Period, days)
	for _, d := range m.Children {
		counts[d.Start.Day()-1] = d
	}
	return w.bars(w.t("timelineDaysOf", w.date(m.Start, "month")), counts, func(i int) (string, string) {
		t := time.Date(m.Start.Year(), m.Start.Month(), i+1, 0, 0, 0, 0, time.UTC)
		return strconv.Itoa(i + 1), w.date(t, "day")
	})
}

// bars lays out one bar per slot; name gives a slot's axis text and its
// full name for the tooltip. Empty slots have no bar and no link.
func (w *chartWords) bars(title string, slots []*site.Period, name func(i int) (axis, full string)) *Chart {
	c := &Chart{Kind: "bars", Title: title, Width: barsWidth, Height: barsTop + barsPlot + barsLabels}
	most := 0
	for _, p := range slots {
		if p != nil {
			most = max(most, len(p.Articles))
		}
	}
	slot := barsWidth / len(slots)
	for i, p := range slots {
		axis, full := name(i)
		x := i * slot
		c.Labels = append(c.Labels, Label{X: x + slot/2, Y: barsTop + barsPlot + barsLabels - 4, Text: axis})
		if p == nil {
			continue
		}
		n := len(p.Articles)
		h := max(2, n*barsPlot/most)
		c.Cells = append(c.Cells, Cell{X: x + 1, Y: barsTop + barsPlot - h, W: slot - 2, H: h,
			Count: n, Path: p.URLPath(), Label: w.label(full, n), Opacity: "1",
			TextX: x + slot/2, TextY: barsTop + barsPlot - h - 3})
	}
	return c
}

// shade maps a count to a fill-opacity between 0.2 and 1, on a square-root
// scale so that quiet months stay visible beside the busiest.
func shade(n, most int) string {
	if most == 0 {
		return "0.2"
	}
	v := 0.2 + 0.8*math.Sqrt(float64(n)/float64(most))
	return strconv.FormatFloat(v, 'f', 2, 64)
}
