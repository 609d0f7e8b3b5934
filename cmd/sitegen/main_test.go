package main

import (
	"bytes"
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// site writes a small site and returns its root.
func site(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func sitegen(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb, new(heapKept))
	return code, out.String(), errb.String()
}

const good = "---\ntitle: Good news\ndate: 2024-05-01\ntags: [Economy]\n---\nAll is well.\n"

// snapshot reads every file under dir, with its modification time.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		files[p] = fi.ModTime().String() + "\n" + string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestBuildThenFailedBuildLeavesSiteUntouched(t *testing.T) {
	root := site(t, map[string]string{"content/good.md": good})
	code, out, errOut := sitegen("build", "--source", root)
	if code != 0 {
		t.Fatalf("build: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out, "1 articles") {
		t.Errorf("summary line = %q, want the article count", out)
	}
	public := filepath.Join(root, "public")
	before := snapshot(t, public)
	if len(before) < 5 {
		t.Fatalf("build wrote only %d files", len(before))
	}

	// A bad article: the build fails, names every bad file, and writes nothing.
	os.WriteFile(filepath.Join(root, "content/bad.txt"), []byte(" date 2024-02-30 Not a day\n\nText.\n"), 0o644)
	os.WriteFile(filepath.Join(root, "content/worse.md"), []byte("---\ntitle: [unclosed\n---\nText.\n"), 0o644)
	code, _, errOut = sitegen("build", "--source", root)
	if code != 1 {
		t.Errorf("build with bad content: exit %d, want 1", code)
	}
	for _, want := range []string{"content/bad.txt:1: malformed date line", "content/worse.md:2:", "2 bad files"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("error output lacks %q:\n%s", want, errOut)
		}
	}
	after := snapshot(t, public)
	if len(after) != len(before) {
		t.Fatalf("failed build changed public/: %d files, was %d", len(after), len(before))
	}
	for p, v := range before {
		if after[p] != v {
			t.Errorf("failed build changed %s", p)
		}
	}
	assertNoLeftovers(t, root)

	// --keep-going publishes the good article and still fails.
	code, _, errOut = sitegen("build", "--source", root, "--keep-going")
	if code != 1 || !strings.Contains(errOut, "built the other 1 articles") {
		t.Errorf("--keep-going: exit %d, output:\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(public, "2024/05/01/good-news/index.html")); err != nil {
		t.Errorf("--keep-going did not publish the good article: %v", err)
	}
	assertNoLeftovers(t, root)
}

func TestTemplateErrorLeavesSiteUntouched(t *testing.T) {
	root := site(t, map[string]string{"content/good.md": good})
	if code, _, errOut := sitegen("build", "--source", root, "--quiet"); code != 0 {
		t.Fatalf("build: %s", errOut)
	}
	before := snapshot(t, filepath.Join(root, "public"))
	// A template that parses but fails while rendering, after other pages were written.
	os.MkdirAll(filepath.Join(root, "templates"), 0o755)
	os.WriteFile(filepath.Join(root, "templates/article.html"), []byte(`{{define "main"}}{{.Article.Nope}}{{end}}`), 0o644)
	code, _, errOut := sitegen("build", "--source", root)
	if code != 1 || !strings.Contains(errOut, "Nope") {
		t.Errorf("template error: exit %d, output:\n%s", code, errOut)
	}
	after := snapshot(t, filepath.Join(root, "public"))
	if len(after) != len(before) {
		t.Errorf("failed build changed public/")
	}
	for p, v := range before {
		if after[p] != v {
			t.Errorf("failed build changed %s", p)
		}
	}
	assertNoLeftovers(t, root)
}

// assertNoLeftovers checks that nothing a build stages is left beside
// public/ once the background remover, which deletes a failed build's
// staging folder and a replaced site, has had time to finish.
func assertNoLeftovers(t *testing.T, root string) {
	t.Helper()
	var left []string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		left = left[:0]
		entries, _ := os.ReadDir(root)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".public.") && e.Name() != ".public.sitegen-cache" && e.Name() != ".public.sitegen-fragments" { // the build cache stays
				left = append(left, e.Name())
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, name := range left {
		t.Errorf("build left %s behind", name)
	}
}

func TestCheckWritesNothing(t *testing.T) {
	root := site(t, map[string]string{"content/good.md": good, "content/notes.docx": "x"})
	code, _, errOut := sitegen("check", "--source", root)
	if code != 1 || !strings.Contains(errOut, `content/notes.docx: not an article`) {
		t.Errorf("check: exit %d, output:\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(root, "public")); !os.IsNotExist(err) {
		t.Errorf("check wrote public/: %v", err)
	}
	os.Remove(filepath.Join(root, "content/notes.docx"))
	if code, out, errOut := sitegen("check", "--source", root); code != 0 || !strings.Contains(out, "1 articles checked") {
		t.Errorf("check of a good site: exit %d\n%s%s", code, out, errOut)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"bild"}, {"build", "--nope"}, {"build", "extra"}} {
		if code, _, _ := sitegen(args...); code != 2 {
			t.Errorf("sitegen %q: exit %d, want 2", args, code)
		}
	}
	for _, cmd := range []string{"build", "check", "serve"} {
		args := []string{cmd, "--source", ""}
		if cmd == "serve" {
			args = append(args, "--addr", "127.0.0.1:0")
		}
		// A preview that starts anyway stops when the context ends.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		var out, errOut bytes.Buffer
		code := run(ctx, args, &out, &errOut, new(heapKept))
		cancel()
		if code != 2 || out.Len() > 0 || !strings.Contains(errOut.String(), "--source is empty") {
			t.Errorf("sitegen %s --source \"\": exit %d\n%s%s", cmd, code, out.String(), errOut.String())
		}
	}
	root := site(t, map[string]string{"content/good.md": good})
	if code, _, errOut := sitegen("build", "--source", root, "--dest", root); code != 1 || !strings.Contains(errOut, "contains the site's source") {
		t.Errorf("--dest over the source: exit %d\n%s", code, errOut)
	}
	if code, _, errOut := sitegen("build", "--source", t.TempDir()); code != 1 || !strings.Contains(errOut, "no content/ folder") {
		t.Errorf("no content: exit %d\n%s", code, errOut)
	}
}

// The command as a process, main and all, with no arguments or an
// unknown command: the usage and exit status 2, no crash (main reads its
// arguments before run does).
func TestMainUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"bild"}} {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "SITEGEN_RUN_MAIN=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(stderr.String(), "usage:") {
			t.Errorf("sitegen %q: exit %d (%v)\n%s", args, code, err, stderr.String())
		}
	}
}

