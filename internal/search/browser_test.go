package search_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sitegen/sitegen/internal/build"
)

// chromium returns the path of the Debian chromium, skipping the test when
// it is missing, except in CI, where a missing browser is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed; CI must install the Debian chromium package")
	}
	t.Skip("chromium is not installed")
	return ""
}

// browser starts a headless Chromium and returns a context for its tab.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium makes its singleton socket's folder in TMPDIR and,
		// killed at the end of a test, leaves it there.
		chromedp.Env("TMPDIR=" + t.TempDir()),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// serveSample builds the repository's sample archive and serves it on
// 127.0.0.1; with ranges false, as a host that ignores Range requests
// and sends whole files.
func serveSample(t *testing.T, ranges bool) *httptest.Server {
	t.Helper()
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := build.Run(context.Background(), build.Options{Source: "../..", Dest: dest}); err != nil {
		t.Fatalf("building the sample archive: %v", err)
	}
	files := http.FileServer(http.Dir(dest))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ranges {
			r.Header.Del("Range")
		}
		w.Header().Set("Cache-Control", "no-store") // each query's requests reach the server
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// answerTo returns a script that waits until the search page has answered
// query q (the page puts q in its address when it starts the search and
// stays busy from the first key typed until the answer is drawn), then
// gives the status line, the links of the results in order, the
// highlighted words and the page's requests for document files.
func answerTo(q string) string {
	return `new Promise((resolve) => {
  const q = ` + strconv.Quote(q) + `;
  const done = () => {
    const form = document.getElementById('search');
    const status = document.getElementById('search-status').textContent;
    if ((new URLSearchParams(location.search).get('q') || '') !== q || form.getAttribute('aria-busy') || !status) return false;
    resolve({status, links: [...document.querySelectorAll('#search-results li h2 a')].map((a) => a.getAttribute('href')),
      marks: [...document.querySelectorAll('#search-results mark')].map((m) => m.textContent),
      docs: performance.getEntriesByType('resource').filter((r) => r.name.includes('/search/d/'))
        .map((r) => ({path: new URL(r.name).pathname, status: r.responseStatus, bytes: r.decodedBodySize}))});
    return true;
  };
  if (!done()) { const id = setInterval(() => { if (done()) clearInterval(id); }, 20); }
})`
}

type answer struct {
	Status string
	Links  []string
	Marks  []string
	Docs   []fetched // the requests for document files
}

type fetched struct {
	Path   string
	Status int
	Bytes  int
}

// TestSearchPageInChromium runs queries on the sample archive's search
// page, on a host that answers Range requests, where the results' documents
// must come as byte ranges of the shared document files, and on one that
// sends whole files.
func TestSearchPageInChromium(t *testing.T) {
	t.Run("ranges", func(t *testing.T) { testSearchPage(t, true) })
	t.Run("whole files", func(t *testing.T) { testSearchPage(t, false) })
}

func testSearchPage(t *testing.T, ranges bool) {
	srv := serveSample(t, ranges)
	ctx := browser(t)
	for _, tc := range []struct {
		name, query, year string
		first             string // the day folder of the expected first result, the only article of its day; "" for none
		mark              string // a word the results must highlight
	}{
		{"ranked", "Soviet monuments", "", "/2023/07/09/", "monuments"},
		{"prefix while typing", "tatto", "", "/2023/07/10/", "tattoo"},
		{"folded case and accents", "BAGHDÄD embassy", "", "/2019/12/30/", "Baghdad"},
		{"year filter keeps", "embassy", "2019", "/2019/12/30/", "embassy"},
		{"year filter drops", "tattoo", "2019", "", ""},
	} {
		// Typed, a key at a time: on a loaded machine the keys may come
		// further apart than the page's pause before searching, so
		// searches for the first letters run too, and their requests join
		// the page's log; only the answer is checked.
		t.Run(tc.name+"/typed", func(t *testing.T) {
			err := chromedp.Do(ctx,
				chromedp.Navigate(srv.URL+"/search/"),
				chromedp.WaitVisible(chromedp.ID("search-q")),
				chromedp.SetValue(chromedp.ID("search-year"), tc.year),
				chromedp.SendKeys(chromedp.ID("search-q"), tc.query),
			)
			if err != nil {
				t.Fatal(err)
			}
			checkAnswer(t, ctx, tc.query, tc.year, tc.first, tc.mark)
		})
		// Opened from a link to the search, a fresh page runs the one
		// query, whose requests for documents are checked.
		t.Run(tc.name+"/linked", func(t *testing.T) {
			params := url.Values{"q": {tc.query}}
			if tc.year != "" {
				params.Set("year", tc.year)
			}
			if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/search/?"+params.Encode())); err != nil {
				t.Fatal(err)
			}
			if got := checkAnswer(t, ctx, tc.query, tc.year, tc.first, tc.mark); tc.first != "" {
				checkDocRequests(t, got.Docs, len(got.Links), ranges)
			}
		})
	}
}

