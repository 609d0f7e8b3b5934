package build

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/search"
)

// agedSite writes the test site and backdates every file, so that the
// build cache trusts their stamps (a file changed within racyWindow is
// always read again).
func agedSite(t *testing.T, n int) string {
	root := writeTestSite(t, n)
	ageFiles(t, root)
	return root
}

// ageFiles backdates every file and folder under root changed in the last
// half hour, as if saved a while before the build: the build cache trusts
// a stamp only then (see racyWindow), a folder's as a file's (see
// contentRecord). Those backdated before are left alone, as an editor
// leaves the files it does not save, and keep their stamps.
func ageFiles(t testing.TB, root string) {
	t.Helper()
	now := time.Now()
	old := now.Add(-time.Hour)
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if fi, err := d.Info(); err == nil && now.Sub(fi.ModTime()) < 30*time.Minute {
			os.Chtimes(p, old, old)
		}
		return nil
	})
}

// A treeFile is one output file: its bytes and the identity of the file
// that holds them.
type treeFile struct {
	data  []byte
	ino   uint64
	mtime time.Time
}

func readTree(t *testing.T, dir string) map[string]treeFile {
	t.Helper()
	out := map[string]treeFile{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = treeFile{data, inodeOf(fi), fi.ModTime()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestIncrementalBuildMatchesCleanBuild applies every edit in siteEdits to
// a site built with the cache and checks that each incremental build's
// output is byte-identical to a clean build's, that files whose bytes did
// not change were not rewritten (same inode and mtime), and that a build
// with nothing changed writes nothing.
func TestIncrementalBuildMatchesCleanBuild(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, search.DocsPerFile+6) // two search document files: one edit leaves the other
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cachePath(dest)); err != nil {
		t.Fatalf("no build cache after a build: %v", err)
	}
	before := readTree(t, dest)
	rep, err := Run(ctx, Options{Source: root, Dest: dest})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 0 || rep.Unchanged != len(before) {
		t.Errorf("no-op build wrote %d files and kept %d, want 0 and %d", rep.Files, rep.Unchanged, len(before))
	}
	assertSameFiles(t, before, readTree(t, dest))

	checkBuilds(t, root, dest, before, siteEdits)
}

// checkBuilds applies each edit to the site at root, already built into
// dest (whose files were before), builds it again and checks that the
// output is byte-identical to a clean build's, that files whose bytes did
// not change were not rewritten (same inode and mtime), that the build
// cache gives every file the key and hash a clean build's does, and that
// the build took the fast path for body edits (editFromCache) exactly when
// the edit says it may.
func checkBuilds(t *testing.T, root, dest string, before map[string]treeFile, edits []siteEdit) {
	ctx := context.Background()
	for _, e := range edits {
		t.Run(e.name, func(t *testing.T) {
			files := contentFiles(t, root)
			e.apply(t, root)
			// A build to disk takes its fast path for the edits Update
			// takes its fast paths for, but those that add or remove a
			// content file.
			fastPath := e.path != fullPath && slices.Equal(files, contentFiles(t, root))
			if e.name != "bad file" {
				ageFiles(t, root)
			}
			n := bodyEditsFromCache.Load()
			_, err := Run(ctx, Options{Source: root, Dest: dest, KeepGoing: true})
			if err != nil && e.name != "bad file" {
				t.Fatal(err)
			}
			if fast, want := bodyEditsFromCache.Load() > n, fastPath; fast != want && e.path != anyPath {
				t.Errorf("the build took the fast path for body edits: %v, want %v", fast, want)
			}
			clean := filepath.Join(t.TempDir(), "clean")
			if _, err := Run(ctx, Options{Source: root, Dest: clean, KeepGoing: true}); err != nil && e.name != "bad file" {
				t.Fatal(err)
			}
			got, want := readTree(t, dest), readTree(t, clean)
			for f, w := range want {
				g, ok := got[f]
				switch {
				case !ok:
					t.Errorf("%s: missing from the incremental build", f)
				case !bytes.Equal(g.data, w.data):
					t.Errorf("%s: differs from the clean build's", f)
				case bytes.Equal(before[f].data, g.data) && (before[f].ino != g.ino || !before[f].mtime.Equal(g.mtime)):
					t.Errorf("%s: rewritten though its bytes did not change", f)
				}
			}
			for f := range got {
				if _, ok := want[f]; !ok {
					t.Errorf("%s: left in the incremental build, not in the clean one", f)
				}
			}
			gotKeys, wantKeys := cachedKeys(t, root, dest), cachedKeys(t, root, clean)
			for f, w := range wantKeys {
				if g := gotKeys[f]; g != w {
					t.Errorf("%s: the build cache's key and hash %x, a clean build's %x", f, g, w)
				}
			}
			before = got
		})
	}
}

// cachedKeys returns the key and hash that the build cache for dest
// gives each output file.
func cachedKeys(t *testing.T, root, dest string) map[string][2]sourceHash {
	t.Helper()
	man := readManifest(mustAbs(root), dest)
	if man == nil {
		t.Fatalf("no usable build cache for %s", dest)
	}
	defer man.close()
	out := make(map[string][2]sourceHash, len(man.Outputs))
	for _, o := range man.Outputs {
		out[o.Path] = [2]sourceHash{o.Key, o.Sum}
	}
	return out
}

// TestBuildBodyEditsFromCache is TestIncrementalBuildMatchesCleanBuild
// for edits to bodies, on a site of Markdown and raw text articles: the
// build must take the fast path for body edits (editFromCache) on those
// that change nothing the site's indexes are made of, and not on the
// others, and give a clean build's bytes and keys either way.
// TestRandomEditsBuildLikeCleanBuilds builds after each of the random
// edits of TestRandomEditsMatchFreshLoad, as checkBuilds checks: the same
// bytes as a clean build, unchanged files not rewritten, the cache's keys
// a clean build's.
func TestRandomEditsBuildLikeCleanBuilds(t *testing.T) {
	root, edits := randomEditSite(t, 7)
	ageFiles(t, root)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	n := bodyEditsFromCache.Load()
	checkBuilds(t, root, dest, readTree(t, dest), edits)
	if fast := bodyEditsFromCache.Load() - n; fast < 10 {
		t.Errorf("%d of %d builds took the fast path: the edits do not exercise it", fast, len(edits))
	}
}

func TestBuildBodyEditsFromCache(t *testing.T) {
	root, edits := bodyEditSite(t)
	ageFiles(t, root)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	checkBuilds(t, root, dest, readTree(t, dest), edits)
}

// contentFiles lists the files under root's content folder.
func contentFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "content"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func assertSameFiles(t *testing.T, before, after map[string]treeFile) {
	t.Helper()
	for f, b := range before {
		a, ok := after[f]
		if !ok || !bytes.Equal(a.data, b.data) || a.ino != b.ino || !a.mtime.Equal(b.mtime) {
			t.Errorf("%s was rewritten or changed by a build with nothing to do", f)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d files after, %d before", len(after), len(before))
	}
}

// assertCleanBuild builds root afresh (with KeepGoing as keepGoing) and
// checks that dest holds the same files with the same bytes.
func assertCleanBuild(t *testing.T, root, dest string, keepGoing bool) {
	t.Helper()
	clean := filepath.Join(t.TempDir(), "clean")
	_, err := Run(context.Background(), Options{Source: root, Dest: clean, KeepGoing: keepGoing})
	if err != nil && !(keepGoing && errors.Is(err, ErrProblems)) {
		t.Fatal(err)
	}
	got, want := readTree(t, dest), readTree(t, clean)
	for f, w := range want {
		if g, ok := got[f]; !ok || !bytes.Equal(g.data, w.data) {
			t.Errorf("%s differs from a clean build's", f)
		}
	}
	for f := range got {
		if _, ok := want[f]; !ok {
			t.Errorf("%s: in the site, not in a clean build", f)
		}
	}
}

// TestFarPeriodsFollowEdits: a list template that shows the article count
// of the day before the previous one (.Period.Prev.Prev) gets that count
// right after articles are added to and deleted from that day, which
// changes nothing else of the later day's page; the incremental builds'
// bytes are a clean build's.
func TestFarPeriodsFollowEdits(t *testing.T) {
	ctx := context.Background()
	root := writeTestSite(t, 24)
	writeSiteFile(t, root, "templates/list.html", `{{define "main"}}<h1>{{.Title}}</h1>
{{- with .Period}}{{with .Prev}}{{with .Prev}}<p>Two before: {{len .Articles}}</p>{{end}}{{end}}{{end}}
{{- range .List}}<p>{{.Title}}</p>{{end}}{{end}}`)
	ageFiles(t, root)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dest)
	if !bytes.Contains(before["2024/01/04/index.html"].data, []byte("Two before:")) {
		t.Fatal("the day page of 4 January shows no count of 2 January")
	}
	add := func(name string) siteEdit {
		return siteEdit{name: "add " + name, apply: func(t *testing.T, root string) []string {
			writeSiteFile(t, root, "content/00/"+name+".md", testArticle("Another story "+name, "2024-01-02", []string{"Sport"}, "Text."))
			return nil
		}}
	}
	checkBuilds(t, root, dest, before, []siteEdit{add("a"), add("b"), {name: "delete", apply: func(t *testing.T, root string) []string {
		os.Remove(filepath.Join(root, "content/00/a.md"))
		return nil
	}}})
}

// TestNewProgramLinksUnchangedFiles: a build by another sitegen (here, the
// same one with its program key changed) trusts nothing of the cache but
// what it says the output files held: it draws every page again, links
// those whose bytes did not change (same inode and mtime), gives a clean
// build's bytes and keeps the previous site as the spare instead of
// handing it over to be deleted.
func TestNewProgramLinksUnchangedFiles(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 12)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, dest)
	programKey()
	was := programHash
	programHash[0] ^= 1 // another sitegen
	defer func() { programHash = was }()
	var removed []string
	rep, err := Run(ctx, Options{Source: root, Dest: dest, RemoveOld: func(dir string) {
		removed = append(removed, dir)
		os.RemoveAll(dir)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Files != 0 || rep.Unchanged != len(before) {
		t.Errorf("wrote %d files and kept %d, want 0 and %d", rep.Files, rep.Unchanged, len(before))
	}
	assertSameFiles(t, before, readTree(t, dest))
	assertCleanBuild(t, root, dest, false)
	if len(removed) != 0 {
		t.Errorf("handed %q over to be deleted; the previous site should be the spare", removed)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dest), ".public.spare")); err != nil {
		t.Errorf("no spare after the build: %v", err)
	}
	if man := readManifest(mustAbs(root), dest); man == nil {
		t.Error("no cache of this program after the build")
	} else {
		man.close()
	}
}

