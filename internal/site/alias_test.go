package site

import (
	"strings"
	"testing"

	"github.com/sitegen/sitegen/internal/config"
	"github.com/sitegen/sitegen/internal/content"
)

// An alias never takes a file the site writes itself or another alias's
// file: it is ignored with a note, and the rest keep working.
func TestAliasCollisions(t *testing.T) {
	a := art("a.md", "a", "2019-12-30", "Iraq")
	b := art("b.md", "b", "2019-12-31")
	a.Aliases = []string{"/old/a.html", "/2019/12/31/b/", "/tags/iraq/", "/2019/", "/2019/12/30/", "/tags/", "/page/2/", "/tags/x/page/3/", "/shared/"}
	b.Aliases = []string{"/shared/", "/old/b/"}
	s := New(config.Default(), []*content.Article{a, b})
	var kept []string
	for _, al := range s.Aliases {
		kept = append(kept, al.Path+"->"+al.Article.Source)
	}
	// b is newer, so it is visited first and keeps /shared/.
	if got := strings.Join(kept, " "); got != "/shared/->b.md /old/b/->b.md /old/a.html->a.md" {
		t.Errorf("aliases kept: %s", got)
	}
	notes := strings.Join(s.Notes, "\n")
	for _, p := range []string{"/2019/12/31/b/", "/tags/iraq/", "/2019/ ", "/2019/12/30/", "/tags/ ", "/page/2/", "/tags/x/page/3/"} {
		if !strings.Contains(notes, "alias "+p) && !strings.Contains(notes, "alias "+strings.TrimSpace(p)+" is a page") {
			t.Errorf("no note for alias %s:\n%s", p, notes)
		}
	}
	if !strings.Contains(notes, "a.md: alias /shared/ is already an alias of b.md") {
		t.Errorf("no note for the shared alias:\n%s", notes)
	}
}
