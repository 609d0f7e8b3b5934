package serve

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRebuildStorm changes sources hundreds of times a second for ten
// seconds, the way a git checkout loop or a sync tool might, while clients
// read the preview. Every answer must be a whole page (never a server error
// or a cut-off page), an article never goes back to an older version once a
// newer one was served, and when the storm ends the server settles on the
// site the sources describe: every article at its last version, listed once
// on the home page. Run with -race, it also checks the build and the server
// for data races under that load.
func TestRebuildStorm(t *testing.T) {
	const (
		articles = 20
		storm    = 10 * time.Second
		rate     = 300.0                  // changes a second
		pause    = 40 * time.Millisecond  // between bursts; DefaultDebounce is 30 ms
		maxBurst = 200 * time.Millisecond // a slow machine still pauses
		// The fewest changes that count as a storm: a loaded 2-core
		// machine running -race falls behind the rate at times, but
		// fewer than 200 a second would not test what the test says.
		minChanges = 2000
	)
	dir := stormDir(t)
	writeFile(t, dir, "sitegen.yaml", "title: Storm\nbaseURL: http://localhost/\npaginate: 100\n")
	storyPath := func(i int) string { return fmt.Sprintf("content/story-%02d.md", i) }
	story := func(i, v int) string {
		return fmt.Sprintf("---\ntitle: Story %d version %d\ndate: 2024-05-%02d\nslug: story-%d\ntags: [Storm]\n---\nBody of story %d at version %d.\n",
			i, v, 1+i%28, i, i, v)
	}
	version := make([]int, articles)
	for i := range articles {
		writeFile(t, dir, storyPath(i), story(i, 0))
	}
	p := startPreview(t, dir, 0)
	url := func(i int) string { return fmt.Sprintf("/2024/05/%02d/story-%d/", 1+i%28, i) }

	// Writers: in-place writes, write-then-rename, delete-and-recreate, and a
	// broken file now and then that the next write repairs.
	changes := 0
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		start := time.Now()
		for n := 0; time.Since(start) < storm; {
			// Catch up with the rate, then pause long enough for a debounce
			// to see a quiet moment, so that rebuilds run during the storm.
			burst := time.Now()
			for float64(n) < rate*time.Since(start).Seconds() && time.Since(burst) < maxBurst {
				i := n % articles
				version[i]++
				target := filepath.Join(dir, storyPath(i))
				data := []byte(story(i, version[i]))
				var err error
				switch n % 4 {
				case 0:
					err = os.WriteFile(target, data, 0o644)
				case 1:
					tmp := filepath.Join(dir, "content", fmt.Sprintf(".tmp-%d", n))
					os.WriteFile(tmp, data, 0o644)
					err = os.Rename(tmp, target)
				case 2:
					os.Remove(target)
					err = os.WriteFile(target, data, 0o644)
				case 3:
					os.WriteFile(target, []byte("---\ntitle: [unclosed\n---\nbroken\n"), 0o644)
					err = os.WriteFile(target, data, 0o644)
				}
				n++
				if err == nil {
					changes++ // made: the file holds the new version
				}
			}
			time.Sleep(pause)
		}
	}()

	// Readers: two clients fetch the home page and article pages throughout.
	var answers, notFound atomic.Int64
	var mu sync.Mutex
	// The highest version served per article, per reader: one client's
	// answers come in order, but two clients' answers may be checked in
	// another order than the server gave them, so each keeps its own.
	seen := [2][]int{make([]int, articles), make([]int, articles)}
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 10 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	titleRE := regexp.MustCompile(`Story (\d+) version (\d+)`)
	var readers sync.WaitGroup
	for r := range 2 {
		readers.Go(func() {
			for n := r; ; n++ {
				select {
				case <-writerDone:
					return
				default:
				}
				path := "/"
				if n%3 != 0 {
					path = url(n % articles)
				}
				resp, err := client.Get(strings.TrimSuffix(p.url, "/") + path)
				if err != nil {
					fail("GET %s: %v", path, err)
					continue
				}
				body, err := readAll(resp)
				answers.Add(1)
				switch {
				case err != nil:
					fail("GET %s: reading: %v", path, err)
				case resp.StatusCode == 404 && path != "/":
					notFound.Add(1) // deleted and not yet recreated when the build read content/
				case resp.StatusCode != 200:
					fail("GET %s: status %d", path, resp.StatusCode)
				case !strings.Contains(body, "</html>"):
					fail("GET %s: a cut-off page of %d bytes", path, len(body))
				case path != "/":
					m := titleRE.FindStringSubmatch(body)
					if m == nil {
						fail("GET %s: no story title in the page", path)
						continue
					}
					i, _ := strconv.Atoi(m[1])
					v, _ := strconv.Atoi(m[2])
					if !strings.Contains(body, fmt.Sprintf("Body of story %d at version %d.", i, v)) {
						fail("GET %s: title of version %d with another version's body", path, v)
					}
					mu.Lock()
					if v < seen[r][i] {
						failures = append(failures, fmt.Sprintf("GET %s: version %d served after version %d", path, v, seen[r][i]))
					}
					seen[r][i] = max(seen[r][i], v)
					mu.Unlock()
				}
			}
		})
	}
	<-writerDone
	readers.Wait()
	t.Logf("%d changes in %v; %d answers during the storm, %d of them 404 for a file caught deleted", changes, storm, answers.Load(), notFound.Load())
	if changes < minChanges {
		t.Errorf("only %d changes made in %v (%.0f a second), fewer than %d: the storm was too weak to test anything",
			changes, storm, float64(changes)/storm.Seconds(), minChanges)
	}
	for _, f := range failures {
		t.Error(f)
	}

	// Settled: the server shows exactly what the sources say.
	home := p.waitFor("/", "the home page listing every last version", func(code int, body string) bool {
		if code != 200 {
			return false
		}
		for i := range articles {
			if strings.Count(body, fmt.Sprintf("Story %d version %d<", i, version[i])) != 1 {
				return false
			}
		}
		return true
	})
	if got := len(titleRE.FindAllString(home, -1)); got != articles {
		t.Errorf("home page lists %d stories, want %d", got, articles)
	}
	for i := range articles {
		p.waitContains(url(i), fmt.Sprintf("Body of story %d at version %d.", i, version[i]))
	}
	if code, body := p.get("/tags/storm/"); code != 200 || len(titleRE.FindAllString(body, -1)) != articles {
		t.Errorf("tag page: status %d, %d stories listed, want %d", code, len(titleRE.FindAllString(body, -1)), articles)
	}
}

// stormDir returns a fresh folder on /dev/shm where there is one, else a
// temporary folder. On a loaded machine's disk the file system calls alone
// (up to three per change) held the writer to 100-150 changes a second
// under -race; on tmpfs it keeps the rate, and inotify watches it alike.
func stormDir(t *testing.T) string {
	if dir, err := os.MkdirTemp("/dev/shm", "sitegen-storm-"); err == nil {
		t.Cleanup(func() { os.RemoveAll(dir) })
		return dir
	}
	return t.TempDir()
}

func readAll(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