// TestSavedFragmentsMatchCleanBuild runs the edits of
// TestIncrementalBuildMatchesCleanBuild with every build saving the
// fragments it holds and reading back those the previous one saved,
// whatever the number of pages: each build's output must still be a clean
// build's, byte for byte, after edits to articles, templates and the
// configuration (whose fragments the stamp must keep apart); the file
// keeps no fragment of an article edited or deleted since; and a file
// left half saved goes at the next build.
func TestSavedFragmentsMatchCleanBuild(t *testing.T) {
	defer func(r, s int) { fragmentsReadMin, fragmentsSaveMin = r, s }(fragmentsReadMin, fragmentsSaveMin)
	fragmentsReadMin, fragmentsSaveMin = 1, 1
	ctx := context.Background()
	root := agedSite(t, 24)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(fragmentsPath(dest)); err != nil {
		t.Fatalf("no fragments saved: %v", err)
	}
	read := fragmentsRead.Load()
	// Edits to the articles first, which keep the stamp, then those to the
	// theme, which change it.
	var articles, theme []siteEdit
	for _, e := range siteEdits {
		switch e.name {
		case "template", "template and article at once", "asset", "config":
			theme = append(theme, e)
		default:
			articles = append(articles, e)
		}
	}
	checkBuilds(t, root, dest, readTree(t, dest), articles)
	if fragmentsRead.Load() == read {
		t.Errorf("no build read saved fragments")
	}
	// After the edits to articles the file holds no fragment of an article
	// as it was before an edit, or deleted: no more than a clean build saves.
	clean := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: clean, KeepGoing: true}); err != nil && !errors.Is(err, ErrProblems) {
		t.Fatal(err)
	}
	saved := func(dest string) int {
		b := &Builder{root: root}
		if err := b.loadTheme(); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(fragmentsPath(dest))
		if err != nil {
			t.Fatal(err)
		}
		n, err := b.theme.renderer.ReadFragments(string(data), b.fragmentsStamp())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got, want := saved(dest), saved(clean); got > want || want == 0 {
		t.Errorf("after the edits the saved file holds %d fragments, a clean build's %d", got, want)
	}
	checkBuilds(t, root, dest, readTree(t, dest), theme)
	// What a build killed while saving leaves goes at the next build,
	// even one with nothing to do.
	writeSiteFile(t, filepath.Dir(dest), filepath.Base(fragmentsPath(dest))+".new", "half saved")
	if _, err := Run(ctx, Options{Source: root, Dest: dest, KeepGoing: true}); err != nil && !errors.Is(err, ErrProblems) {
		t.Fatal(err)
	}
	if _, err := os.Stat(fragmentsPath(dest) + ".new"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a half-saved fragments file outlived a build: %v", err)
	}
}

