package build

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/net/html"

	"github.com/sitegen/sitegen/internal/archive"
	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/rawtext"
	"github.com/sitegen/sitegen/internal/render"
	"github.com/sitegen/sitegen/internal/site"
)

// corpusDir finds the shared corpus of real news: $SITEGEN_CORPUS, else
// ../shared/corpus beside the repository root (where CI puts it), else
// /work/shared/corpus. It returns "" when there is none.
func corpusDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("SITEGEN_CORPUS"); d != "" {
		return d
	}
	dirs := []string{"/work/shared/corpus"}
	if root, err := filepath.Abs(repoRoot); err == nil {
		dirs = append([]string{filepath.Join(root, "..", "shared", "corpus")}, dirs...)
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "dw", "INDEX.tsv")); err == nil {
			return d
		}
	}
	return ""
}

// The boilerplate phrases of the corpus README (and of the scrapes they
// come from) that no page may show as text.
var boilerplatePhrases = regexp.MustCompile(`(?i)(read more:|also read:|watch video \d|permalink https?://|send facebook|\bedited by:?\s|while you(?:'|’)re here|sign up here|dw sends a daily selection|originally (?:written|published) in|(?:translated|adapted) from (?:the )?german\b|orginally written|contributed to (?:this|the) (?:article|report|story)|contributed additional reporting|additional reporting|a post shared by|enable javascript|^[a-z]{1,5}(?:\s*,\s*[a-z]{1,5})*\s*/\s*[a-z, ]*\((?:afp|ap|reuters|dpa)\b)`)

// knownBoilerplate says whether a source paragraph is boilerplate the
// README lists (or a close variant): such paragraphs may leave the page.
// It is written apart from package rawtext, so that the test catches the
// normalizer removing real text.
var knownBoilerplate = regexp.MustCompile(`(?i)(^read more:|^watch video|permalink https?://|^edited by|^while you(?:'|’)re here|^dw sends a daily|^(?:this|the|it) (?:article|piece)?\s*(?:was|has been) (?:originally |orginally |first )?(?:written|published|translated|adapted|appeared) (?:in|from)|^this article originally appeared in|^(?:this|the) (?:article|piece), which was (?:adapted|translated|written) (?:from|in)|^adapted from the german|contributed (?:additional reporting )?to (?:this|the) (?:article|report|story)|^(?:with )?additional reporting|^with material from|^[a-z]{1,5}(?:\s*,\s*[a-z]{1,5})*\s*/\s*[a-z, ]*\([a-z ,/]+\)\s*$|^[a-z]{1,5}/\s*\(|^a post shared by|wherever you get your podcasts|click here:?$|^you can find even more content)`)

