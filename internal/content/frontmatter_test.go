package content

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"

	"go.yaml.in/yaml/v3"
)

// Front matters as archives write them, which decodeSimple reads, and
// near misses that it must leave to yaml.v3.
var (
	simpleFrontMatter = []string{
		"title: \"The Against Teford\"\ndate: 2019-03-01T06:10:15Z\ntags: [\"hanadi nofa\", \"tionvi ilar\"]\nauthor: \"Elena Ancocaer\"\nsummary: \"Are these \\\"i\\\" the great?\"\n",
		"title: Plain title, with a comma\ndate: 2024-05-01\nlastmod: 2024-05-02 10:00:00\nslug: my-slug\ndraft: true\nimage: /img/a.jpg\nsource: https://example.org/a\n",
		"title: 'It''s here'\nauthors: [Ann, 'B. Cole', \"C\"]\naliases: [/old/a/, b.html]\ntags: []\n",
		"title: x\naliases: /single/\n\ndraft: false   \n",
		"tags: [a b, c-d, e_f, g.h, 'i, j']  \n",
		"",
	}
	notSimpleFrontMatter = []string{
		"title: Iraq: a country\n",  // ": " in a plain value: a yaml.v3 error
		"title: a # comment\n",      // a comment
		"title: x\ntitle: y\n",      // a key given twice: a yaml.v3 error
		"title: ~\n",                // null
		"title:\n",                  // null
		"title: \"a\\u00e9\"\n",     // an escape decodeSimple leaves to yaml.v3
		"tags:\n  - a\n  - b\n",     // a block sequence
		"title: >\n  folded\n",      // a block scalar
		"weight: 3\n",               // an unknown key
		"title: &a x\nauthor: *a\n", // an anchor and an alias
		"title: \"unclosed\n",       // an error
		"tags: [a, [b]]\n",          // a nested list
		"tags: [null, a]\n",         // a null item
		"title: [a]\n",              // a list for a string: a yaml.v3 error
		"draft: yes\n",              // YAML 1.1 booleans
		"date: 2024-01-01\t\n",      // a tab
		"title: \"x\" y\n",          // text after a quoted value
		"title: -x\n",               // an indicator first
		"title: x:\n",               // a mapping
		"title: \u2028x\n",          // a line separator
		"title: x\r\n",              // a carriage return
	}
)

// TestSimpleFrontMatter checks that decodeSimple reads the simple front
// matters as yaml.v3 does and leaves the others to it.
func TestSimpleFrontMatter(t *testing.T) {
	for _, s := range simpleFrontMatter {
		if !decodeSimple(s, &frontMatter{}) {
			t.Errorf("decodeSimple left %q to yaml.v3", s)
		}
		checkSimpleFrontMatter(t, s)
	}
	var fm frontMatter
	if !decodeSimple(simpleFrontMatter[0], &fm) || fm.Summary != `Are these "i" the great?` || len(fm.Tags) != 2 {
		t.Errorf("generated front matter: %+v", fm)
	}
	for _, s := range notSimpleFrontMatter {
		if decodeSimple(s, &frontMatter{}) {
			t.Errorf("decodeSimple read %q, which is for yaml.v3", s)
		}
	}
}

// FuzzSimpleFrontMatter checks that whatever front matter decodeSimple
// reads, yaml.v3 reads without error to the same values.
func FuzzSimpleFrontMatter(f *testing.F) {
	for _, s := range append(simpleFrontMatter, notSimpleFrontMatter...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		checkSimpleFrontMatter(t, s)
	})
}

func checkSimpleFrontMatter(t *testing.T, s string) {
	t.Helper()
	var fast, slow frontMatter
	if !decodeSimple(s, &fast) {
		return
	}
	if err := yaml.Unmarshal([]byte(s), &slow); err != nil {
		t.Fatalf("decodeSimple read %q, which yaml.v3 rejects: %v", s, err)
	}
	if got, want := frontMatterView(&fast), frontMatterView(&slow); got != want {
		t.Fatalf("front matter %q:\ndecodeSimple %s\nyaml.v3      %s", s, got, want)
	}
}

// frontMatterView prints what parseMarkdown reads of a front matter,
// telling nil lists from empty ones.
func frontMatterView(fm *frontMatter) string {
	list := func(l []string) string {
		if l == nil {
			return "nil"
		}
		return fmt.Sprintf("%q", l)
	}
	var node func(n *yaml.Node) string
	node = func(n *yaml.Node) string {
		s := fmt.Sprintf("{%v %q %d:%d", n.Kind, n.Value, n.Line, n.Column)
		for _, c := range n.Content {
			s += " " + node(c)
		}
		return s + "}"
	}
	return fmt.Sprintf("title %q date %s lastmod %s tags %s author %q authors %s summary %q image %q slug %q draft %v source %q aliases %s",
		fm.Title, node(&fm.Date), node(&fm.Updated), list(fm.Tags), fm.Author, list(fm.Authors), fm.Summary,
		fm.Image, fm.Slug, fm.Draft, fm.Source, node(&fm.Aliases))
}

// TestSimpleFrontMatterCopies checks that the strings decodeSimple sets
// are not parts of the front matter's text, which would keep all of it
// alive for as long as an article keeps its title or a tag.
func TestSimpleFrontMatterCopies(t *testing.T) {
	text := simpleFrontMatter[0]
	var fm frontMatter
	if !decodeSimple(text, &fm) {
		t.Fatal("not read")
	}
	start := uintptr(unsafe.Pointer(unsafe.StringData(text)))
	for _, s := range append([]string{fm.Title, fm.Author, fm.Summary}, fm.Tags...) {
		if p := uintptr(unsafe.Pointer(unsafe.StringData(s))); p >= start && p < start+uintptr(len(text)) {
			t.Errorf("%q is a part of the front matter's text", s)
		}
	}
}
