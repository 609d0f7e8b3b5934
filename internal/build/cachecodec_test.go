package build

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/search"
)

// notCached are the fields of content.Article the build cache does not
// keep: the body is read from the file again when a page needs it, and
// Read more links are kept as source paths (archived.SeeAlso).
var notCached = map[string]bool{"Body": true, "SeeAlso": true}

// fillValue sets every field of v, recursively, to a value that differs
// from the zero value and from every other field's, so that a field the
// codec forgets or swaps shows.
func fillValue(t *testing.T, v reflect.Value, path string, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("%s #%d", path, *n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n) * 1000003)
	case reflect.Uint64, reflect.Uint32, reflect.Uint, reflect.Uint8:
		v.SetUint(uint64(*n) * 0x9e3779b97f4a7c15)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n) + 0.25)
	case reflect.Array:
		for i := range v.Len() {
			fillValue(t, v.Index(i), fmt.Sprintf("%s[%d]", path, i), n)
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			fillValue(t, s.Index(i), fmt.Sprintf("%s[%d]", path, i), n)
		}
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2000+*n, 2, 3, 4, 5, 6, 7000+*n, time.UTC)))
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || path == "" && notCached[f.Name] {
				continue
			}
			fillValue(t, v.Field(i), path+"."+f.Name, n)
		}
	default:
		t.Fatalf("%s: fillValue does not know a %s; teach it, and the build cache's codec (cachecodec.go)", path, v.Kind())
	}
}

// Every field of an article but those notCached comes back from the build
// cache as it went in. A field added to content.Article fails this test
// until cachecodec.go writes and reads it.
func TestCacheArticleRoundTrip(t *testing.T) {
	var a content.Article
	n := 0
	fillValue(t, reflect.ValueOf(&a).Elem(), "", &n)
	var buf bytes.Buffer
	cw := &cacheWriter{w: bufio.NewWriter(&buf)}
	cw.article(&a, a.Slug, nil)
	cw.archived(&archived{NewTags: true, Tags: a.Tags, Aliases: []string{"/x/"}, Findings: a.Findings, SeeAlso: []string{"a.md"}})
	cw.flush()
	cw.w.Flush()
	r := newCacheReader(buf.String())
	var got content.Article
	r.article(&got)
	ar := r.archived()
	if err := r.end(); err != nil {
		t.Fatal(err)
	}
	want := reflect.ValueOf(a)
	for i := range want.NumField() {
		f := want.Type().Field(i)
		if g := reflect.ValueOf(got).Field(i); !reflect.DeepEqual(g.Interface(), want.Field(i).Interface()) {
			t.Errorf("Article.%s: read back %#v, wrote %#v", f.Name, g.Interface(), want.Field(i).Interface())
		}
	}
	if ar == nil || !ar.NewTags || !reflect.DeepEqual(ar.Tags, a.Tags) || ar.SeeAlso[0] != "a.md" || ar.Aliases[0] != "/x/" {
		t.Errorf("archived read back as %+v", ar)
	}

	// An article normalized in place is kept with its slug and the fields
	// package archive changes as parsed.
	parsed := &parsedFields{tags: []content.Tag{{Name: "Parsed", Slug: "parsed"}}, aliases: []string{"/parsed/"},
		findings: []content.Finding{{Path: "p.md", Kind: "link", Text: "parsed"}}}
	buf.Reset()
	cw = &cacheWriter{w: bufio.NewWriter(&buf)}
	cw.article(&a, "parsed-slug", parsed)
	cw.flush()
	cw.w.Flush()
	r = newCacheReader(buf.String())
	got = content.Article{}
	r.article(&got)
	if err := r.end(); err != nil {
		t.Fatal(err)
	}
	if got.Slug != "parsed-slug" || !reflect.DeepEqual(got.Tags, parsed.tags) || !reflect.DeepEqual(got.Aliases, parsed.aliases) ||
		!reflect.DeepEqual(got.Findings, parsed.findings) || got.Title != a.Title {
		t.Errorf("normalized article read back as slug %q, tags %v, aliases %v, findings %v", got.Slug, got.Tags, got.Aliases, got.Findings)
	}
}