// check lists, file by file, what normalization removed from the sample
// archive, and ends with the summary an archivist audits.
func TestCheckFindingsAndSummary(t *testing.T) {
	code, out, errOut := sitegen("check", "--source", "../..")
	if code != 0 {
		t.Fatalf("check of the sample: exit %d\n%s", code, errOut)
	}
	for _, want := range []string{
		"content/dw-2019-12-30-us-embassy-baghdad.txt:27: share: Watch video 01:48 Share",
		"content/dw-2019-12-30-us-embassy-baghdad.txt:29: agency: kw,cw/aw (AFP, AP, Reuters)",
		"sitegen check: ",
		" 0 errors, 0 duplicates; boilerplate removed: share 1, read-more 1, promo ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := sitegen("check", "--quiet", "--source", "../.."); code != 0 || out != "" {
		t.Errorf("check --quiet: exit %d, printed %q", code, out)
	}
}

// An interrupted build (Ctrl-C cancels the context) says so in words and
// leaves the site as it was.
func TestInterruptedBuild(t *testing.T) {
	root := site(t, map[string]string{"content/good.md": good})
	if code, _, errOut := sitegen("build", "--quiet", "--source", root); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, errOut)
	}
	before := snapshot(t, filepath.Join(root, "public"))
	os.WriteFile(filepath.Join(root, "content/more.md"), []byte(strings.Replace(good, "Good news", "More news", 1)), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"build", "--quiet", "--source", root}, &out, &errb, new(heapKept))
	if want := "sitegen build: interrupted; the destination is as it was before this build\n"; code != 1 || errb.String() != want {
		t.Errorf("interrupted build: exit %d, output %q, want 1 and %q", code, errb.String(), want)
	}
	after := snapshot(t, filepath.Join(root, "public"))
	if len(after) != len(before) {
		t.Fatalf("public/ has %d files, had %d", len(after), len(before))
	}
	for p, v := range before {
		if after[p] != v {
			t.Errorf("%s changed", p)
		}
	}
}

