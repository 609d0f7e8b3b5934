package sitegen_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axePath is axe-core's browser bundle, installed by `npm ci --prefix tools`
// (.ci/run does it).
const axePath = "tools/node_modules/axe-core/axe.min.js"

// browserTools returns Chromium's path and the axe-core script. Without
// them the test fails under CI=true and is skipped elsewhere.
func browserTools(t *testing.T) (chromium string, axe []byte) {
	t.Helper()
	missing := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		if _, err := os.Stat("/usr/bin/chromium"); err != nil {
			missing("chromium not found: install Debian's chromium package")
		}
		chromium = "/usr/bin/chromium"
	}
	axe, err = os.ReadFile(axePath)
	if err != nil {
		missing("axe-core not installed (%v): run npm ci --prefix tools", err)
	}
	return chromium, axe
}

// newBrowser starts headless Chromium with the flags the project uses for
// every browser test.
func newBrowser(t *testing.T, chromium string) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// A profile and a TMPDIR of the test's own: Chromium makes its
		// singleton socket's folder in TMPDIR and, killed at the end of a
		// test, leaves it there.
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Env("TMPDIR=" + t.TempDir()),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting %s: %v", chromium, err)
	}
	return ctx
}

// mobile emulates a phone below 600 px.
func mobile(width int64) chromedp.EmulateViewportOption {
	return func(p *emulation.SetDeviceMetricsOverrideParams, touch *emulation.SetTouchEmulationEnabledParams) {
		p.Mobile, touch.Enabled = width < 600, width < 600
	}
}

// colorScheme emulates prefers-color-scheme: light or dark.
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// auditPages returns the pages the theme is audited on: home, an article,
// a tag page, a month archive, and the search page once the site has one.
func auditPages(t *testing.T, public string) []string {
	t.Helper()
	tags := one(t, page(t, public, "/tags/"), "tags", "ul", "class", "tagcloud")
	tag, _ := attr(find(tags, "a")[0], "href")
	pages := []string{"/", sampleArticle(t, public), tag, "/2019/12/"}
	if _, err := os.Stat(filepath.Join(public, "search", "index.html")); err == nil {
		pages = append(pages, "/search/")
	}
	return pages
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// TestThemeAccessibility runs axe-core in headless Chromium over the
// audited pages of the sample archive, in English and Arabic, in light and
// dark mode, on a 320 px phone and a 1280 px desktop, and fails on any
// violation. On the phone it also checks that nothing scrolls sideways.
func TestThemeAccessibility(t *testing.T) {
	chromium, axe := browserTools(t)
	ctx := newBrowser(t, chromium)

	builds := map[string]string{
		"en": buildSite(t, sampleSite(t, nil, map[string]string{})),
		"ar": buildSite(t, sampleSite(t, map[string]string{"language": "ar"}, map[string]string{})),
	}
	variants := []struct {
		lang, scheme string
		width        int64
	}{
		{"en", "light", 1280},
		{"en", "dark", 320},
		{"ar", "light", 320},
		{"ar", "dark", 1280},
	}
	for _, v := range variants {
		public := builds[v.lang]
		srv := httptest.NewServer(http.FileServer(http.Dir(public)))
		for _, p := range auditPages(t, public) {
			name := fmt.Sprintf("%s/%s/%dpx%s", v.lang, v.scheme, v.width, p)
			t.Run(name, func(t *testing.T) {
				err := chromedp.Do(ctx,
					chromedp.EmulateViewport(v.width, 800, mobile(v.width)),
					colorScheme(v.scheme),
					chromedp.Navigate(srv.URL+p),
					chromedp.Evaluate[chromedp.Void](string(axe)),
				)
				if err != nil {
					t.Fatal(err)
				}
				violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
					`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatal(err)
				}
				layout, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
					ScrollWidth, InnerWidth int64
					Dir                     string
				}](`({ScrollWidth: document.documentElement.scrollWidth, InnerWidth: window.innerWidth,
					Dir: getComputedStyle(document.body).direction})`))
				if err != nil {
					t.Fatal(err)
				}
				scrollWidth, innerWidth, dir := layout.ScrollWidth, layout.InnerWidth, layout.Dir
				for _, vi := range violations {
					var where []string
					for _, n := range vi.Nodes {
						where = append(where, fmt.Sprint(n.Target)+": "+strings.ReplaceAll(n.Summary, "\n", " "))
					}
					t.Errorf("axe %s (%s): %s\n\t%s", vi.ID, vi.Impact, vi.Help, strings.Join(where, "\n\t"))
				}
				if scrollWidth > innerWidth {
					t.Errorf("page is %d px wide in a %d px window: it scrolls sideways", scrollWidth, innerWidth)
				}
				if want := map[string]string{"en": "ltr", "ar": "rtl"}[v.lang]; dir != want {
					t.Errorf("body direction %q, want %q", dir, want)
				}
			})
		}
		srv.Close()
	}
}

// TestThemeMirrorsRightToLeft checks the layout, not just the attribute: on
// an Arabic page the site name sits at the right and the navigation at the
// left, as an Arabic reader expects.
func TestThemeMirrorsRightToLeft(t *testing.T) {
	chromium, _ := browserTools(t)
	ctx := newBrowser(t, chromium)
	for lang, wantBrandRight := range map[string]bool{"en": false, "ar": true} {
		public := buildSite(t, sampleSite(t, map[string]string{"language": lang}, map[string]string{}))
		srv := httptest.NewServer(http.FileServer(http.Dir(public)))
		err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(srv.URL+"/"))
		var x struct{ Brand, Nav float64 }
		if err == nil {
			x, err = chromedp.Run(ctx, chromedp.Evaluate[struct{ Brand, Nav float64 }](
				`({Brand: document.querySelector(".brand").getBoundingClientRect().left,
				   Nav: document.querySelector(".sitenav").getBoundingClientRect().left})`))
		}
		brand, nav := x.Brand, x.Nav
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		if got := brand > nav; got != wantBrandRight {
			t.Errorf("%s: site name at x=%.0f, navigation at x=%.0f; want the name on the %s",
				lang, brand, nav, map[bool]string{true: "right", false: "left"}[wantBrandRight])
		}
	}
}
