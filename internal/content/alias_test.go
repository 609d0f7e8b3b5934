package content

import (
	"strings"
	"testing"
)

func TestCleanAlias(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		in, want string // want "" means an error
		errHas   string
	}{
		{in: "/news/2019/embassy.html", want: "/news/2019/embassy.html"},
		{in: "/old/path", want: "/old/path/"},
		{in: "old/path/", want: "/old/path/"},
		{in: "//old//path//", errHas: "not a URL"},
		{in: "/a//b", want: "/a/b/"},
		{in: "/old/INDEX.HTM", want: "/old/INDEX.HTM"},
		{in: "/old/story/index.html", want: "/old/story/"},
		{in: "/index.html", errHas: "home page"},
		{in: "/", errHas: "home page"},
		{in: "  ", errHas: "empty"},
		{in: "../../etc/x", errHas: `".." segment`},
		{in: "/a/../../etc/x", errHas: `".." segment`},
		{in: "/a/./b", errHas: `"." segment`},
		{in: "/etc/passwd", want: "/etc/passwd/"}, // absolute on the site: stays inside public/
		{in: "https://evil.example/x", errHas: "not a URL"},
		{in: "javascript:alert(1)", want: "/javascript:alert(1)/"}, // only ever a file name
		{in: "/a\x00b", errHas: "U+0000"},
		{in: "/a\nb", errHas: "U+000A"},
		{in: "/evil\u202Egpj.html", errHas: "U+202E"},
		{in: `..\..\windows\x`, errHas: "backslash"},
		{in: `C:\x`, errHas: "backslash"},
		{in: "/" + long + "/", errHas: "300 bytes"},
		{in: "/" + strings.Repeat("é", 127) + "/", want: "/" + strings.Repeat("é", 127) + "/"}, // 254 bytes
		{in: "/a?b=1", errHas: "query"},
		{in: "/a#frag", errHas: "query or fragment"},
		{in: "/\xff", errHas: "UTF-8"},
	}
	for _, tt := range tests {
		got, err := CleanAlias(tt.in)
		if tt.want != "" {
			if err != nil || got != tt.want {
				t.Errorf("CleanAlias(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.errHas) {
			t.Errorf("CleanAlias(%q) = %q, %v; want an error containing %q", tt.in, got, err, tt.errHas)
		}
	}
}

// Front matter is the way hostile paths arrive: slug, aliases and tags must
// come out as safe single segments or be reported on their own line.
func TestFrontMatterPaths(t *testing.T) {
	long := strings.Repeat("x", 300)
	src := "---\ntitle: T\ndate: 2020-01-02\nslug: ../../etc/x\ntags: [\"../../etc\", \"a\\\\b\", \"" + long + "\", \"" + long + "y\"]\naliases:\n  - /old/one.html\n  - old/two\n---\nBody.\n"
	a, prob := Parse("a.md", []byte(src), nil)
	if prob != nil {
		t.Fatal(prob)
	}
	if a.Slug != "etc-x" {
		t.Errorf("slug = %q, want etc-x", a.Slug)
	}
	if got := strings.Join(a.Aliases, " "); got != "/old/one.html /old/two/" {
		t.Errorf("aliases = %q", got)
	}
	if len(a.Tags) != 4 {
		t.Fatalf("tags = %v, want 4 distinct", a.Tags)
	}
	for _, tg := range a.Tags {
		if tg.Slug == "" || len(tg.Slug) > maxSlug || strings.ContainsAny(tg.Slug, `/\.`) {
			t.Errorf("tag %q has unsafe slug %q", tg.Name, tg.Slug)
		}
	}
	if a.Tags[2].Slug == a.Tags[3].Slug {
		t.Errorf("two long tags that differ at the end share slug %q", a.Tags[2].Slug)
	}

	bad := "---\ntitle: T\ndate: 2020-01-02\naliases:\n  - /fine/\n  - ../../etc/passwd\n---\nBody.\n"
	_, prob = Parse("b.md", []byte(bad), nil)
	if prob == nil {
		t.Fatal("alias ../../etc/passwd accepted")
	}
	if prob.Line != 6 || !strings.Contains(prob.Msg, `".." segment`) {
		t.Errorf("problem = %v; want line 6 naming the .. segment", prob)
	}
}

// Bidirectional overrides in one-line metadata would reorder the text around
// a title on list pages and in <title>; they are removed there.
func TestBidiControlsStripped(t *testing.T) {
	src := "---\ntitle: \"Safe \u202Eelif.exe\u202C title\"\ndate: 2020-01-02\nauthor: \"\u2066Jane\u2069\"\ntags: [\"\u202Bx\"]\nsummary: \"S\u202Dum\"\n---\nBody \u202E stays in the body.\n"
	a, prob := Parse("a.md", []byte(src), nil)
	if prob != nil {
		t.Fatal(prob)
	}
	for _, s := range []string{a.Title, a.Authors[0], a.Tags[0].Name, a.Summary} {
		if strings.IndexFunc(s, isBidiControl) >= 0 {
			t.Errorf("bidi control left in %q", s)
		}
	}
	if a.Title != "Safe elif.exe title" {
		t.Errorf("title = %q", a.Title)
	}
	if !strings.Contains(string(a.Body), "\u202E") {
		t.Errorf("body lost its text: %q", a.Body)
	}
	if _, prob := Parse("b.md", []byte("---\ntitle: \"\u202E\u202C\"\ndate: 2020-01-02\n---\nBody.\n"), nil); prob == nil {
		t.Error("a title of only bidi controls was accepted")
	}
}
