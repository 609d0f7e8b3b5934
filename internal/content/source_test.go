package content

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/fstest"
)

const goodTxt = " date 2020-01-02 \n\nA headline\n\nThe story.\n"

// faultFS wraps a MapFS and fails Open of chosen files the way the kernel
// does: a permission error, or a file that was listed and then vanished.
type faultFS struct {
	fstest.MapFS
	fail map[string]error
}

func (f faultFS) Open(name string) (fs.File, error) {
	if err := f.fail[name]; err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return f.MapFS.Open(name)
}

func problemFor(t *testing.T, probs Problems, path string) *Problem {
	t.Helper()
	for _, p := range probs {
		if p.Path == path {
			return p
		}
	}
	t.Fatalf("no problem reported for %s; got:\n%v", path, probs)
	return nil
}

func TestLoadFaults(t *testing.T) {
	fsys := faultFS{
		MapFS: fstest.MapFS{
			"ok.txt":       {Data: []byte(goodTxt)},
			"locked.txt":   {Data: []byte(goodTxt)},
			"vanished.txt": {Data: []byte(goodTxt)},
			"loop.txt":     {Data: []byte(goodTxt)},
		},
		fail: map[string]error{
			"locked.txt":   syscall.EACCES,
			"vanished.txt": syscall.ENOENT,
			"loop.txt":     syscall.ELOOP,
		},
	}
	l := &Loader{FS: fsys}
	arts, probs, err := l.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 1 || arts[0].Source != "ok.txt" {
		t.Errorf("loaded %d articles; want only ok.txt", len(arts))
	}
	for path, want := range map[string]string{
		"locked.txt":   "permission denied",
		"vanished.txt": "vanished while the build read content/",
		"loop.txt":     "symbolic link loop",
	} {
		if p := problemFor(t, probs, path); !strings.Contains(p.Msg, want) || p.Fix == "" {
			t.Errorf("%s: %v; want %q and a fix", path, p, want)
		}
	}
}

// A file over the limit is reported from its size alone, without reading it.
func TestLoadHugeFileRefused(t *testing.T) {
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "huge.txt"))
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(goodTxt)
	if err := f.Truncate(50 << 20); err != nil { // 50 MiB, sparse
		t.Fatal(err)
	}
	f.Close()
	l := &Loader{FS: os.DirFS(dir), MaxBytes: 8 << 20}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, prob := l.LoadFile("huge.txt")
	runtime.ReadMemStats(&after)
	if prob == nil || !strings.Contains(prob.Msg, "50.0 MiB, over the 8.0 MiB limit") || !strings.Contains(prob.Fix, "maxArticleMB") {
		t.Fatalf("problem = %v; want the size, the limit and the config key", prob)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("refusing a 50 MiB file allocated %d bytes; it should not read it", alloc)
	}
}

// A 50 MB article under a raised limit builds, in memory proportional to it.
func TestLoadLargeArticle(t *testing.T) {
	var b strings.Builder
	b.WriteString(" date 2020-01-02 \n\nA very long story\n\n")
	para := strings.Repeat("The council met again on Tuesday and talked for a long time. ", 16) + "\n\n"
	for b.Len() < 50<<20 {
		b.WriteString(para)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "long.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	size := b.Len()
	b = strings.Builder{}
	l := &Loader{FS: os.DirFS(dir), MaxBytes: 64 << 20}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	a, prob := l.LoadFile("long.txt")
	runtime.ReadMemStats(&after)
	if prob != nil {
		t.Fatal(prob)
	}
	if a.Title != "A very long story" || len(a.Body) < size*9/10 {
		t.Errorf("title %q, body %d bytes of %d", a.Title, len(a.Body), size)
	}
	// Reading, splitting, joining and escaping copy the text a few times;
	// out of proportion would be tens of copies.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 10*uint64(size) {
		t.Errorf("loading a %d-byte article allocated %d bytes (%.1fx)", size, alloc, float64(alloc)/float64(size))
	}
}

// One folder of 100,000 small articles loads completely.
func TestLoadHundredThousandFiles(t *testing.T) {
	const n = 100_000
	dir := t.TempDir()
	for i := range n {
		data := fmt.Sprintf(" date 2020-01-02 \n\nHeadline %d\n\nStory %d.\n", i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%06d.txt", i)), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	arts, probs, err := (&Loader{FS: os.DirFS(dir)}).Load(context.Background())
	if err != nil || len(probs) > 0 {
		t.Fatalf("err %v, problems %v", err, probs)
	}
	if len(arts) != n || arts[n-1].Title != fmt.Sprintf("Headline %d", n-1) {
		t.Fatalf("loaded %d articles; want %d in path order", len(arts), n)
	}
}

// Files deleted while Load runs are each either loaded or reported as
// vanished; nothing crashes and nothing is silently dropped.
func TestLoadWhileFilesVanish(t *testing.T) {
	const n = 2000
	dir := t.TempDir()
	for i := range n {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%04d.txt", i)), []byte(goodTxt), 0o644)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := n - 1; i >= 0; i -= 2 {
			os.Remove(filepath.Join(dir, fmt.Sprintf("%04d.txt", i)))
		}
	}()
	arts, probs, err := (&Loader{FS: os.DirFS(dir)}).Load(context.Background())
	wg.Wait()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	if err != nil {
		return // the listing itself raced with the deletes: reported as an error, not a crash
	}
	seen := map[string]bool{}
	for _, a := range arts {
		seen[a.Source] = true
	}
	for _, p := range probs {
		if !strings.Contains(p.Msg, "vanished") {
			t.Errorf("unexpected problem %v", p)
		}
		seen[p.Path] = true
	}
	for i := 0; i < n; i += 2 { // the files never deleted must all load
		if name := fmt.Sprintf("%04d.txt", i); !seen[name] {
			t.Errorf("%s neither loaded nor reported", name)
		}
	}
}

// endless is a file that never ends, like /dev/zero or one still growing.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}

// A file that claims one size and keeps growing is read to one byte past
// the limit and no further.
func TestReadAtMostStopsAtLimit(t *testing.T) {
	data, err := readAtMost(endless{}, 10, 1<<20)
	if err != nil || len(data) != 1<<20+1 {
		t.Errorf("read %d bytes, %v; want the limit plus one", len(data), err)
	}
	data, err = readAtMost(strings.NewReader("short"), 100, 1<<20)
	if err != nil || string(data) != "short" {
		t.Errorf("read %q, %v", data, err)
	}
}