// TestRenumberedSearchDocuments: an edit that renumbers the search
// documents (an old article made the newest) makes their files again from
// the previous build's, copying every document but the edited one's,
// and its term shards from the previous build's, renumbered, with a clean
// build's bytes. A document file changed in place since, its
// stamp kept, gives only the documents it still holds soundly; the others'
// bodies are read from their sources.
func TestRenumberedSearchDocuments(t *testing.T) {
	n := 2*search.DocsPerFile + 6
	root := agedSite(t, n)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	redate := func(date string) siteEdit {
		return siteEdit{"story 0 dated " + date, func(t *testing.T, root string) []string {
			writeSiteFile(t, root, "content/00/story-000.md", testArticle("Story number 0", date,
				[]string{"Iraq", "Economy"}, "Body of story 0.\n\nA second paragraph."))
			return []string{"content/00/story-000.md"}
		}, 0, indexPath}
	}
	copied, renumbered := copiedSearchDocs.Load(), renumberedShards.Load()
	checkBuilds(t, root, dest, readTree(t, dest), []siteEdit{redate("2024-06-01")})
	if got := copiedSearchDocs.Load() - copied; got != int64(n-1) {
		t.Errorf("%d search documents copied, want %d: all but the edited one", got, n-1)
	}
	if renumberedShards.Load() == renumbered {
		t.Errorf("no term shard made from the previous build's, renumbered")
	}

	// Document 70 made to say it is 71, in place: same size, same stamp.
	p := filepath.Join(dest, "search", filepath.FromSlash(search.DocFile(70)))
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`{"n":70,`)) {
		t.Fatalf("%s holds no document 70", p)
	}
	if err := os.WriteFile(p, bytes.Replace(data, []byte(`{"n":70,`), []byte(`{"n":71,`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	copied = copiedSearchDocs.Load()
	checkBuilds(t, root, dest, readTree(t, dest), []siteEdit{redate("2024-01-01")})
	if got := copiedSearchDocs.Load() - copied; got != int64(n-2) {
		t.Errorf("%d search documents copied, want %d: all but the edited one and the damaged one", got, n-2)
	}
}

// A build that starts from the cache of a build by the same program and
// theme tells Options.FromCache how many articles that build published,
// before it reads any content; a cold build, and one after a template
// changed, do not. Every build that reads content/ tells Options.Sources
// how many source files it holds (after FromCache); a no-op build reads
// none. A check tells Sources, never FromCache.
func TestFromCacheToldTheSitesSize(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 7)
	dest := filepath.Join(t.TempDir(), "public")
	var told []string
	opts := Options{Source: root, Dest: dest,
		FromCache: func(articles int) { told = append(told, fmt.Sprint("FromCache ", articles)) },
		Sources:   func(n int) { told = append(told, fmt.Sprint("Sources ", n)) },
	}
	build := func(what string, want ...string) {
		t.Helper()
		told = nil
		if _, err := Run(ctx, opts); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(told, want) {
			t.Errorf("%s: told %q, want %q", what, told, want)
		}
	}
	build("cold build", "Sources 7")
	build("no-op build", "FromCache 7")
	writeSiteFile(t, root, "content/00/story-000.md", testArticle("A new title", "2024-01-01", []string{"x"}, "A new body."))
	ageFiles(t, root)
	build("one article edited", "FromCache 7", "Sources 7")
	writeSiteFile(t, root, "content/00/story-100.md", testArticle("One more", "2024-02-02", []string{"x"}, "Another body."))
	ageFiles(t, root)
	build("one article added", "FromCache 7", "Sources 8")
	writeSiteFile(t, root, "templates/base.html", `{{define "base"}}<!doctype html><title>x</title>{{template "main" .}}{{end}}`)
	ageFiles(t, root)
	build("template changed", "Sources 8")
	build("no-op after the template change", "FromCache 8")
	told = nil
	if _, err := Check(ctx, opts); err != nil {
		t.Fatal(err)
	}
	if want := []string{"Sources 8"}; !slices.Equal(told, want) {
		t.Errorf("check: told %q, want %q", told, want)
	}
}

// outputList keeps the records a build kept from the previous cache in its
// order, copied or not, and puts the ones it made in their places by path; the
// previous build's files the new site lacks are gone.
func TestOutputList(t *testing.T) {
	last := []cachedOutput{{Path: "a"}, {Path: "b/index.html"}, {Path: "c"}, {Path: "e"}}
	for i := range last {
		last[i].pos = int32(i + 1)
	}
	copied := last[3] // a kept record copied, its key changed
	copied.Key[0] = 1
	w := &siteWriter{outputs: map[string]*cachedOutput{
		"a": &last[0],
		"c": {Path: "c"},
		"d": {Path: "d", pos: 2}, // a place that is not its own
		"e": &copied,
		"0": {Path: "0"},
		"z": {Path: "z"},
	}}
	var got []string
	sorted := outputsSorted.Load()
	for _, o := range w.outputList(&manifest{Outputs: last}) {
		got = append(got, o.Path)
		if o.Path == "e" && o.Key[0] != 1 {
			t.Errorf("e: the previous record, not the one the build made")
		}
	}
	if want := []string{"0", "a", "c", "d", "e", "z"}; !slices.Equal(got, want) {
		t.Errorf("outputList = %q, want %q", got, want)
	}
	if outputsSorted.Load() != sorted {
		t.Errorf("outputList sorted the records again")
	}

	// A cache whose records are out of order (spoiled by hand) still
	// gives the files sorted.
	last = []cachedOutput{{Path: "c"}, {Path: "a"}}
	for i := range last {
		last[i].pos = int32(i + 1)
	}
	w.outputs = map[string]*cachedOutput{"c": &last[0], "a": &last[1], "b": {Path: "b"}}
	got = got[:0]
	for _, o := range w.outputList(&manifest{Outputs: last}) {
		got = append(got, o.Path)
	}
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("outputList of a spoiled cache = %q, want %q", got, want)
	}
	if outputsSorted.Load() != sorted+1 {
		t.Errorf("outputList did not sort a spoiled cache's records again")
	}
}

// checkOutputs given slots stats nothing while every slot is taken, gives
// back each it takes, and finds the files as they are.
func TestCheckOutputsTakesSlots(t *testing.T) {
	dest := t.TempDir()
	var outs []cachedOutput
	for i := range 3*checkRun + 5 {
		rel := fmt.Sprintf("p%d/index.html", i)
		p := filepath.Join(dest, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("page"), 0o644); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, cachedOutput{Path: rel, Stamp: outputStamp(fi)})
	}
	outs[7].Stamp.Size++ // not as the build left it
	slots := make(chan struct{}, 1)
	slots <- struct{}{}
	done := make(chan map[string]*cachedOutput, 1)
	go func() { done <- checkOutputs(dest, outs, slots) }()
	select {
	case <-done:
		t.Fatal("outputs checked with every slot taken")
	case <-time.After(100 * time.Millisecond):
	}
	<-slots
	intact := <-done
	if len(intact) != len(outs)-1 || intact[outs[7].Path] != nil {
		t.Errorf("%d outputs intact, want all but %s", len(intact), outs[7].Path)
	}
	select {
	case slots <- struct{}{}:
	default:
		t.Error("checkOutputs kept a slot")
	}
}
