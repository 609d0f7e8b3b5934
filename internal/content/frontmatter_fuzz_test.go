package content

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzFrontMatter feeds arbitrary Markdown sources to the front-matter
// parser and Markdown renderer. Whatever the bytes, Parse must return an
// article or a problem, never panic or hang, and an article must keep the
// model's promises: a title, a date, a slug that is one safe path segment,
// tag slugs likewise, aliases as CleanAlias makes them, and no bidi control
// left in one-line metadata. Crashers found are kept in testdata/fuzz/.
func FuzzFrontMatter(f *testing.F) {
	for _, seed := range []string{
		"---\ntitle: T\ndate: 2020-01-02\n---\nBody.\n",
		"---\ntitle: T\ndate: 2020-01-02T10:00:00+02:00\nlastmod: 2020-01-03\ntags: [a, B, a]\nauthor: X\nauthors: [Y]\nsummary: S\nslug: ../../etc/x\ndraft: true\naliases: [/a/, b.html]\n---\nBody.\n",
		"---\ntitle: \"\\u202Ex\"\ndate: 2020-01-02\naliases:\n  - ../x\n---\nB\n",
		"---\ntitle: [unclosed\n---\nB\n",
		"---\n&a [*a, *a]\n---\n",
		"---\ntitle: T\ndate: 2020-01-02\naliases: {a: b}\n---\nB\n",
		"---\r\ntitle: T\r\ndate: 2020-01-02\r\n---\r\nB\r\n",
		"\uFEFF---\ntitle: T\ndate: 2020-01-02\n---\n<script>x</script>\n",
		"---\ntitle: T\ndate: 0000-01-01\n---\nB",
		"---\n---\n",
		"---\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, prob := Parse("fuzz.md", data, time.UTC)
		if (a == nil) == (prob == nil) {
			t.Fatalf("Parse returned article %v and problem %v", a, prob)
		}
		if prob != nil {
			if prob.Path != "fuzz.md" || prob.Msg == "" || prob.Line < 0 {
				t.Fatalf("problem without place or message: %#v", prob)
			}
			return
		}
		if strings.TrimSpace(a.Title) == "" || a.Date.IsZero() {
			t.Fatalf("article without title or date: %q %v", a.Title, a.Date)
		}
		checkSegment(t, "slug", a.Slug)
		for _, tag := range a.Tags {
			checkSegment(t, "tag slug", tag.Slug)
		}
		for _, al := range a.Aliases {
			if again, err := CleanAlias(al); err != nil || again != al {
				t.Fatalf("alias %q is not clean: %q, %v", al, again, err)
			}
		}
		for _, s := range append([]string{a.Title, a.Summary}, a.Authors...) {
			if strings.IndexFunc(s, isBidiControl) >= 0 {
				t.Fatalf("bidi control in %q", s)
			}
		}
		if !utf8.ValidString(string(a.Body)) {
			t.Fatalf("body is not UTF-8")
		}
	})
}

func checkSegment(t *testing.T, what, s string) {
	t.Helper()
	if s == "" || len(s) > maxSlug || s == "." || s == ".." || strings.ContainsAny(s, "/\\\x00") {
		t.Fatalf("%s %q is not one safe path segment", what, s)
	}
}