// checkAnswer waits for the page's answer to query in year and checks
// that its first result is in the day folder first ("" for no results)
// and that the results highlight mark.
func checkAnswer(t *testing.T, ctx context.Context, query, year, first, mark string) answer {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[answer](answerTo(query), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if first == "" {
		if len(got.Links) != 0 || !strings.Contains(got.Status, "No articles") {
			t.Errorf("%q in %s: got %q (%s), want no results", query, year, got.Links, got.Status)
		}
		return got
	}
	if len(got.Links) == 0 || !strings.HasPrefix(got.Links[0], first) {
		t.Fatalf("%q: results %q (%s); want %s first", query, got.Links, got.Status, first)
	}
	found := false
	for _, m := range got.Marks {
		found = found || strings.EqualFold(m, mark)
	}
	if !found {
		t.Errorf("%q: highlighted %q, want %q among them", query, got.Marks, mark)
	}
	return got
}

// checkDocRequests checks how a page of results fetched its documents:
// from the shared document files (search/d/N.bin), with a Range request
// each for the header and for every run of neighbouring documents, so
// fewer bytes than the files hold; or, from a host without Range support,
// each file once, whole.
func checkDocRequests(t *testing.T, reqs []fetched, results int, ranges bool) {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatalf("%d results shown, but no document file fetched", results)
	}
	perFile := map[string]int{}
	for _, r := range reqs {
		if !docFileURL.MatchString(r.Path) {
			t.Errorf("fetched %s, not a shared document file", r.Path)
		}
		perFile[r.Path]++
		want := http.StatusPartialContent
		if !ranges {
			want = http.StatusOK
		}
		if r.Status != want {
			t.Errorf("%s: status %d, want %d", r.Path, r.Status, want)
		}
	}
	for path, n := range perFile {
		if ranges && (n < 2 || n > 1+results) {
			t.Errorf("%s fetched %d times for %d results: want its header, then one range per run of results", path, n, results)
		}
		if !ranges && n != 1 {
			t.Errorf("%s fetched %d times from a host without ranges, want once", path, n)
		}
	}
}

var docFileURL = regexp.MustCompile(`^/search/d/[0-9]+\.bin$`)

