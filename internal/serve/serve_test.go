package serve

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/tools/txtar"

	"github.com/sitegen/sitegen/internal/build"
	"github.com/sitegen/sitegen/internal/lazyfree"
)

// Every test leaves no goroutine behind: the watcher, the rebuild loop,
// rebuilds in flight, event streams and the HTTP server all stop with Run.
// Benchmarks run with the runtime settings of `sitegen serve`: the test
// binary starts itself again with them.
func TestMain(m *testing.M) {
	flag.Parse()
	if flag.Lookup("test.bench").Value.String() != "" {
		if err := lazyfree.Restart(); err != nil {
			fmt.Fprintf(os.Stderr, "benchmarks run without GODEBUG=%s, unlike sitegen serve: %v\n", lazyfree.GODEBUG, err)
		}
	}
	goleak.VerifyTestMain(m)
}

// newSite writes testdata/site.txtar into a fresh folder and returns it.
func newSite(t *testing.T) string {
	t.Helper()
	ar, err := txtar.ParseFile("testdata/site.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		writeFile(t, dir, f.Name, string(f.Data))
	}
	return dir
}

func writeFile(t *testing.T, dir, rel, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func article(title, date, tags, body string) string {
	return fmt.Sprintf("---\ntitle: %s\ndate: %s\ntags: [%s]\n---\n%s\n", title, date, tags, body)
}

// A preview is a Server running for one test on a free port.
type preview struct {
	t   *testing.T
	dir string        // site root
	url string        // home page, "http://127.0.0.1:PORT/"
	out *lockedBuffer // what the server printed
	srv *Server
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startPreview serves dir until the test ends, then checks that Run shut
// down cleanly.
func startPreview(t *testing.T, dir string, debounce time.Duration) *preview {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	s, err := New(ctx, Options{Source: dir, Addr: "127.0.0.1:0", Out: out, Debounce: debounce})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run after cancel: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
	return &preview{t: t, dir: dir, url: s.URL(), out: out, srv: s}
}

// client never keeps connections open, so that no goroutine of it
// outlives a test, and never follows redirects, so tests see them.
var client = &http.Client{
	Transport:     &http.Transport{DisableKeepAlives: true},
	Timeout:       wait,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// streamClient opens live-reload event streams, which stay open as long as
// a tab shows its page: it has no time limit (a client's Timeout covers
// reading the whole body), and the stream ends when its request's context
// is cancelled.
var streamClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// wait is how long a test waits for a rebuild, an event or an answer.
// Rebuilds are quick, but the race detector on a machine shared with other
// heavy work can slow them tenfold and more; a test that passes never
// waits this long.
const wait = 4 * time.Minute

func (p *preview) get(path string) (int, string) {
	p.t.Helper()
	resp, err := client.Get(strings.TrimSuffix(p.url, "/") + path)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// waitFor polls path until ok accepts the response, for as long as wait.
func (p *preview) waitFor(path, what string, ok func(code int, body string) bool) string {
	p.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		code, body := p.get(path)
		if ok(code, body) {
			return body
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("GET %s: waited %v for %s; last answer %d:\n%.2000s\nserver printed:\n%s", path, wait, what, code, body, p.out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (p *preview) waitContains(path, text string) string {
	p.t.Helper()
	return p.waitFor(path, fmt.Sprintf("200 with %q", text), func(code int, body string) bool {
		return code == 200 && strings.Contains(body, text)
	})
}

// waitGone waits until path is not found or no longer mentions text.
func (p *preview) waitGone(path, text string) {
	p.t.Helper()
	p.waitFor(path, fmt.Sprintf("404 or no %q", text), func(code int, body string) bool {
		return code == 404 || code == 200 && !strings.Contains(body, text)
	})
}

func (p *preview) write(rel, data string) { p.t.Helper(); writeFile(p.t, p.dir, rel, data) }

// writeAtomic replaces rel in one rename, so that no rebuild can see it
// half written: for tests that expect one rebuild per write. (A writer
// stalled between creating a file and writing it, for longer than the
// quiet time, would otherwise cause an extra rebuild; the preview copes,
// but such a test would see one event too many.)
func (p *preview) writeAtomic(rel, data string) {
	p.t.Helper()
	dst := filepath.Join(p.dir, filepath.FromSlash(rel))
	tmp := filepath.Join(filepath.Dir(dst), ".tmp-"+filepath.Base(dst))
	writeFile(p.t, filepath.Dir(tmp), filepath.Base(tmp), data)
	if err := os.Rename(tmp, dst); err != nil {
		p.t.Fatal(err)
	}
}

// rawGet sends path exactly as given, without any client cleaning it.
func (p *preview) rawGet(path string) (int, string) {
	p.t.Helper()
	host := strings.TrimSuffix(strings.TrimPrefix(p.url, "http://"), "/")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		p.t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestServesTheBuiltSite(t *testing.T) {
	p := startPreview(t, newSite(t), 0)
	if !strings.HasPrefix(p.url, "http://127.0.0.1:") {
		t.Errorf("URL %s: want the loopback address by default", p.url)
	}
	code, home := p.get("/")
	if code != 200 || !strings.Contains(home, "Harbour reopens after storm") {
		t.Fatalf("GET /: %d\n%s", code, home)
	}
	if n := strings.Count(home, scriptPath); n != 1 {
		t.Errorf("home page has the reload script %d times, want once:\n%s", n, home)
	}
	if i, j := strings.Index(home, scriptPath), strings.LastIndex(home, "</body>"); i > j {
		t.Errorf("reload script after </body>")
	}
	if _, page := p.get("/2024/05/01/bridge-repairs-begin/"); !strings.Contains(page, "Work on the old bridge") {
		t.Errorf("article page: %s", page)
	}
	code, css := p.get("/extra.css")
	if code != 200 || css != "body { color: #123456 }\n" {
		t.Errorf("GET /extra.css: %d %q; want the asset as it is, with no script", code, css)
	}
	if code, _ := p.get("/style.css"); code != 200 {
		t.Errorf("GET /style.css (default theme asset): %d", code)
	}
	if code, _ := p.get("/2024/05/01/bridge-repairs-begin"); code != http.StatusMovedPermanently {
		t.Errorf("GET a folder without its slash: %d, want a redirect", code)
	}
	code, missing := p.get("/no/such/page/")
	if code != 404 || !strings.Contains(missing, scriptPath) {
		t.Errorf("GET a missing page: %d, want 404 with the reload script:\n%s", code, missing)
	}
	if !regexp.MustCompile(`built 3 articles, \d+ files in`).MatchString(p.out.String()) ||
		!strings.Contains(p.out.String(), "Serving ") || !strings.Contains(p.out.String(), p.url) {
		t.Errorf("server printed:\n%s", p.out)
	}
}

// The server answers only with the files the build produced: no request
// reaches the sources or anything outside the site, whatever its path and
// whatever links the site's folders hold.
func TestServesNothingOutsideTheSite(t *testing.T) {
	dir := newSite(t)
	outside := t.TempDir()
	writeFile(t, outside, "secret.txt", "TOP-SECRET-FILE\n")
	for link, target := range map[string]string{
		"assets/leak.txt":      filepath.Join(outside, "secret.txt"),
		"assets/linked":        outside,
		"content/posts/out.md": filepath.Join(outside, "secret.txt"),
		"content/linked":       outside,
		"public":               outside, // a stale output folder that is a link
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	p := startPreview(t, dir, 0)
	for _, path := range []string{
		"/../sitegen.yaml", "/%2e%2e/sitegen.yaml", "/..%2fsitegen.yaml", "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"/../../../../etc/passwd", "/sitegen.yaml", "/content/posts/harbour.md", "/assets/extra.css",
		"/leak.txt", "/linked/secret.txt", "/assets/linked/secret.txt", "/content/linked/secret.txt",
		"/posts/out.md", "/public/secret.txt", "//etc/passwd", "/./../secret.txt", "/%5c..%5csitegen.yaml",
	} {
		code, body := p.rawGet(path)
		if code != 404 && code != 400 {
			t.Errorf("GET %s: %d, want 404 or 400", path, code)
		}
		for _, leak := range []string{"TOP-SECRET", "paginate: 2", "root:x:0", "gales."} {
			if strings.Contains(body, leak) {
				t.Errorf("GET %s: the answer contains %q:\n%s", path, leak, body)
			}
		}
	}
}

// The preview serves the very files `sitegen build` writes, no more, and
// the same bytes except for the reload script in HTML pages, which the
// build's files never contain.
func TestServesExactlyWhatBuildWrites(t *testing.T) {
	dir := newSite(t)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := build.Run(context.Background(), build.Options{Source: dir, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	p := startPreview(t, dir, 0)
	built := map[string]bool{}
	err := filepath.WalkDir(dest, func(f string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dest, f)
		rel = filepath.ToSlash(rel)
		built[rel] = true
		want, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if bytes.Contains(want, []byte("_sitegen")) || bytes.Contains(want, []byte("EventSource")) {
			t.Errorf("%s written by build contains the reload script", rel)
		}
		urlPath := "/" + strings.TrimSuffix(rel, "index.html")
		code, got := p.get(urlPath)
		if code != 200 {
			t.Errorf("GET %s: %d", urlPath, code)
			return nil
		}
		if strings.HasSuffix(rel, ".html") {
			got = genAttr.ReplaceAllString(got, `data-gen="N"`)
			want = injectReload(want, 0)
			want = []byte(genAttr.ReplaceAllString(string(want), `data-gen="N"`))
		}
		if got != string(want) {
			t.Errorf("GET %s differs from %s written by build:\n%s\n----\n%s", urlPath, rel, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := p.srv.current()
	served := allFiles(t, st.site)
	for f := range served {
		if !built[f] {
			t.Errorf("the preview has %s, which build did not write", f)
		}
	}
	if len(served) != len(built) {
		t.Errorf("the preview has %d files, build wrote %d", len(served), len(built))
	}
}

// allFiles returns every file of a snapshot, the outputs made on request
// included.
func allFiles(t *testing.T, snap *snapshot) map[string][]byte {
	t.Helper()
	outs, err := snap.outputs.get()
	if err != nil {
		t.Fatal(err)
	}
	all := snap.files.all()
	maps.Copy(all, outs)
	return all
}

// Whatever the editor's way of saving, the new text is served.
func TestRebuildsAfterEachKindOfSave(t *testing.T) {
	const page = "/2024/05/02/harbour-reopens-after-storm/"
	edited := func(body string) string {
		return article("Harbour reopens after storm", "2024-05-02", "Ports, Weather", body)
	}
	for _, tc := range []struct {
		name string
		save func(p *preview, text string)
	}{
		{"write in place", func(p *preview, text string) {
			p.write("content/posts/harbour.md", edited(text))
		}},
		{"write in place in two steps", func(p *preview, text string) {
			// Truncate, then write: some editors and sync tools do this.
			f, err := os.OpenFile(filepath.Join(p.dir, "content/posts/harbour.md"), os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			half := edited(text)
			f.WriteString(half[:20])
			f.Sync()
			f.WriteString(half[20:])
			f.Close()
		}},
		{"temp file renamed over", func(p *preview, text string) {
			p.write("content/posts/harbour.md.tmp-4711", edited(text))
			if err := os.Rename(filepath.Join(p.dir, "content/posts/harbour.md.tmp-4711"),
				filepath.Join(p.dir, "content/posts/harbour.md")); err != nil {
				t.Fatal(err)
			}
		}},
		{"hidden swap file renamed over", func(p *preview, text string) {
			p.write("content/posts/.harbour.md.swp", edited(text))
			if err := os.Rename(filepath.Join(p.dir, "content/posts/.harbour.md.swp"),
				filepath.Join(p.dir, "content/posts/harbour.md")); err != nil {
				t.Fatal(err)
			}
		}},
		{"deleted and recreated", func(p *preview, text string) {
			if err := os.Remove(filepath.Join(p.dir, "content/posts/harbour.md")); err != nil {
				t.Fatal(err)
			}
			p.write("content/posts/harbour.md", edited(text))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := startPreview(t, newSite(t), 0)
			p.waitContains(page, "three days of gales")
			for i := range 2 { // twice: the watch must survive the first save
				text := fmt.Sprintf("Edited text %d of %s.", i, tc.name)
				tc.save(p, text)
				p.waitContains(page, text)
			}
			// A save that stalls halfway for longer than the quiet time (the
			// fsync above, on a busy machine) can fail one rebuild; the
			// next one must clear it.
			p.waitFor(page, "no failure left", func(int, string) bool {
				st, _ := p.srv.current()
				return st.failures == nil
			})
		})
	}
}

func TestRebuildsAfterChangesAnywhereInTheSources(t *testing.T) {
	p := startPreview(t, newSite(t), 0)

	// A folder created after start, with a folder inside it, both holding
	// articles written at once: the new folders are watched and the files
	// they already held are seen.
	p.write("content/new/deep/er/first.md", article("First in a new folder", "2024-06-01", "New", "Fresh text."))
	p.waitContains("/2024/06/01/first-in-a-new-folder/", "Fresh text.")
	p.write("content/new/deep/er/second.md", article("Second in a new folder", "2024-06-02", "New", "More text."))
	p.waitContains("/2024/06/02/second-in-a-new-folder/", "More text.")
	p.waitContains("/tags/new/", "Second in a new folder")

	// A template override: every article page uses it.
	p.write("templates/article.html", `{{define "main"}}<article><h1>{{.Article.Title}}</h1><p>OVERRIDDEN TEMPLATE</p></article>{{end}}`)
	for _, path := range []string{"/2024/05/01/bridge-repairs-begin/", "/2024/06/02/second-in-a-new-folder/"} {
		p.waitContains(path, "OVERRIDDEN TEMPLATE")
	}
	// Removing it brings the default back.
	if err := os.Remove(filepath.Join(p.dir, "templates/article.html")); err != nil {
		t.Fatal(err)
	}
	p.waitGone("/2024/05/01/bridge-repairs-begin/", "OVERRIDDEN TEMPLATE")

	// sitegen.yaml and the assets.
	p.write("sitegen.yaml", "title: Renamed archive\nbaseURL: https://archive.example.org/\npaginate: 2\n")
	p.waitContains("/", "Renamed archive")
	p.write("assets/extra.css", "body { color: #654321 }\n")
	p.waitContains("/extra.css", "#654321")
	p.write("assets/img/new/logo.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>")
	p.waitContains("/img/new/logo.svg", "<svg")

	// A whole folder deleted, then one moved in from outside.
	if err := os.RemoveAll(filepath.Join(p.dir, "content/new")); err != nil {
		t.Fatal(err)
	}
	p.waitFor("/2024/06/01/first-in-a-new-folder/", "404", func(code int, _ string) bool { return code == 404 })
	elsewhere := t.TempDir()
	writeFile(t, elsewhere, "moved/in.md", article("Moved in from elsewhere", "2024-07-01", "", "Moved text."))
	if err := os.Rename(filepath.Join(elsewhere, "moved"), filepath.Join(p.dir, "content/moved")); err != nil {
		t.Fatal(err)
	}
	p.waitContains("/2024/07/01/moved-in-from-elsewhere/", "Moved text.")
	p.write("content/moved/later.md", article("Written after the move", "2024-07-02", "", "Later text."))
	p.waitContains("/2024/07/02/written-after-the-move/", "Later text.")
}

// A deleted article leaves every page that showed it.
func TestDeletedArticleDisappears(t *testing.T) {
	p := startPreview(t, newSite(t), 0)
	const title = "Harbour reopens after storm"
	pages := []string{"/", "/2024/05/02/harbour-reopens-after-storm/", "/tags/ports/", "/tags/weather/", "/tags/",
		"/2024/", "/2024/05/", "/2024/05/02/", "/2024/05/01/bridge-repairs-begin/"}
	for _, path := range pages {
		if path == "/tags/" {
			p.waitContains(path, "Weather")
		} else {
			p.waitContains(path, title)
		}
	}
	if err := os.Remove(filepath.Join(p.dir, "content/posts/harbour.md")); err != nil {
		t.Fatal(err)
	}
	for _, path := range pages {
		if path == "/tags/" {
			p.waitGone(path, "Weather")
		} else {
			p.waitGone(path, title)
		}
	}
	for _, path := range []string{"/2024/05/02/harbour-reopens-after-storm/", "/tags/weather/", "/2024/05/02/"} {
		if code, _ := p.get(path); code != 404 {
			t.Errorf("GET %s after the delete: %d, want 404", path, code)
		}
	}
	if _, body := p.get("/tags/ports/"); !strings.Contains(body, "Ferry timetable changes") {
		t.Errorf("/tags/ports/ lost the article that is still there:\n%s", body)
	}
}

// A burst of files, as a git checkout or an rsync writes them, leads to one
// rebuild that sees them all; so does deleting them all at once.
func TestBurstOfChangesIsOneRebuild(t *testing.T) {
	// One rebuild is the right answer when the burst fits in the watcher's
	// quiet time: when the writing never stalls for that long. On a
	// machine loaded with other work (or under the race detector) a write
	// can stall for longer, and then two rebuilds are right too. Such a
	// run proves nothing either way; it is run again with a longer quiet
	// time. A run whose writing never stalled for a quarter of the quiet
	// time must show exactly one rebuild per burst.
	for _, quiet := range []time.Duration{400 * time.Millisecond, 2 * time.Second, 8 * time.Second} {
		decided := false
		t.Run(fmt.Sprint("quiet ", quiet), func(t *testing.T) { decided = burstIsOneRebuild(t, quiet) })
		if decided {
			return
		}
	}
	t.Fatal("the writing of every burst stalled for longer than a quarter of the quiet time")
}

// burstIsOneRebuild writes a burst of 1,000 new articles, then deletes
// them all at once, and checks that each burst makes exactly one rebuild
// that sees all of it. It returns false, having failed nothing, when a
// burst's writing stalled for too long to tell (see above).
func burstIsOneRebuild(t *testing.T, quiet time.Duration) (decided bool) {
	const n = 1000
	dir := newSite(t)
	// Long lists on few days, so that the rebuild renders about a thousand
	// pages, not thousands of list pages: rendering is slow under the race
	// detector.
	writeFile(t, dir, "sitegen.yaml", "title: Serve test archive\nbaseURL: https://archive.example.org/\npaginate: 500\n")
	p := startPreview(t, dir, quiet)
	rebuilds := func() int { return strings.Count(p.out.String(), " changed: rebuilt ") }
	stalled := func(longest time.Duration, what string) bool {
		if longest < quiet/4 {
			return false
		}
		t.Logf("%s stalled for %v, too long for a quiet time of %v to tell: trying a longer one", what, longest, quiet)
		return true
	}
	var longest time.Duration
	last := time.Now()
	for i := range n {
		// Folders created in the middle of the burst, as a checkout does.
		p.write(fmt.Sprintf("content/burst/%02d/%04d.md", i%12+1, i),
			article(fmt.Sprintf("Burst article %04d", i), fmt.Sprintf("2023-%02d-01", i%12+1), "Burst", "Burst text."))
		now := time.Now()
		longest, last = max(longest, now.Sub(last)), now
	}
	p.waitContains("/", fmt.Sprintf("%d articles", n+3))
	if got := rebuilds(); got != 1 {
		if stalled(longest, "writing the burst") {
			return false
		}
		t.Errorf("%d rebuilds after a burst of %d new files written in at most %v each, want 1:\n%s", got, n, longest, p.out)
	}
	p.waitContains("/2023/12/01/burst-article-0011/", "Burst text.")
	start := time.Now()
	if err := os.RemoveAll(filepath.Join(p.dir, "content/burst")); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	p.waitContains("/", "· 3 articles")
	if got := rebuilds(); got != 2 {
		if stalled(took, "deleting the burst") {
			return false
		}
		t.Errorf("%d rebuilds after deleting the burst in %v, want 2 in all:\n%s", got, took, p.out)
	}
	if code, _ := p.get("/tags/burst/"); code != 404 {
		t.Errorf("GET /tags/burst/ after deleting every article: %d, want 404", code)
	}
	return true
}

// An event is one server-sent event as a tab receives it.
type event struct{ name, data string }

// listen opens the live-reload event stream as a tab showing build gen
// would, and returns its events until the test ends.
func (p *preview) listen(gen int) <-chan event {
	p.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s_sitegen/events?gen=%d", strings.TrimSuffix(p.url, "/")+"/", gen), nil)
	resp, err := streamClient.Do(req)
	if err != nil {
		cancel()
		p.t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/event-stream" {
		cancel()
		p.t.Fatalf("event stream: %d %s", resp.StatusCode, ct)
	}
	events := make(chan event, 100)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev.name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[len("data: "):]
			case line == "":
				events <- ev
				ev = event{}
			}
		}
	}()
	p.t.Cleanup(func() { cancel(); <-done })
	return events
}

func (p *preview) next(events <-chan event) event {
	p.t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			p.t.Fatalf("event stream closed; server printed:\n%s", p.out)
		}
		return ev
	case <-time.After(wait):
		p.t.Fatalf("no event in %v; server printed:\n%s", wait, p.out)
	}
	return event{}
}

var genAttr = regexp.MustCompile(`data-gen="(\d+)"`)

// pageGen is the build number a served page carries for its reload script.
func (p *preview) pageGen(path string) int {
	p.t.Helper()
	_, body := p.get(path)
	m := genAttr.FindStringSubmatch(body)
	if m == nil {
		p.t.Fatalf("GET %s: no reload script:\n%s", path, body)
	}
	var gen int
	fmt.Sscan(m[1], &gen)
	return gen
}

// A failed rebuild keeps the last good site, tells open tabs what is wrong
// and where, and fixing the file reloads them.
func TestFailedRebuildKeepsLastGoodSite(t *testing.T) {
	const page = "/2024/05/02/harbour-reopens-after-storm/"
	p := startPreview(t, newSite(t), 0)
	events := p.listen(p.pageGen(page))
	if ev := p.next(events); ev.name != "failures" || ev.data != "[]" {
		t.Fatalf("first event %+v, want failures []", ev)
	}

	for _, tc := range []struct {
		name, file, bad, want string
		line                  int
	}{
		{"bad front matter", "content/posts/harbour.md",
			"---\ntitle: Harbour reopens after storm\ndate: 2024-13-45\n---\nBroken.\n", "malformed date", 3},
		{"template error", "templates/article.html",
			"{{define \"main\"}}\n<h1>{{.Article.Title}}</h1>\n{{.NoSuchField}}\n{{end}}\n", "NoSuchField", 3},
		{"template syntax error", "templates/list.html", "{{define \"main\"}}\n\n{{if}}\n{{end}}\n", "missing value for if", 3},
		{"unknown config key", "sitegen.yaml", "title: Serve test archive\ntitel: typo\n", "field titel not found", 2},
		{"config syntax error", "sitegen.yaml", "title: [oops\n", "did not find expected", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good, err := os.ReadFile(filepath.Join(p.dir, tc.file))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			p.writeAtomic(tc.file, tc.bad)
			ev := p.next(events)
			wantFile := fmt.Sprintf(`"file":%q,"line":%d`, tc.file, tc.line)
			if ev.name != "failures" || !strings.Contains(ev.data, wantFile) || !strings.Contains(ev.data, tc.want) {
				t.Fatalf("event %+v, want failures naming %s and %q", ev, wantFile, tc.want)
			}
			// The last good site is still served.
			if _, body := p.get(page); !strings.Contains(body, "three days of gales") {
				t.Errorf("GET %s during the failure:\n%s", page, body)
			}
			if !strings.Contains(p.out.String(), "still serving the last good site") ||
				!strings.Contains(p.out.String(), fmt.Sprintf("%s:%d: ", tc.file, tc.line)) {
				t.Errorf("server printed:\n%s", p.out)
			}
			// Fixing the file clears the failure and reloads the tab.
			if good != nil {
				p.writeAtomic(tc.file, string(good))
			} else if err := os.Remove(filepath.Join(p.dir, tc.file)); err != nil {
				t.Fatal(err)
			}
			if ev := p.next(events); ev.name != "reload" {
				t.Fatalf("after the fix: event %+v, want reload", ev)
			}
			// The tab reloads, opening a new stream with the new build.
			events = p.listen(p.pageGen(page))
			if ev := p.next(events); ev.name != "failures" || ev.data != "[]" {
				t.Fatalf("after the reload: event %+v, want failures []", ev)
			}
		})
	}
}

// A tab that loaded a page just before a rebuild finished, and opens its
// event stream just after, reloads at once.
func TestStaleTabReloadsAtOnce(t *testing.T) {
	p := startPreview(t, newSite(t), 0)
	gen := p.pageGen("/")
	p.write("content/posts/new.md", article("Brand new story", "2024-05-03", "", "New."))
	p.waitContains("/", "Brand new story")
	if ev := p.next(p.listen(gen)); ev.name != "reload" {
		t.Errorf("stale tab got %+v, want reload", ev)
	}
}

// The first build failing does not stop the server: it shows the error,
// serves the good articles when only some were bad, and recovers.
func TestFirstBuildFails(t *testing.T) {
	dir := newSite(t)
	writeFile(t, dir, "templates/base.html", "<html><body>{{template \"main\" .}}{{end}}</body></html>")
	p := startPreview(t, dir, 0)
	code, body := p.get("/")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, scriptPath) {
		t.Errorf("GET / with no site built: %d\n%s", code, body)
	}
	ev := p.next(p.listen(p.pageGen("/")))
	if ev.name != "failures" || !strings.Contains(ev.data, `"file":"templates/base.html","line":1`) {
		t.Errorf("event %+v, want the template error", ev)
	}
	if !strings.Contains(p.out.String(), "nothing to serve until it is fixed") {
		t.Errorf("server printed:\n%s", p.out)
	}
	os.Remove(filepath.Join(dir, "templates/base.html"))
	p.waitContains("/", "Harbour reopens after storm")

	dir = newSite(t)
	writeFile(t, dir, "content/posts/bad.md", "---\ntitle: No date\n---\nText.\n")
	p = startPreview(t, dir, 0)
	p.waitContains("/", "Harbour reopens after storm")
	ev = p.next(p.listen(p.pageGen("/")))
	if ev.name != "failures" || !strings.Contains(ev.data, `"file":"content/posts/bad.md","line":1`) {
		t.Errorf("event %+v, want the bad article", ev)
	}
}

// A change that arrives while a rebuild runs cancels it, and the next
// rebuild takes in the changes of both.
func TestNewChangeCancelsStaleRebuild(t *testing.T) {
	s := &Server{root: t.TempDir(), out: io.Discard, st: &state{}, changed: make(chan struct{})}
	type call struct {
		changes []string
		ctx     context.Context
	}
	calls := make(chan call, 10)
	s.rebuildFunc = func(ctx context.Context, cs changeSet) (*snapshot, error) {
		calls <- call{cs.sorted(), ctx}
		if len(cs.paths) == 1 { // the first: runs until cancelled
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return &snapshot{files: newFileSet(map[string][]byte{"index.html": []byte("new")}), base: "/"}, nil
	}
	batches := make(chan changeSet)
	loopDone := make(chan struct{})
	go func() { s.rebuildLoop(context.Background(), batches); close(loopDone) }()

	var a, b changeSet
	a.add("content/a.md")
	b.add("content/b.md")
	batches <- a
	first := <-calls
	batches <- b
	second := <-calls
	if first.ctx.Err() == nil {
		t.Errorf("the stale rebuild was not cancelled")
	}
	if got := strings.Join(second.changes, " "); got != "content/a.md content/b.md" {
		t.Errorf("second rebuild saw %q, want both changes", got)
	}
	for { // the second build is published
		st, changed := s.current()
		if st.gen == 1 && st.site != nil {
			break
		}
		select {
		case <-changed:
		case <-time.After(wait):
			t.Fatalf("the second build was not published: gen %d", st.gen)
		}
	}
	close(batches)
	<-loopDone
	if st, _ := s.current(); st.gen != 1 {
		t.Errorf("after the loop: gen %d; want the second build published once", st.gen)
	}
	select {
	case c := <-calls:
		t.Errorf("an extra rebuild ran: %v", c.changes)
	default:
	}
}

// Shutting down closes the open tabs' event streams, so that it does not
// wait for them, and leaves no goroutine behind (see TestMain).
func TestShutdownWithOpenTabs(t *testing.T) {
	dir := newSite(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := New(ctx, Options{Source: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	p := &preview{t: t, dir: dir, url: s.URL(), out: &lockedBuffer{}}
	events := p.listen(p.pageGen("/"))
	p.next(events)
	p.write("content/posts/new.md", article("Written while shutting down", "2024-05-03", "", "New."))
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	for range events {
	} // the stream ends
	if _, err := client.Get(p.url); err == nil {
		t.Errorf("server still answers after Run returned")
	}
}

// After every kind of edit, the incrementally rebuilt site is exactly what
// a full build makes; a failed rebuild leaves the last good one in place,
// and the edits made while the site was broken all show once it is fixed.
func TestIncrementalRebuildMatchesFullBuild(t *testing.T) {
	// Drawn before the new site is served, and every changed page drawn
	// on request or in the background after it is.
	for _, deferAbove := range []int{deferPagesAbove, -1} {
		t.Run(fmt.Sprint("deferring above ", deferAbove), func(t *testing.T) {
			defer func(was int) { deferPagesAbove = was }(deferPagesAbove)
			deferPagesAbove = deferAbove
			testIncrementalRebuild(t)
		})
	}
}

func testIncrementalRebuild(t *testing.T) {
	p := startPreview(t, newSite(t), 0)
	rebuilds := func() int { return strings.Count(p.out.String(), " changed: ") }
	for _, step := range []struct {
		name, file, data string // data "" deletes the file
		fails            bool
	}{
		{"body edit", "content/posts/harbour.md", article("Harbour reopens after storm", "2024-05-02", "Ports, Weather", "New body."), false},
		{"title edit", "content/posts/bridge.md", article("Bridge repairs are delayed", "2024-05-01", "Transport", "Work on the old bridge started this morning."), false},
		{"date move", "content/posts/ferry.md", article("Ferry timetable changes", "2023-11-30", "Transport, Ports", "The winter timetable."), false},
		{"new article with a new tag", "content/posts/new.md", article("New pier opens", "2024-05-03", "Piers", "A new pier."), false},
		{"delete", "content/posts/harbour.md", "", false},
		{"bad article", "content/posts/ferry.md", "---\ntitle: Ferry\ndate: nope\n---\nx\n", true},
		{"edit while broken", "content/posts/bridge.md", article("Bridge repairs resume", "2024-05-01", "Transport", "Edited while broken."), true},
		{"fix", "content/posts/ferry.md", article("Ferry timetable fixed", "2024-05-04", "Ports", "Fixed."), false},
		{"template", "templates/article.html", `{{define "main"}}<h1>{{.Article.Title}}</h1>{{.Article.Body}}{{end}}`, false},
		{"asset", "assets/extra.css", "body { color: red }\n", false},
		{"config", "sitegen.yaml", "title: Renamed\nbaseURL: https://archive.example.org/\npaginate: 1\n", false},
	} {
		before, _ := p.srv.current()
		n := rebuilds()
		if step.data == "" {
			if err := os.Remove(filepath.Join(p.dir, step.file)); err != nil {
				t.Fatal(err)
			}
		} else {
			p.writeAtomic(step.file, step.data)
		}
		p.waitFor("/", step.name+" rebuilt", func(int, string) bool { return rebuilds() > n })
		st, _ := p.srv.current()
		if step.fails {
			if st.failures == nil || st.site != before.site {
				t.Fatalf("%s: want a failure and the last good site kept; failures %v", step.name, st.failures)
			}
			continue
		}
		if st.failures != nil {
			t.Fatalf("%s: %v", step.name, st.failures)
		}
		full, err := (&siteBuilder{root: p.dir}).next(context.Background(), nil, changeSet{})
		if err != nil {
			t.Fatal(err)
		}
		got, want := allFiles(t, st.site), allFiles(t, full)
		for f, want := range want {
			if got, ok := got[f]; !ok {
				t.Errorf("%s: %s missing after the incremental rebuild", step.name, f)
			} else if !bytes.Equal(got, want) {
				t.Errorf("%s: %s differs from a full build:\n%s\n----\n%s", step.name, f, got, want)
			}
		}
		for f := range got {
			if _, ok := want[f]; !ok {
				t.Errorf("%s: %s is served but a full build has no such file", step.name, f)
			}
		}
		if step.name == "body edit" && st.site.rendered >= full.rendered {
			t.Errorf("a body edit rendered %d pages, all %d of them", st.site.rendered, full.rendered)
		}
	}
}

// A page served after it was drawn is drawn as its snapshot has it, even
// when nothing asked for it before the next rebuild began: that rebuild
// draws it before it changes the site.
func TestDeferredPagesShowTheirSnapshot(t *testing.T) {
	defer func(above int, behind bool) { deferPagesAbove, drawBehind = above, behind }(deferPagesAbove, drawBehind)
	deferPagesAbove, drawBehind = -1, false
	dir := newSite(t)
	sb := &siteBuilder{root: dir}
	defer sb.finishDrawing()
	snap, err := sb.next(context.Background(), nil, changeSet{})
	if err != nil {
		t.Fatal(err)
	}
	const page = "2024/05/02/harbour-reopens-after-storm/index.html"
	var snaps []*snapshot
	for _, body := range []string{"First edit.", "Second edit."} {
		snap = nextWithBody(t, sb, snap, body)
		snaps = append(snaps, snap)
	}
	for i, want := range []string{"First edit.", "Second edit."} {
		data, ok, err := snaps[i].files.get(page)
		if !ok || err != nil {
			t.Fatalf("snapshot %d: %s: %v %v", i+1, page, ok, err)
		}
		if !strings.Contains(string(data), want) {
			t.Errorf("snapshot %d: %s does not hold %q:\n%s", i+1, page, want, data)
		}
	}
}

// nextWithBody writes the harbour article of newSite, in the site sb
// builds, with body, and returns the snapshot sb makes after prev.
func nextWithBody(t *testing.T, sb *siteBuilder, prev *snapshot, body string) *snapshot {
	t.Helper()
	const file = "content/posts/harbour.md"
	if err := os.WriteFile(filepath.Join(sb.root, file), []byte(article("Harbour reopens after storm", "2024-05-02", "Ports, Weather", body)), 0o644); err != nil {
		t.Fatal(err)
	}
	var cs changeSet
	cs.add(file)
	snap, err := sb.next(context.Background(), prev, cs)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// A deferred page that cannot be drawn is answered with the error, and the
// rest of the site is served; the next edit that changes it draws it again.
func TestDeferredPageThatFailsIsAnError(t *testing.T) {
	defer func(above int) { deferPagesAbove = above }(deferPagesAbove)
	deferPagesAbove = -1
	const page = "/2024/05/02/harbour-reopens-after-storm/"
	p := startPreview(t, newSite(t), 0)
	p.writeAtomic("templates/article.html", `{{define "main"}}<h1>{{.Article.Title}}</h1>{{if eq (len .Article.Tags) 3}}{{index .Article.Tags 9}}{{end}}<p>Template 2</p>{{.Article.Body}}{{end}}`)
	p.waitContains(page, "Template 2")
	p.writeAtomic("content/posts/harbour.md", article("Harbour reopens after storm", "2024-05-02", "Ports, Weather, Storms", "Three tags now."))
	p.waitFor(page, "500 naming the page and the error", func(code int, body string) bool {
		return code == 500 && strings.Contains(body, "drawing 2024/05/02/harbour-reopens-after-storm/index.html") && strings.Contains(body, "index out of range")
	})
	if code, body := p.get("/"); code != 200 || !strings.Contains(body, "Harbour reopens after storm") {
		t.Errorf("GET /: %d\n%s", code, body)
	}
	p.writeAtomic("content/posts/harbour.md", article("Harbour reopens after storm", "2024-05-02", "Ports", "One tag again."))
	p.waitContains(page, "One tag again.")
}

// Once a rebuild's pages are drawn and nothing happened for collectAfter,
// the server asks whether a collection is due, with what the rebuild
// allocated until served; not after the first build, whose heap warmHeap
// prepares instead, nor when the next rebuild has begun.
func TestCollectsAfterEachRebuild(t *testing.T) {
	var calls []uint64
	var mu sync.Mutex
	dir := newSite(t)
	sb := &siteBuilder{root: dir, collect: func(alloc uint64) bool {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, alloc)
		return false
	}}
	defer sb.stopDrawing()
	snap, err := sb.next(context.Background(), nil, changeSet{})
	if err != nil {
		t.Fatal(err)
	}
	sb.finishDrawing()
	sb.idle.Wait()
	if len(calls) != 0 {
		t.Errorf("collect called %d times after the first build", len(calls))
	}
	edit := func(body string) { snap = nextWithBody(t, sb, snap, body) }
	// Bodies of a megabyte: what reading and drawing them allocates is
	// counted at once (the runtime counts small objects as it refills
	// its caches).
	const big = 1 << 20
	for i, word := range []string{"First ", "Second "} {
		edit(strings.Repeat(word, big/len(word)))
		sb.finishDrawing()
		sb.idle.Wait()
		mu.Lock()
		if len(calls) != i+1 || calls[i] < big {
			t.Errorf("after rebuild %d with a body of %d bytes, collect was called with %v; want once more, with the bytes the rebuild allocated", i+1, big, calls)
		}
		mu.Unlock()
	}
	// Two rebuilds in a row: none after the first, which the second
	// follows within collectAfter.
	edit("Third edit.")
	edit("Fourth edit.")
	sb.finishDrawing()
	sb.idle.Wait()
	if len(calls) != 3 {
		t.Errorf("after two rebuilds in a row, collect was called with %v; want once more, after the second", calls)
	}
}

// TestTuneGC: a preview process collects at gcPercent unless GOGC says
// otherwise, and the target before comes back when asked.
func TestTuneGC(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	t.Setenv("GOGC", "")
	restore := tuneGC()
	if got := debug.SetGCPercent(gcPercent); got != gcPercent {
		t.Errorf("GC target %d after tuneGC, want %d", got, gcPercent)
	}
	restore()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("GC target %d after restoring, want 100", got)
	}
	t.Setenv("GOGC", "300")
	debug.SetGCPercent(300)
	tuneGC()()
	if got := debug.SetGCPercent(100); got != 300 {
		t.Errorf("GC target %d with GOGC=300, want 300 left alone", got)
	}
}

// The first build serves once a page of each template and kind is drawn,
// and draws the others on request and in the background: a template that
// fails on every article page still fails it, one that fails on one page
// only leaves that page answering with the error, which the server prints
// once the background has drawn every page.
func TestFirstBuildDrawsSamplesFirst(t *testing.T) {
	defer func(above int) { deferPagesAbove = above }(deferPagesAbove)
	deferPagesAbove = 0
	const page = "/2024/05/01/ferry-timetable-changes/" // not the first article page: the one drawn first is the newest's

	dir := newSite(t)
	writeFile(t, dir, "templates/article.html", `{{define "main"}}<h1>{{.Article.Title}}</h1>{{.NoSuchField}}{{end}}`)
	p := startPreview(t, dir, 0)
	if code, _ := p.get(page); code != http.StatusServiceUnavailable || !strings.Contains(p.out.String(), "nothing to serve until it is fixed") {
		t.Errorf("GET %s with every article page failing: %d; server printed:\n%s", page, code, p.out)
	}

	dir = newSite(t)
	writeFile(t, dir, "templates/article.html", `{{define "main"}}<h1>{{.Article.Title}}</h1>{{if eq (len .Article.Tags) 3}}{{index .Article.Tags 9}}{{end}}<p>Drawn.</p>{{.Article.Body}}{{end}}`)
	writeFile(t, dir, "content/posts/ferry.md", article("Ferry timetable changes", "2024-05-01", "Transport, Ports, Storms", "Three tags."))
	p = startPreview(t, dir, 0)
	st, _ := p.srv.current()
	if st.site == nil {
		t.Fatalf("no site served; server printed:\n%s", p.out)
	}
	if drawn := len(st.site.files.base); drawn >= st.site.files.len() || len(st.site.files.changed) == 0 {
		t.Errorf("the first snapshot holds %d files drawn of %d: nothing deferred", drawn, st.site.files.len())
	}
	p.waitFor(page, "500 naming the page and the error", func(code int, body string) bool {
		return code == 500 && strings.Contains(body, "index out of range")
	})
	if code, body := p.get("/"); code != 200 || !strings.Contains(body, "Harbour reopens after storm") {
		t.Errorf("GET /: %d\n%s", code, body)
	}
	deadline := time.Now().Add(wait)
	for !strings.Contains(p.out.String(), "could not be drawn") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if out := p.out.String(); !strings.Contains(out, " 1 of ") || !strings.Contains(out, "2024/05/01/ferry-timetable-changes/index.html: ") {
		t.Errorf("server printed:\n%s", out)
	}
}

// The pages drawn after the first snapshot is served are kept for as long
// as they are served: each holds its bytes with little room to spare (an
// eighth of its length, or the allocator's rounding of an exact copy), not
// the buffer it was drawn into.
func TestDeferredPagesKeepNoSpareRoom(t *testing.T) {
	defer func(above int) { deferPagesAbove = above }(deferPagesAbove)
	deferPagesAbove = 0
	p := startPreview(t, newSite(t), 0)
	st, _ := p.srv.current()
	if st.site == nil {
		t.Fatalf("no site served; server printed:\n%s", p.out)
	}
	p.srv.builder.drawing.Wait()
	pages := 0
	for rel, c := range st.site.files.changed {
		if c.page == nil {
			continue
		}
		data, err := c.page.get()
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if len(data) == 0 {
			t.Errorf("%s drawn empty", rel)
		}
		if spare := cap(data) - len(data); spare > len(data)/4 {
			t.Errorf("%s: %d bytes kept with %d to spare", rel, len(data), spare)
		}
		pages++
	}
	if pages == 0 {
		t.Fatal("no page was deferred")
	}
}

// A request for a name that cannot be a feed, sitemap or search file is
// answered 404 without making them (at 50,000 articles, seconds of work
// for each site a rebuild serves); one that can be makes them.
func TestUnknownNameDoesNotMakeOutputs(t *testing.T) {
	p := startPreview(t, newSite(t), 0)
	st, _ := p.srv.current()
	for _, path := range []string{"/favicon.ico", "/.well-known/appspecific/com.chrome.devtools.json", "/2024/05/02/no-such-story/"} {
		if code, _ := p.get(path); code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, code)
		}
	}
	if st.site.outputs.made.Load() {
		t.Error("the outputs were made for names none of them can have")
	}
	if code, body := p.get("/feed.xml"); code != 200 || !strings.Contains(body, "<rss") {
		t.Errorf("GET /feed.xml: %d\n%.300s", code, body)
	}
	if !st.site.outputs.made.Load() {
		t.Error("the outputs were not made for /feed.xml")
	}
}

// Stopping ends the drawing in the background without drawing the pages
// left: a server stopped right after it started at 50,000 articles waited
// 8.8 s for them.
func TestStopDrawingLeavesPagesUndrawn(t *testing.T) {
	var drawn atomic.Int64
	pages := make([]deferredFile, 2000)
	for i := range pages {
		pages[i] = deferredFile{fmt.Sprint(i), &deferredPage{draw: func() ([]byte, error) {
			drawn.Add(1)
			time.Sleep(time.Millisecond)
			return nil, nil
		}}}
	}
	sb := &siteBuilder{report: func(string, ...any) { t.Error("reported failures while stopping") }}
	sb.drawInBackground(pages)
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	sb.stopDrawing()
	if n := drawn.Load(); n == 0 || n >= int64(len(pages)) {
		t.Errorf("%d of %d pages drawn before stopping, want some but not all", n, len(pages))
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("stopping took %v", d)
	}
}
