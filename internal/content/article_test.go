package content

import (
	"math/rand/v2"
	"testing"
	"time"
	"unsafe"
)

// URLPath writes the date as time.Format's "/2006/01/02/" does, for any
// date and time zone; AppendURLPath appends the same.
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
			if got, want := string(a.AppendURLPath([]byte("x"))), "x"+a.URLPath(); got != want {
				t.Fatalf("AppendURLPath of %v = %q, want %q", a.Date, got, want)
			}
		}
	}
}

// TestMakeTagMemoHoldsCopies: the tags MakeTag remembers for the life of
// the process share no bytes with the name they were made from, which may
// be a part of a file read or mapped for one build only.
func TestMakeTagMemoHoldsCopies(t *testing.T) {
	buf := []byte("xx Memoprobe xx")
	name := string(buf)[3:12] // "Memoprobe", a part of a larger string; one word, kept as it is
	got := MakeTag(name)
	if got.Name != "Memoprobe" || got.Slug != "memoprobe" {
		t.Fatalf("MakeTag(%q) = %+v", name, got)
	}
	v, ok := tagMemo.Load(name)
	if !ok {
		t.Fatal("the tag was not remembered")
	}
	kept := v.(Tag)
	start := uintptr(unsafe.Pointer(unsafe.StringData(name)))
	for _, s := range []string{kept.Name, kept.Slug} {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(s))); p >= start && p < start+uintptr(len(name)) {
			t.Errorf("the remembered tag's %q is a part of the name it was made from", s)
		}
	}
}