// Every field of the search index's analyses and shards comes back from
// the build cache as it went in. A field added to search.Entry or
// search.Shard fails this test until cachecodec.go writes and reads it.
func TestCacheSearchRoundTrip(t *testing.T) {
	var entries []search.Entry // fillValue makes two of each
	var shards []search.Shard
	n := 0
	fillValue(t, reflect.ValueOf(&entries).Elem(), "Entry", &n)
	fillValue(t, reflect.ValueOf(&shards).Elem(), "Shard", &n)
	var buf bytes.Buffer
	cw := &cacheWriter{w: bufio.NewWriter(&buf)}
	for i := range entries {
		cw.entry(&entries[i])
	}
	cw.flush()
	cw.w.Flush()
	got, err := readEntries(bytes.Clone(buf.Bytes()), len(entries))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, entries) {
		t.Errorf("search entries read back as %+v, wrote %+v", got, entries)
	}

	buf.Reset()
	cw = &cacheWriter{w: bufio.NewWriter(&buf)}
	for i := range shards {
		cw.shard(&shards[i])
	}
	cw.flush()
	cw.w.Flush()
	r := newCacheReader(buf.String())
	for i, want := range shards {
		if got := r.shard(); got != want {
			t.Errorf("search shard %d read back as %+v, wrote %+v", i, got, want)
		}
	}
	if err := r.end(); err != nil {
		t.Fatal(err)
	}
}

// A build cache damaged anywhere, cut short or with bytes changed, is
// refused or read, into memory or mapped; never a panic, and a build over it gives a clean
// build's site.
func TestCacheFileDamaged(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 12)
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(cachePath(dest))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	read := func(data []byte) {
		t.Helper()
		if err := os.WriteFile(cachePath(dest), data, 0o644); err != nil {
			t.Fatal(err)
		}
		// Read into memory, and mapped (as Run reads it where it can).
		for _, fm := range []*fileMaps{nil, new(fileMaps)} {
			if man, _ := readCache(mustAbs(root), dest, fm); man != nil {
				if man.readTrees() == nil {
					man.readRest()
				}
				man.close()
			}
			if fm != nil {
				fm.release()
			}
		}
	}
	for range 300 {
		read(good[:rng.IntN(len(good))])
		damaged := bytes.Clone(good)
		for range 1 + rng.IntN(3) {
			damaged[rng.IntN(len(damaged))] ^= byte(1 + rng.IntN(255))
		}
		read(damaged)
	}
	// A build over a damaged cache, whatever it makes of it, publishes the
	// site as a clean build does.
	damaged := bytes.Clone(good)
	damaged[len(damaged)/2] ^= 0xff
	if err := os.WriteFile(cachePath(dest), damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	writeSiteFile(t, root, "content/01/story-005.md", testArticle("Story number 5", "2024-03-01", []string{"Iraq"}, "A new body."))
	ageFiles(t, root)
	if _, err := Run(ctx, Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	assertCleanBuild(t, root, dest, false)
}

func FuzzCacheArticle(f *testing.F) {
	var a content.Article
	n := 0
	fillValue(&testing.T{}, reflect.ValueOf(&a).Elem(), "", &n)
	var buf bytes.Buffer
	cw := &cacheWriter{w: bufio.NewWriter(&buf)}
	cw.article(&a, a.Slug, nil)
	cw.flush()
	cw.w.Flush()
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		r := newCacheReader(string(data))
		var got content.Article
		r.article(&got)
		r.archived()
		r.end()
	})
}

// folderStat stamps a file as statStamp stamps its FileInfo: the build
// cache compares stamps made both ways.
func TestFolderStatMatchesStatStamp(t *testing.T) {
	dir := t.TempDir()
	writeSiteFile(t, dir, "a/b/index.html", "x")
	if err := os.Symlink("b/index.html", filepath.Join(dir, "a", "link")); err != nil {
		t.Fatal(err)
	}
	fs := openFolderStat(dir)
	defer fs.close()
	for _, rel := range []string{"a/b/index.html", "a/link", "a"} {
		for _, follow := range []bool{false, true} {
			stat := os.Lstat
			if follow {
				stat = os.Stat
			}
			fi, err := stat(filepath.Join(dir, filepath.FromSlash(rel)))
			if err != nil {
				t.Fatal(err)
			}
			st, regular, err := fs.stamp(rel, follow)
			if err != nil || st != statStamp(fi) || regular != fi.Mode().IsRegular() {
				t.Errorf("%s (follow %v): %+v %v %v, want %+v %v", rel, follow, st, regular, err, statStamp(fi), fi.Mode().IsRegular())
			}
		}
	}
	if _, _, err := fs.stamp("missing", false); err == nil {
		t.Error("a missing file was stamped")
	}
}