// TestSearchReadsAnEditedDocumentFile: a search page that keeps a document
// file's header from before a rebuild, as a browser cache may, then reads
// a document from the rebuilt file, whose offsets moved, reads the whole
// file afresh and shows the right result.
func TestSearchReadsAnEditedDocumentFile(t *testing.T) {
	root := t.TempDir()
	write := func(name, title, date, body string) {
		src := "---\ntitle: " + title + "\ndate: " + date + "\ntags: [Letters]\n---\n" + body + "\n"
		if err := os.WriteFile(filepath.Join(root, "content", name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.MkdirAll(filepath.Join(root, "content"), 0o755)
	write("a.md", "Alpha story", "2024-05-03", "Alpha text.")
	write("b.md", "Bravo story", "2024-05-02", "Bravo text.")
	write("c.md", "Charlie story", "2024-05-01", "Charlie text.")
	dest := filepath.Join(t.TempDir(), "public")
	rebuild := func() {
		if _, err := build.Run(context.Background(), build.Options{Source: root, Dest: dest}); err != nil {
			t.Fatal(err)
		}
	}
	rebuild()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		http.FileServer(http.Dir(dest)).ServeHTTP(w, r)
	}))
	defer srv.Close()
	ctx := browser(t)
	query := func(q string) answer {
		t.Helper()
		// Submitting marks the form busy at once, so answerTo waits for
		// this query's answer.
		submit := `performance.clearResourceTimings();
document.getElementById('search-q').value = ` + strconv.Quote(q) + `;
document.getElementById('search').requestSubmit();
` + answerTo(q)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[answer](submit, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/search/"), chromedp.WaitVisible(chromedp.ID("search-q"))); err != nil {
		t.Fatal(err)
	}
	if got := query("bravo"); len(got.Links) != 1 || !strings.Contains(got.Links[0], "bravo") {
		t.Fatalf("bravo: %q (%s)", got.Links, got.Status)
	}
	// Equal scores, or a tag and no words: newest first, though documents
	// are numbered oldest first.
	newestFirst := func(what string, got answer) {
		t.Helper()
		if len(got.Links) != 3 || !strings.Contains(got.Links[0], "alpha") ||
			!strings.Contains(got.Links[1], "bravo") || !strings.Contains(got.Links[2], "charlie") {
			t.Errorf("%s: %q (%s), want alpha, bravo and charlie, newest first", what, got.Links, got.Status)
		}
	}
	newestFirst("story", query("story"))
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/search/?tag=letters")); err != nil {
		t.Fatal(err)
	}
	tagged, err := chromedp.Run(ctx, chromedp.Evaluate[answer](answerTo(""), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	newestFirst("tag letters", tagged)
	// The page keeps the file's header; the edit of Charlie, the oldest
	// and so the first document, moves Alpha's bytes.
	write("c.md", "Charlie story", "2024-05-01", "Charlie text, "+strings.Repeat("much longer now, ", 20))
	ageSite(t, root)
	rebuild()
	got := query("alpha")
	if len(got.Links) != 1 || !strings.Contains(got.Links[0], "alpha") || !slices.Contains(got.Marks, "Alpha") {
		t.Fatalf("alpha after the edit: %q, marks %q (%s)", got.Links, got.Marks, got.Status)
	}
	whole := false
	for _, r := range got.Docs {
		whole = whole || r.Status == http.StatusOK
	}
	if !whole {
		t.Errorf("requests %+v: the stale header was not noticed (no whole file read)", got.Docs)
	}
}

// ageSite backdates a site's files, so that a build trusts their stamps.
func ageSite(t *testing.T, root string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, old, old)
		}
		return err
	})
}

// TestSearchPageWhileTyping: keys typed further apart than the page's
// pause before searching, as on a loaded machine, start a search for each
// beginning of the word; the page is busy from each key until the answer
// to the whole word is drawn, and emptying the box while a search runs
// leaves it idle and empty, not busy forever.
func TestSearchPageWhileTyping(t *testing.T) {
	srv := serveSample(t, true)
	ctx := browser(t)
	busy := `document.getElementById('search').getAttribute('aria-busy')`
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(srv.URL + "/search/"), chromedp.WaitVisible(chromedp.ID("search-q"))}
	for _, r := range "tatto" {
		steps = append(steps, chromedp.SendKeys(chromedp.ID("search-q"), string(r)), chromedp.Sleep(200*time.Millisecond))
	}
	if err := chromedp.Do(ctx, steps[:len(steps)-1]...); err != nil {
		t.Fatal(err)
	}
	// Right after the last key the page is waiting to search: busy,
	// though an answer to "tatt" may be on screen.
	if b, err := chromedp.Run(ctx, chromedp.Evaluate[*string](busy)); err != nil || b == nil {
		t.Errorf("right after a key the form is not busy (%v)", err)
	}
	checkAnswer(t, ctx, "tatto", "", "/2023/07/10/", "tattoo")

	// Submit a query and empty the box before its answer comes.
	got, err := chromedp.Run(ctx, chromedp.Evaluate[*string](`(() => {
  const form = document.getElementById('search');
  form.elements.q.value = 'embassy';
  form.requestSubmit();
  form.elements.q.value = '';
  form.requestSubmit();
  return form.getAttribute('aria-busy');
})()`))
	if err != nil {
		t.Fatal(err)
	}
	if got != nil {
		t.Errorf("emptied while a search ran, the form stays busy (aria-busy=%q)", *got)
	}
}
