package i18n_test

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	sitegen "github.com/sitegen/sitegen"
	"github.com/sitegen/sitegen/internal/i18n"
)

func load(t *testing.T, tag string, site fstest.MapFS) *i18n.Lang {
	t.Helper()
	l, err := i18n.Load(tag, sitegen.DefaultI18n(), site) // a nil MapFS is an empty folder
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestShippedLanguagesAreComplete(t *testing.T) {
	en := load(t, "en", nil)
	for _, tag := range []string{"de", "ar"} {
		// Load falls back on English, so read the file alone to find gaps.
		only := fstest.MapFS{}
		data, err := fs.ReadFile(sitegen.DefaultI18n(), tag+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		only[tag+".yaml"] = &fstest.MapFile{Data: data}
		l, err := i18n.Load(tag, only, nil)
		if err != nil {
			t.Fatalf("%s: %v", tag, err)
		}
		for _, k := range en.Keys() {
			if _, err := l.T(k, 1, 2); err != nil {
				t.Errorf("%s.yaml lacks %q", tag, k)
			}
		}
		for _, f := range i18n.Formats {
			if _, err := l.Date(time.Now(), f); err != nil {
				t.Errorf("%s.yaml lacks date format %q", tag, f)
			}
		}
	}
}

func TestDates(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	d := time.Date(2019, 12, 30, 23, 30, 0, 0, berlin) // a Monday
	tests := []struct {
		tag, format, want string
	}{
		{"en", "date", "30 December 2019"},
		{"en", "day", "30 December 2019"},
		{"en", "month", "December 2019"},
		{"de", "date", "30. Dezember 2019"},
		{"de", "day", "30. Dezember 2019"},
		{"de-AT", "month", "Dezember 2019"},
		{"ar", "date", "30 ديسمبر 2019"},
		{"ar", "day", "30 ديسمبر 2019"},
	}
	for _, tt := range tests {
		got, err := load(t, tt.tag, nil).Date(d, tt.format)
		if err != nil || got != tt.want {
			t.Errorf("%s %s = %q, %v; want %q", tt.tag, tt.format, got, err, tt.want)
		}
	}
	if _, err := load(t, "en", nil).Date(d, "nope"); err == nil {
		t.Error("unknown date format: no error")
	}
}

func TestPlurals(t *testing.T) {
	tests := []struct {
		tag  string
		n    int
		want string
	}{
		{"en", 1, "1 article"},
		{"en", 0, "0 articles"},
		{"en", 31, "31 articles"},
		{"de", 1, "1 Artikel"},
		{"ar", 0, "لا مقالات"},
		{"ar", 1, "مقال واحد"},
		{"ar", 2, "مقالان"},
		{"ar", 3, "3 مقالات"},
		{"ar", 11, "11 مقالًا"},
		{"ar", 100, "100 مقال"},
	}
	for _, tt := range tests {
		got, err := load(t, tt.tag, nil).T("articles", tt.n)
		if err != nil || got != tt.want {
			t.Errorf("%s articles %d = %q, %v; want %q", tt.tag, tt.n, got, err, tt.want)
		}
	}
	en := load(t, "en", nil)
	if _, err := en.T("articles"); err == nil {
		t.Error("plural entry without a number: no error")
	}
	if _, err := en.T("articles", "x"); err == nil {
		t.Error("plural entry with a string: no error")
	}
	if got, _ := en.T("pageOf", 2, 7); got != "Page 2 of 7" {
		t.Errorf("pageOf = %q", got)
	}
	if _, err := en.T("no such key"); err == nil || !strings.Contains(err.Error(), "theme:i18n/en.yaml") {
		t.Errorf("missing key: error %v does not name the file", err)
	}
}

func TestDirection(t *testing.T) {
	for tag, want := range map[string]string{"en": "ltr", "de": "ltr", "ar": "rtl", "ar-EG": "rtl"} {
		if got := load(t, tag, nil).Dir; got != want {
			t.Errorf("%s: dir %q, want %q", tag, got, want)
		}
	}
	// A site may add a language: Hebrew and Urdu are right to left by script,
	// and a file may say so itself.
	for tag, want := range map[string]string{"he": "rtl", "ur": "rtl", "fa": "rtl", "fr": "ltr"} {
		site := fstest.MapFS{tag + ".yaml": {Data: []byte("words:\n  home: x\n")}}
		if got := load(t, tag, site).Dir; got != want {
			t.Errorf("%s: dir %q, want %q", tag, got, want)
		}
	}
	site := fstest.MapFS{"en.yaml": {Data: []byte("dir: rtl\n")}}
	if got := load(t, "en", site).Dir; got != "rtl" {
		t.Errorf("dir: rtl in the site's file ignored: %q", got)
	}
}

func TestSiteOverrides(t *testing.T) {
	site := fstest.MapFS{
		"de.yaml": {Data: []byte("words:\n  home: Archiv\n  custom: Eigenes\ndates:\n  date: \"02.01.2006\"\n")},
	}
	l := load(t, "de", site)
	d := time.Date(2020, 3, 4, 0, 0, 0, 0, time.UTC)
	check := func(got string, err error, want string) {
		t.Helper()
		if err != nil || got != want {
			t.Errorf("got %q, %v; want %q", got, err, want)
		}
	}
	got, err := l.T("home")
	check(got, err, "Archiv")
	got, err = l.T("custom")
	check(got, err, "Eigenes")
	got, err = l.T("search") // not overridden: the theme's German
	check(got, err, "Suche")
	got, err = l.Date(d, "date")
	check(got, err, "04.03.2020")
	got, err = l.Date(d, "month")
	check(got, err, "März 2020")
	if want := []string{"theme:i18n/en.yaml", "theme:i18n/de.yaml", "site:i18n/de.yaml"}; strings.Join(l.Files, " ") != strings.Join(want, " ") {
		t.Errorf("Files = %q, want %q", l.Files, want)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		tag, file, want string
	}{
		{"fr", "", `language "fr" has no translation file: add i18n/fr.yaml`},
		{"not a tag!", "", "not a BCP 47 tag"},
		{"de", "months: [a, b]\n", "site:i18n/de.yaml: months has 2 names"},
		{"de", "dir: up\n", "dir is \"up\""},
		{"de", "colour: red\n", "field colour not found"},
		{"de", "words:\n  articles: {one: x}\n", "need an \"other\" form"},
		{"de", "words:\n  articles: {lots: x, other: y}\n", "unknown plural form \"lots\""},
	}
	for _, tt := range tests {
		site := fstest.MapFS{}
		if tt.file != "" {
			site[tt.tag+".yaml"] = &fstest.MapFile{Data: []byte(tt.file)}
		}
		_, err := i18n.Load(tt.tag, sitegen.DefaultI18n(), site)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %q: error %v, want it to contain %q", tt.tag, tt.file, err, tt.want)
		}
	}
}