// A cache write given up (the swap failed) leaves neither its temporary
// file nor a cache; a finished one leaves the cache alone, readable.
func TestCacheWriteAbort(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	sources := func(full bool, yield func([]cachedSource) error) error {
		return yield([]cachedSource{{Path: "content/a.md", Hash: sourceHash{1}}})
	}
	left := func() []string {
		t.Helper()
		names, err := filepath.Glob(filepath.Join(filepath.Dir(dest), ".*"))
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	st := &cacheState{Articles: 1}
	c := startCache(dest, st, 1, sources)
	c.abort()
	c.abort() // a second time does nothing
	if l := left(); len(l) != 0 {
		t.Errorf("an aborted cache write left %v", l)
	}
	c = startCache(dest, st, 1, sources)
	if err := c.finish("/site", dest, st, nil); err != nil {
		t.Fatal(err)
	}
	c.abort() // after finish: nothing to do
	if l := left(); len(l) != 1 || l[0] != cachePath(dest) {
		t.Errorf("a finished cache write left %v, want the cache alone", l)
	}
	man := readManifest("/site", dest)
	if man == nil || !man.readRest() {
		t.Fatal("the cache written is not read back")
	}
	if len(man.Sources) != 1 || man.Sources[0].Path != "content/a.md" || man.Sources[0].Hash != (sourceHash{1}) || man.State.Articles != 1 {
		t.Errorf("read back %+v, state %+v", man.Sources, man.State)
	}
}

// The program's key is the hash of the running executable's bytes, read
// in pieces, as if read whole.
func TestProgramKeyHashesExecutable(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	var k keyWriter
	k.str("sitegen build cache v1")
	k.bytes(data)
	if got, want := programKey(), k.sum(); got != want {
		t.Errorf("programKey() = %x, want the hash of %s's %d bytes, %x", got, exe, len(data), want)
	}
}

// sortedLike gives a map's keys sorted, taking the previous cache's order
// when it lists exactly those keys and sorting when it does not.
func TestSortedLike(t *testing.T) {
	m := map[string]int{"b": 2, "a": 1, "c": 3}
	for _, last := range [][]string{{"a", "b", "c"}, {"a", "b", "d"}, {"a", "b"}, nil, {"a", "b", "c", "d"}} {
		keys, vals := sortedLike(m, len(last), func(i int) string { return last[i] })
		if !slices.Equal(keys, []string{"a", "b", "c"}) || !slices.Equal(vals, []int{1, 2, 3}) {
			t.Errorf("last %q: %q %v, want [a b c] [1 2 3]", last, keys, vals)
		}
	}
}

// A cache write starts on the sources while the search index is still
// being made, and reads the index's analyses only once told they are made
// (searchReady): the ones set after the write began are those the cache
// keeps.
func TestCacheWriteWaitsForSearch(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	sources := func(full bool, yield func([]cachedSource) error) error {
		return yield([]cachedSource{{Path: "content/a.md", Hash: sourceHash{1}}})
	}
	st := &cacheState{Articles: 1}
	c := startCache(dest, st, 1, sources)
	defer c.abort()
	time.Sleep(10 * time.Millisecond) // the sources are written meanwhile
	st.Search = &search.Cache{Terms: []string{"alpha", "beta"}}
	c.searchReady()
	c.searchReady() // a second time does nothing
	if err := c.finish("/site", dest, st, nil); err != nil {
		t.Fatal(err)
	}
	man := readManifest("/site", dest)
	if man == nil || !man.readRest() {
		t.Fatal("the cache written is not read back")
	}
	if got := man.State.Search; got == nil || !slices.Equal(got.Terms, []string{"alpha", "beta"}) {
		t.Errorf("search analyses read back %+v, want the terms set after the write began", got)
	}
}
