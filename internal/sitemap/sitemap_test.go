package sitemap

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"testing"
	"time"
)

// The entries as sitemap wrote them before it wrote them element by
// element: structs marshalled by encoding/xml, kept to check that the
// bytes are the same.
type referenceURL struct {
	XMLName xml.Name `xml:"url"`
	Loc     string   `xml:"loc"`
	LastMod string   `xml:"lastmod,omitempty"`
}

type referenceIndexEntry struct {
	XMLName xml.Name `xml:"sitemap"`
	Loc     string   `xml:"loc"`
	LastMod string   `xml:"lastmod,omitempty"`
}

func referenceFile(root string, entries []any) []byte {
	f := newFile(root)
	for _, e := range entries {
		if err := f.enc.Encode(e); err != nil {
			panic(err)
		}
	}
	f.enc.EncodeToken(f.root.End())
	f.enc.Close()
	f.buf.WriteByte('\n')
	return f.buf.Bytes()
}

func TestWriteMatchesReference(t *testing.T) {
	zone := time.FixedZone("", 5*3600+1800)
	urls := []URL{
		{Loc: "https://example.org/", LastMod: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)},
		{Loc: "https://example.org/a?b=1&c=<2>'\"\n\t\x00é", LastMod: time.Date(2019, 12, 30, 14, 5, 0, 0, zone)},
		{Loc: "https://example.org/no-date/"},
		{Loc: ""},
	}
	var entries []any
	for _, u := range urls {
		entries = append(entries, referenceURL{Loc: u.Loc, LastMod: w3cDate(u.LastMod)})
	}
	files := map[string][]byte{}
	emit := func(name string, data []byte) error { files[name] = bytes.Clone(data); return nil }
	if err := Write(urls, "https://example.org/", "sitemap.xml", nil, emit); err != nil {
		t.Fatal(err)
	}
	if got, want := files["sitemap.xml"], referenceFile("urlset", entries); !bytes.Equal(got, want) {
		t.Errorf("sitemap differs from the reference:\n%s\nwant\n%s", got, want)
	}

	// Above MaxURLs: an index of parts.
	many := make([]URL, MaxURLs+3)
	for i := range many {
		many[i] = URL{Loc: fmt.Sprintf("https://example.org/p/%d/", i), LastMod: time.Unix(int64(i)*3600, 0).UTC()}
	}
	clear(files)
	part := func(n int) string { return fmt.Sprintf("sitemap-%d.xml", n) }
	if err := Write(many, "https://example.org/", "sitemap.xml", part, emit); err != nil {
		t.Fatal(err)
	}
	var idx []any
	for n, chunk := range [][]URL{many[:MaxURLs], many[MaxURLs:]} {
		var es []any
		for _, u := range chunk {
			es = append(es, referenceURL{Loc: u.Loc, LastMod: w3cDate(u.LastMod)})
		}
		if got, want := files[part(n+1)], referenceFile("urlset", es); !bytes.Equal(got, want) {
			t.Errorf("%s differs from the reference", part(n+1))
		}
		idx = append(idx, referenceIndexEntry{Loc: "https://example.org/" + part(n+1), LastMod: w3cDate(chunk[len(chunk)-1].LastMod)})
	}
	if got, want := files["sitemap.xml"], referenceFile("sitemapindex", idx); !bytes.Equal(got, want) {
		t.Errorf("sitemap index differs from the reference:\n%s\nwant\n%s", got, want)
	}
}
