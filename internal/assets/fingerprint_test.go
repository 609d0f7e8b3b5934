package assets

import (
	"testing"
	"testing/fstest"
)

func TestFingerprint(t *testing.T) {
	theme := fstest.MapFS{
		"style.css":     {Data: []byte("body{color:red}")},
		"js/search.js":  {Data: []byte("1")},
		"logo.svg":      {Data: []byte("<svg/>")},
		".hidden/x.css": {Data: []byte("x")},
		"print.css":     {Data: []byte("@media print{}")},
	}
	site := fstest.MapFS{"style.css": {Data: []byte("body{color:blue}")}}

	f, err := Fingerprint(theme, site)
	if err != nil {
		t.Fatal(err)
	}
	h := f.Path("/style.css")
	if h == "/style.css" || len(h) != len("/style.0123456789.css") {
		t.Fatalf("Path(/style.css) = %q, want a hashed name", h)
	}
	if got := string(f.Content(h[1:])); got != "body{color:blue}" {
		t.Errorf("hashed style.css holds %q, want the site's file", got)
	}
	if got := f.Path("/logo.svg"); got != "/logo.svg" {
		t.Errorf("images keep their names: got %q", got)
	}
	if got := f.Path("/js/search.js"); got == "/js/search.js" {
		t.Errorf("scripts in folders get hashed names: got %q", got)
	}
	if n := len(f.Files()); n != 3 {
		t.Errorf("%d hashed files (%q), want 3: hidden files are skipped", n, f.Files())
	}

	// The name follows the content: another stylesheet, another name; the
	// same one, the same name.
	g, _ := Fingerprint(theme)
	if g.Path("/style.css") == h {
		t.Error("different content, same hashed name")
	}
	again, _ := Fingerprint(theme, site)
	if again.Path("/style.css") != h {
		t.Error("same content, different hashed name")
	}
}
