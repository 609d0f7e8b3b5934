package linkcheck

import (
	"slices"
	"testing"
	"testing/fstest"
)

func TestCheck(t *testing.T) {
	site := fstest.MapFS{
		"index.html": {Data: []byte(`<a href="b/">missing</a> <a href="https://example.org/news/a/">absolute</a>
			<a href="https://elsewhere.org/x/">external</a> <a href="#top">fragment</a>
			<link rel="stylesheet" href="/style.css"> <img src="/news/missing.png" alt="">
			<a href="/news/a/?q=1#x">query</a> <link rel="stylesheet" href="/news/style.css">`)},
		"a/index.html": {Data: []byte(`<a href="../">up</a> <a href="../c/">missing folder</a>`)},
		"style.css":    {Data: []byte(`body{}`)},
	}
	// The site is served from /news/: "/style.css" is on the host but not in the site.
	broken, checked, err := Check(site, "https://example.org/news/")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range broken {
		got = append(got, b.Page+" -> "+b.Target)
	}
	want := []string{
		"a/index.html -> c/index.html",
		"index.html -> b/index.html",
		"index.html -> missing.png",
		"index.html -> outside the site: /style.css",
	}
	if !slices.Equal(got, want) {
		t.Errorf("broken links:\n got %q\nwant %q", got, want)
	}
	if checked != 9 {
		t.Errorf("checked %d internal links, want 9", checked)
	}
}
