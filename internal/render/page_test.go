package render

import (
	"fmt"
	"strings"
	"testing"
)

func TestPagerLinks(t *testing.T) {
	tests := []struct {
		number, total int
		want          string // numbers, "…" for gaps, [n] for the current page
	}{
		{1, 1, "[1]"},
		{1, 2, "[1] 2"},
		{2, 2, "1 [2]"},
		{1, 7, "[1] 2 3 … 7"},
		{4, 7, "1 2 3 [4] 5 6 7"},
		{5, 9, "1 2 3 4 [5] 6 7 8 9"},
		{6, 20, "1 … 4 5 [6] 7 8 … 20"},
		{20, 20, "1 … 18 19 [20]"},
		{1250, 2500, "1 … 1248 1249 [1250] 1251 1252 … 2500"},
	}
	for _, tt := range tests {
		p := &Pager{Number: tt.number, Total: tt.total, First: "/tags/x/"}
		var got []string
		for _, l := range p.Links() {
			switch {
			case l.Number == 0:
				got = append(got, "…")
			case l.Current:
				got = append(got, fmt.Sprintf("[%d]", l.Number))
			default:
				got = append(got, fmt.Sprint(l.Number))
			}
			if l.Number > 0 && l.Path != PageURL("/tags/x/", l.Number) {
				t.Errorf("page %d: path %q", l.Number, l.Path)
			}
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("page %d of %d: %s, want %s", tt.number, tt.total, s, tt.want)
		}
	}
}
