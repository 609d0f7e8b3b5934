package serve

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath is where Debian's chromium package puts the browser.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts headless Chromium for one test and returns a tab.
// Without Chromium the test fails on CI (CI=true), where it must run, and
// is skipped elsewhere.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Chromium is not installed at %s; CI must install the Debian package chromium", chromiumPath)
		}
		t.Skipf("Chromium is not installed at %s (apt-get install chromium)", chromiumPath)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium makes its singleton socket's folder in TMPDIR and,
		// killed at the end of a test, leaves it there.
		chromedp.Env("TMPDIR="+t.TempDir()),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-sync", true),
	)
	tab, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		cancel()
	})
	return tab
}

// In a real browser, an open tab shows an edited article without anyone
// touching it, shows the error overlay when a save breaks the article, and
// drops it when the article is fixed.
func TestBrowserReloadsAndShowsErrors(t *testing.T) {
	tab := newBrowser(t)
	p := startPreview(t, newSite(t), 0)
	const page = "2024/05/02/harbour-reopens-after-storm/"
	edit := func(front, body string) {
		t.Helper()
		p.write("content/posts/harbour.md", "---\ntitle: Harbour reopens after storm\n"+front+"tags: [Ports]\n---\n"+body+"\n")
	}
	// waitFor polls a JavaScript predicate in the tab; a reload between two
	// polls interrupts one, so it simply polls again.
	waitFor := func(what, expr string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](expr))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				text, _ := chromedp.Run(tab, chromedp.Evaluate[string]("document.body ? document.body.innerText : ''"))
				t.Fatalf("waited 30s for %s (last error %v); the tab shows:\n%s\nserver printed:\n%s", what, err, text, p.out)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	bodyHas := func(s string) string {
		return "document.body.innerText.includes(" + jsString(s) + ")"
	}

	if err := chromedp.Do(tab, chromedp.Navigate(p.url+page)); err != nil {
		t.Fatal(err)
	}
	waitFor("the article", bodyHas("three days of gales"))
	// A mark that lives as long as this document: gone means reloaded.
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void]("window.sitegenTestMark = true")); err != nil {
		t.Fatal(err)
	}

	// An edit on disk: the open tab reloads by itself and shows it.
	edit("date: 2024-05-02\n", "The harbour master says the quay needs repairs.")
	waitFor("the edited text", bodyHas("the quay needs repairs")+" && window.sitegenTestMark === undefined")

	// A save that breaks the front matter: the overlay names file and line,
	// over the last good page.
	edit("date: 2024-05-99\n", "Never shown.")
	waitFor("the error overlay", `(() => { const o = document.getElementById("sitegen-error-overlay");
		return o !== null && o.offsetHeight > 0 && o.innerText.includes("content/posts/harbour.md:3") && o.innerText.includes("malformed date"); })()`)
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void]("window.sitegenTestMark = true")); err != nil {
		t.Fatal(err)
	}
	waitFor("the last good page under the overlay", bodyHas("the quay needs repairs"))

	// Fixing it clears the overlay and shows the new text, with no action.
	edit("date: 2024-05-02\n", "Repairs will take two weeks.")
	waitFor("the fixed article without the overlay", bodyHas("Repairs will take two weeks")+
		` && document.getElementById("sitegen-error-overlay") === null && window.sitegenTestMark === undefined`)

	// A template error shows the overlay too, and so does its fix clear it.
	tmpl := filepath.Join(p.dir, "templates", "article.html")
	p.write("templates/article.html", "{{define \"main\"}}\n<h1>{{.Article.Title}}</h1>\n{{.Article.NoSuchField}}\n{{end}}\n")
	waitFor("the template error overlay", `(() => { const o = document.getElementById("sitegen-error-overlay");
		return o !== null && o.innerText.includes("templates/article.html:3"); })()`)
	if err := os.Remove(tmpl); err != nil {
		t.Fatal(err)
	}
	waitFor("the overlay to clear", `document.getElementById("sitegen-error-overlay") === null && `+bodyHas("Repairs will take two weeks"))

	// A hidden tab gives its connection back (browsers allow six per
	// server), and when shown again reloads at once if the site changed.
	setVisibility := func(state string) {
		t.Helper()
		js := `Object.defineProperty(document, "visibilityState", {value: "` + state + `", configurable: true});
			document.dispatchEvent(new Event("visibilitychange"))`
		if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](js)); err != nil {
			t.Fatal(err)
		}
	}
	waitStreams := func(want int64) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); p.srv.streams.Load() != want; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d event streams open, want %d", p.srv.streams.Load(), want)
			}
		}
	}
	waitStreams(1)
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void]("window.sitegenTestMark = true")); err != nil {
		t.Fatal(err)
	}
	setVisibility("hidden")
	waitStreams(0)
	edit("date: 2024-05-02\n", "Edited while the tab was hidden.")
	p.waitContains("/"+page, "Edited while the tab was hidden.")
	if still, err := chromedp.Run(tab, chromedp.Evaluate[bool]("window.sitegenTestMark === true && "+bodyHas("Repairs will take two weeks"))); err != nil || !still {
		t.Fatalf("the hidden tab reloaded (%v)", err)
	}
	setVisibility("visible")
	waitFor("the tab shown again to reload", bodyHas("Edited while the tab was hidden.")+" && window.sitegenTestMark === undefined")
	waitStreams(1)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