// A build tells main to keep memory for the next build unless
// --spare-ahead=false, and whether it wrote or removed any file (the first
// build does; the same site built again does not); a check, and a build
// that does not start, ask for nothing.
func TestRunTellsWhatToKeep(t *testing.T) {
	root := site(t, map[string]string{"content/good.md": good})
	for _, c := range []struct {
		args []string
		want heapKept
	}{
		{[]string{"build"}, heapKept{wanted: true}},
		{[]string{"build"}, heapKept{wanted: true, noop: true}},
		{[]string{"build", "--spare-ahead=false"}, heapKept{noop: true}},
		{[]string{"check"}, heapKept{}},
		{[]string{"build", "--nope"}, heapKept{}},
	} {
		var kept heapKept
		var out, errb bytes.Buffer
		run(context.Background(), append(c.args, "--quiet", "--source", root), &out, &errb, &kept)
		if kept != c.want {
			t.Errorf("sitegen %s: kept %+v, want %+v\n%s", strings.Join(c.args, " "), kept, c.want, errb.String())
		}
	}
}

// TestHugeHeapSize: sitegen build and check ask for huge pages for
// hugeHeapMax of the heap at start, or an eighth of the machine's memory if
// less, and at most for half of it in all, where the kernel gives them on
// request, address space commits no memory and no memory limit is set;
// under a limit on address space, for no more than a quarter of it;
// otherwise, and for the other commands, for none.
func TestHugeHeapSize(t *testing.T) {
	const gib = 1 << 30
	const nolimit, noaddr = math.MaxInt64, math.MaxUint64
	madvise, always := "always [madvise] never\n", "[always] madvise never\n"
	for _, c := range []struct {
		args        []string
		thp         string
		overcommit  string
		ram, addr   uint64
		limit       int64
		start, most int
	}{
		{[]string{"build", "--quiet"}, madvise, "0\n", 24 * gib, noaddr, nolimit, hugeHeapMax, 12 * gib},
		{[]string{"build"}, madvise, "1\n", 64 * gib, noaddr, nolimit, hugeHeapMax, 32 * gib},
		{[]string{"build"}, madvise, "0\n", 2 * gib, noaddr, nolimit, gib / 4, gib},
		{[]string{"build"}, madvise, "0\n", 24 * gib, 8 * gib, nolimit, hugeHeapMax, 2 * gib}, // ulimit -v
		{[]string{"build"}, madvise, "0\n", 24 * gib, 2 * gib, nolimit, gib / 2, gib / 2},
		{[]string{"build"}, madvise, "0\n", 24 * gib, noaddr, 4 * gib, 0, 0}, // GOMEMLIMIT
		{[]string{"build"}, madvise, "2\n", 24 * gib, noaddr, nolimit, 0, 0},
		{[]string{"build"}, always, "0\n", 24 * gib, noaddr, nolimit, 0, 0},
		{[]string{"build"}, "always madvise [never]\n", "0\n", 24 * gib, noaddr, nolimit, 0, 0},
		{[]string{"build"}, "", "", 24 * gib, noaddr, nolimit, 0, 0}, // no such files
		{[]string{"serve"}, madvise, "0\n", 24 * gib, noaddr, nolimit, 0, 0},
		{[]string{"check", "--source", "site"}, madvise, "0\n", 24 * gib, noaddr, nolimit, hugeHeapMax, 12 * gib},
		{nil, madvise, "0\n", 24 * gib, noaddr, nolimit, 0, 0},
	} {
		if start, most := hugeHeapSize(c.args, c.thp, c.overcommit, c.ram, c.addr, c.limit); start != c.start || most != c.most {
			t.Errorf("hugeHeapSize(%q, %q, %q, %d, %d, %d) = %d, %d; want %d, %d", c.args, c.thp, c.overcommit, c.ram, c.addr, c.limit, start, most, c.start, c.most)
		}
	}
}

// TestUsableMemory: in a container whose control group limits its memory
// below the machine's, what sitegen sizes by the machine's memory is sized
// by the limit: the huge-page region a build asks for at start, what it
// may ask for in all, and the most a holder keeps for the next build.
func TestUsableMemory(t *testing.T) {
	const gib = 1 << 30
	limit := func(n uint64) func() uint64 { return func() uint64 { return n } }
	madvise := "always [madvise] never\n"
	for _, c := range []struct {
		ram, limit              uint64
		start, most, kept, want int
	}{
		{64 * gib, 0, hugeHeapMax, 32 * gib, 512 << 20, 64 * gib},       // no limit found
		{64 * gib, 1 << 62, hugeHeapMax, 32 * gib, 512 << 20, 64 * gib}, // a limit above the machine's memory
		{64 * gib, 2 * gib, gib / 4, gib, 64 << 20, 2 * gib},            // a 2 GB container
		{64 * gib, gib, gib / 8, gib / 2, 32 << 20, gib},                // a 1 GB one
		{24 * gib, 24*gib - 1, gib, 12*gib - 1, 512 << 20, 24*gib - 1},  // a limit just under it
	} {
		ram := usableMemory(c.ram, limit(c.limit))
		if ram != uint64(c.want) {
			t.Errorf("usableMemory(%d, %d) = %d; want %d", c.ram, c.limit, ram, c.want)
		}
		if start, most := hugeHeapSize([]string{"build"}, madvise, "0\n", ram, math.MaxUint64, math.MaxInt64); start != c.start || most != c.most {
			t.Errorf("machine %d, limit %d: hugeHeapSize = %d, %d; want %d, %d", c.ram, c.limit, start, most, c.start, c.most)
		}
		if kept := keepHeapMax(ram); kept != c.kept {
			t.Errorf("machine %d, limit %d: keepHeapMax = %d; want %d", c.ram, c.limit, kept, c.kept)
		}
	}
}

