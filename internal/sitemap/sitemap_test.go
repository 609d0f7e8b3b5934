package sitemap

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The entries as sitemap first wrote them: structs marshalled by
// encoding/xml, kept to check that the bytes written directly are the
// same.
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
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	start := xml.StartElement{Name: xml.Name{Local: root}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: Namespace}}}
	enc.EncodeToken(start)
	for _, e := range entries {
		if err := enc.Encode(e); err != nil {
			panic(err)
		}
	}
	enc.EncodeToken(start.End())
	enc.Close()
	buf.WriteByte('\n')
	return buf.Bytes()
}

// w3cDate formats a lastmod as the reference did: RFC 3339, empty for the
// zero time.
func w3cDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
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

// BenchmarkWrite writes the sitemap of a 50,000-article archive's 76,762
// pages: an index and two files.
func BenchmarkWrite(b *testing.B) {
	urls := make([]URL, 76762)
	for i := range urls {
		urls[i] = URL{Loc: fmt.Sprintf("https://example.org/%d/%02d/%02d/an-article-title-of-some-length-%d/", 2000+i%26, 1+i%12, 1+i%28, i),
			LastMod: time.Unix(946684800+int64(i)*16000, 0).UTC()}
	}
	part := func(n int) string { return fmt.Sprintf("sitemap-%d.xml", n) }
	emit := func(string, []byte) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(urls, "https://example.org/", "sitemap.xml", part, emit); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteSplitsAtMaxBytes: URLs long enough to pass MaxBytes before
// MaxURLs are cut into files each within MaxBytes, every URL in exactly
// one of them, in order, and the index gives each file's newest lastmod.
func TestWriteSplitsAtMaxBytes(t *testing.T) {
	long := strings.Repeat("a", 2100)
	urls := make([]URL, 25000) // some 55 MB of entries
	for i := range urls {
		urls[i] = URL{Loc: fmt.Sprintf("https://example.org/%d/%s&x=1", i, long), LastMod: time.Unix(int64(i)*60, 0).UTC()}
	}
	files := map[string][]byte{}
	emit := func(name string, data []byte) error { files[name] = bytes.Clone(data); return nil }
	part := func(n int) string { return fmt.Sprintf("sitemap-%d.xml", n) }
	if err := Write(urls, "https://example.org/", "sitemap.xml", part, emit); err != nil {
		t.Fatal(err)
	}
	var index struct {
		Sitemaps []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"sitemap"`
	}
	if err := xml.Unmarshal(files["sitemap.xml"], &index); err != nil {
		t.Fatal(err)
	}
	if len(index.Sitemaps) != 2 {
		t.Fatalf("%d sitemap files, want 2", len(index.Sitemaps))
	}
	next := 0
	for n, s := range index.Sitemaps {
		name := part(n + 1)
		data := files[name]
		if s.Loc != "https://example.org/"+name || len(data) > MaxBytes {
			t.Errorf("%s: index entry %q, %d bytes (at most %d)", name, s.Loc, len(data), MaxBytes)
		}
		var set struct {
			URLs []struct {
				Loc string `xml:"loc"`
			} `xml:"url"`
		}
		if err := xml.Unmarshal(data, &set); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, u := range set.URLs {
			if next >= len(urls) || u.Loc != urls[next].Loc {
				t.Fatalf("%s: URL %d out of order or repeated", name, next)
			}
			next++
		}
		if want := urls[next-1].LastMod.Format(time.RFC3339); s.LastMod != want {
			t.Errorf("%s: index lastmod %s, want %s", name, s.LastMod, want)
		}
	}
	if next != len(urls) {
		t.Errorf("%d URLs listed, want %d", next, len(urls))
	}
}
