package content

import (
	"math/rand/v2"
	"testing"
	"time"
)

// URLPath writes the date as time.Format's "/2006/01/02/" does, for any
// date and time zone.
func TestURLPathMatchesFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("east", 14*3600), time.FixedZone("west", -12*3600)}
	dates := []time.Time{
		time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(7, 3, 4, 0, 0, 0, 0, time.UTC), time.Date(999, 10, 10, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 6, 0, 0, 0, 0, time.UTC), {},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		dates = append(dates, time.Unix(r.Int64N(400*365*86400)-200*365*86400, 0))
	}
	for _, d := range dates {
		for _, z := range zones {
			a := &Article{Date: d.In(z), Slug: "a-slug"}
			if got, want := a.URLPath(), a.Date.Format("/2006/01/02/")+"a-slug/"; got != want {
				t.Fatalf("URLPath of %v = %q, want %q", a.Date, got, want)
			}
		}
	}
}