// TestKeptHeapSize: a holder keeps the build's heap and an eighth, or half
// the memory the build was given if that is more, all of it after a
// build that wrote nothing, never more than the most.
func TestKeptHeapSize(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		inUse, given, most int
		noop               bool
		want               int
	}{
		{600 * mb, 0, 512 * mb, false, 512 * mb},        // a cold build
		{296 * mb, 512 * mb, 512 * mb, false, 333 * mb}, // an edit after it
		{100 * mb, 450 * mb, 512 * mb, false, 225 * mb}, // a smaller edit: half the file
		{16 * mb, 450 * mb, 512 * mb, true, 450 * mb},   // a no-op: the file whole
		{16 * mb, 0, 512 * mb, true, 18 * mb},           // a no-op given nothing
		{16 * mb, 450 * mb, 256 * mb, true, 256 * mb},   // within the most
		{600 * mb, 300 * mb, 512 * mb, true, 512 * mb},  // a no-op's heap can still say more
	} {
		if got := keptHeapSize(c.inUse, c.given, c.most, c.noop); got != c.want {
			t.Errorf("keptHeapSize(%d MB, %d MB, %d MB, %v) = %d; want %d", c.inUse/mb, c.given/mb, c.most/mb, c.noop, got, c.want)
		}
	}
}

// TestHugeHeapMore: a build or check asks for huge pages past the heap's
// end for its bytes per source, within what it may ask in all, and only
// when that reaches hugeHeapMinMore past what the heap spans.
func TestHugeHeapMore(t *testing.T) {
	const gib = 1 << 30
	const build, check = heapPerArticle, checkHeapPerArticle
	for _, c := range []struct{ sources, per, mapped, most, want int }{
		{1_000_000, build, gib + 100<<20, 12 * gib, 1_000_000*build - gib - 100<<20},
		{1_000_000, build, gib, 4 * gib, 4*gib/build*build - gib}, // at most most
		{50_000, build, gib, 12 * gib, 0},                         // within the region advised at start
		{130_000, build, gib, 12 * gib, 0},                        // 1.24 GiB: not worth filling the free memory
		{200_000, build, gib, 12 * gib, 200_000*build - gib},
		{1_000_000, build, 13 * gib, 12 * gib, 0}, // the heap is past it
		{1_000_000, check, gib, 12 * gib, 1_000_000*check - gib},
		{200_000, check, gib, 12 * gib, 0}, // a check's heap stays in the first gigabyte
		{0, build, 0, 0, 0},
	} {
		if got := hugeHeapMore(c.sources, c.per, c.mapped, c.most); got != c.want {
			t.Errorf("hugeHeapMore(%d, %d, %d, %d) = %d; want %d", c.sources, c.per, c.mapped, c.most, got, c.want)
		}
	}
}

// TestGCPercent: sitegen build runs its collector at buildGCPercent and
// check at checkGCPercent unless GOGC is set; the other commands keep Go's
// default.
func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		args []string
		gogc string
		want int
		ok   bool
	}{
		{[]string{"build", "--quiet"}, "", buildGCPercent, true},
		{[]string{"build"}, "150", 0, false},
		{[]string{"build"}, "off", 0, false},
		{[]string{"serve"}, "", 0, false},
		{[]string{"check"}, "", checkGCPercent, true},
		{[]string{"check"}, "50", 0, false},
		{nil, "", 0, false},
	} {
		if got, ok := gcPercent(c.args, c.gogc); got != c.want || ok != c.ok {
			t.Errorf("gcPercent(%q, GOGC=%q) = %d, %v; want %d, %v", c.args, c.gogc, got, ok, c.want, c.ok)
		}
	}
}