// TestCorpus normalizes and renders every article of the shared corpus of
// real DW and BBC news and checks the figures the normalizer promises:
// headlines found as INDEX.tsv gives them (at least 98% in dw/ and in
// bbc/), no page showing a boilerplate phrase, and every paragraph of real
// text of a source on its page. It runs whenever the corpus is there and
// must run in CI.
func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	if dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("the shared corpus is missing: CI must have shared/corpus beside the clone, or set SITEGEN_CORPUS")
		}
		t.Skip("no shared corpus (set SITEGEN_CORPUS)")
	}
	type entry struct{ file, title, path string }
	var entries []entry
	for _, set := range []struct {
		name, layout string
		titleCol     int
	}{{"dw", "dw/%s", 5}, {"bbc", "bbc/%s", 2}} {
		rows := readTSV(t, filepath.Join(dir, set.name, "INDEX.tsv"))
		found := 0
		for _, r := range rows[1:] {
			src := filepath.Join(dir, set.name, r[0])
			// BBC files carry no date; the test files them under a dated
			// folder, as an archivist would.
			p := set.name + "/" + r[0]
			if set.name == "bbc" {
				p = "bbc/" + strings.Replace(r[0], "/", "/2005/01/01/", 1)
			}
			entries = append(entries, entry{src, r[set.titleCol], p})
			data, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			if s, err := rawtext.Parse(string(data)); err == nil && s.Title == strings.Join(strings.Fields(r[set.titleCol]), " ") {
				found++
			} else if err == nil {
				t.Logf("%s: headline %q, INDEX.tsv has %q", r[0], s.Title, r[set.titleCol])
			}
		}
		n := len(rows) - 1
		acc := float64(found) / float64(n)
		t.Logf("%s: headline accuracy %d/%d = %.2f%%", set.name, found, n, 100*acc)
		if acc < 0.98 || n < 100 {
			t.Errorf("%s: headline accuracy %.2f%% over %d files, want at least 98%%", set.name, 100*acc, n)
		}
	}

	var arts []*content.Article
	sources := map[string][]byte{}
	bad := 0
	for _, e := range entries {
		data, err := os.ReadFile(e.file)
		if err != nil {
			t.Fatal(err)
		}
		a, prob := content.Parse(e.path, data, time.UTC)
		if prob != nil {
			bad++
			t.Logf("problem: %v", prob)
			continue
		}
		sources[e.path] = data
		arts = append(arts, a)
	}
	norm, err := archive.Normalize(context.Background(), arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Load(context.Background(), repoRoot) // for the default theme and configuration
	if err != nil {
		t.Fatal(err)
	}
	st := site.New(s.Site.Config, norm.Articles)
	removed := 0
	for _, a := range norm.Articles {
		removed += len(a.Findings)
	}
	t.Logf("%d files, %d published, %d bad, %d duplicates, %d findings", len(entries), len(norm.Articles), bad, len(norm.Duplicates), removed)
	identical := 0
	for _, d := range norm.Duplicates {
		if !bytes.Equal(sources[d.Article.Source], sources[d.Of.Source]) {
			t.Logf("near-duplicate: %s of %s (%s)", d.Article.Source, d.Of.Source, d.Reason)
			continue
		}
		identical++
	}
	// 25 files of bbc/ are byte-identical copies of another (INDEX.tsv
	// names more, but some of the originals it names are not in the corpus).
	if identical != 25 {
		t.Errorf("%d byte-identical duplicates found, want 25", identical)
	}

	pages, lost, shown := 0, 0, 0
	for _, p := range render.Pages(st, s.Lang) {
		if p.Kind != render.KindArticle {
			continue
		}
		var buf bytes.Buffer
		if err := s.Renderer.Render(&buf, p); err != nil {
			t.Fatal(err)
		}
		pages++
		text := storyText(t, buf.Bytes())
		for _, line := range strings.Split(text, "\n") {
			if m := boilerplatePhrases.FindString(line); m != "" {
				shown++
				t.Errorf("%s: page shows boilerplate %q in %q", p.Article.Source, m, line)
			}
		}
		flat := squash(text)
		for _, para := range sourceParagraphs(sources[p.Article.Source]) {
			if knownBoilerplate.MatchString(para) || strings.Contains(flat, squash(para)) {
				continue
			}
			lost++
			t.Errorf("%s: paragraph lost: %q", p.Article.Source, para)
		}
	}
	t.Logf("%d article pages: %d boilerplate lines shown, %d source paragraphs lost", pages, shown, lost)
}

// storyText is the text a reader sees of an article page's story: the
// <article> element less the byline block, whose credits are metadata by
// design. Blocks are separated by newlines.
func storyText(t *testing.T, page []byte) string {
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "class" && strings.Contains(" "+a.Val+" ", " byline ") {
					return
				}
			}
			switch n.Data {
			case "p", "h1", "h2", "li", "div", "header":
				b.WriteByte('\n')
			}
		}
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "article" {
			walk(n)
			break
		}
	}
	return b.String()
}

// sourceParagraphs splits a raw file into its paragraphs as a reader would
// see them, without using the normalizer: blank-line separated, the date
// token and invisible characters removed, spacing collapsed.
func sourceParagraphs(data []byte) []string {
	text := strings.NewReplacer("\u00AD", "", "\u2060", "", "\u200B", "", "\r", "").Replace(string(data))
	text = regexp.MustCompile(`^\s*date\s+\d{4}-\d{2}-\d{2}\s*`).ReplaceAllString(text, "")
	var out []string
	for _, p := range regexp.MustCompile(`\n\s*\n`).Split(text, -1) {
		for _, line := range strings.Split(p, "\n") {
			if strings.TrimSpace(line) != "" {
				out = append(out, strings.Join(strings.Fields(strings.TrimLeft(strings.TrimSpace(line), "-•* ")), " "))
			}
		}
	}
	return out
}

// squash keeps only letters and digits, lower-cased, so that paragraphs
// rejoined or split differently still compare.
func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(html.UnescapeString(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func readTSV(t *testing.T, file string) [][]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma, r.LazyQuotes, r.FieldsPerRecord = '\t', true, -1
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, rec)
	}
	return rows
}
