package search_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sitegen/sitegen/internal/build"
)

// hostileTitle holds what breaks out of text, attributes and scripts when
// a result is drawn with innerHTML instead of text.
const hostileTitle = `Hostile <img src=x onerror="window.__xss=1"> "quoted" </script><script>window.__xss=2</script> end`

// TestSearchResultsEscapeHostileText searches a site whose article title,
// summary and body are markup, in headless Chromium: the result must show
// the title as text, no element may come from the index, and no script in
// it may run.
func TestSearchResultsEscapeHostileText(t *testing.T) {
	root := t.TempDir()
	src := "---\ntitle: '" + strings.ReplaceAll(hostileTitle, "'", "''") + "'\ndate: 2024-05-01\n" +
		"summary: '<img src=y onerror=\"window.__xss=3\"> hostile summary'\n---\n" +
		"Hostile body with `<svg onload=window.__xss=4>` and more text.\n"
	os.MkdirAll(filepath.Join(root, "content"), 0o755)
	if err := os.WriteFile(filepath.Join(root, "content", "h.md"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := build.Run(context.Background(), build.Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.FileServer(http.Dir(dest)))
	defer srv.Close()
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/search/"),
		chromedp.WaitVisible(chromedp.ID("search-q")),
		chromedp.SendKeys(chromedp.ID("search-q"), "hostile"),
	)
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the answer to the whole word (see answerTo), then a while
	// for an injected onerror to fire.
	got, err := chromedp.Run(ctx, chromedp.Evaluate[hostileAnswer](`new Promise((resolve) => {
  const id = setInterval(() => {
    const form = document.getElementById('search');
    const status = document.getElementById('search-status').textContent;
    if (new URLSearchParams(location.search).get('q') !== 'hostile' || form.getAttribute('aria-busy') || !status) return;
    clearInterval(id);
    setTimeout(() => resolve({
      status,
      titles: [...document.querySelectorAll('#search-results li h2 a')].map((a) => a.textContent),
      injected: document.querySelectorAll('#search-results img, #search-results script, #search-results svg').length,
      xss: window.__xss ?? null,
    }), 300); // time for an injected onerror to fire
  }, 20);
})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Titles) != 1 || got.Titles[0] != hostileTitle {
		t.Errorf("results %q (%s); want the title shown as text: %q", got.Titles, got.Status, hostileTitle)
	}
	if got.Injected != 0 || got.XSS != nil {
		t.Errorf("the index injected %d elements into the page; script ran: %v", got.Injected, got.XSS)
	}
}

type hostileAnswer struct {
	Status   string
	Titles   []string
	Injected int
	XSS      any
}
