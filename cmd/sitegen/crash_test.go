//go:build crash

package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestKillDuringBuild kills sitegen with SIGKILL at random moments while it
// builds a 10,000-article archive over a previous one, in four kinds of
// build: a full one (the site title changes, no usable build cache) and
// three incremental ones (one article's body edited, a template edited,
// one article deleted). Right after every kill, before any other sitegen
// command runs, public/ must be byte for byte either the complete previous
// site or the complete new one, each as a clean build makes it; then a
// build must succeed and give exactly the clean build's bytes.
//
// It needs about fifty builds of 10,000 articles (6-7 minutes of CPU: 5.6
// minutes of wall time at a load average of 3-6, 16 at 12),
// too long for every "go test ./..." of the day, so it sits behind the
// build tag "crash" and .ci/run runs it on its own:
//
//	go test -tags crash -run TestKillDuringBuild ./cmd/sitegen
func TestKillDuringBuild(t *testing.T) {
	const articles = 10_000
	start := time.Now()
	bin := buildBinary(t)
	root := scratchDir(t, 4<<30)
	srcA, srcB, dest := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "out", "public")
	writeCorpus(t, srcA, articles, 42)
	os.MkdirAll(srcB, 0o755)
	if err := os.Symlink(filepath.Join(srcA, "content"), filepath.Join(srcB, "content")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(srcA, "sitegen.yaml"), []byte("title: Archive A\n"), 0o644)
	os.WriteFile(filepath.Join(srcB, "sitegen.yaml"), []byte("title: Archive B\n"), 0o644)
	s := newSiteStates(t, srcA, srcB)

	k := &killer{t: t, bin: bin, dest: dest, states: s, clean: map[string]string{},
		r: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))}
	// What each state's site is: a build with no usable cache. The first
	// build into dest is one, and so is B's after it, which finds a cache
	// made for another source folder; the variants of A are built into
	// fresh folders.
	k.build("A")
	k.clean["A"] = treeHash(t, dest)
	k.build("B")
	k.clean["B"] = treeHash(t, dest)
	for _, st := range []string{"edit", "template", "delete"} {
		k.clean[st] = k.cleanBuild(st, filepath.Join(root, "clean", st))
	}
	for a, ha := range k.clean {
		for b, hb := range k.clean {
			if a < b && ha == hb {
				t.Fatalf("states %s and %s give the same site; the test could not tell them apart", a, b)
			}
		}
	}
	t.Logf("setup (corpus, %d clean builds) took %v", len(k.clean), time.Since(start).Round(time.Second))

	// Full builds: every other kill is followed by another killed build,
	// to stack interrupted builds.
	k.run("B", "A", 6, 2)
	// Incremental builds, each kill followed by a build that runs to the end.
	k.run("A", "edit", 6, 1)
	k.run("A", "template", 4, 1)
	k.run("A", "delete", 6, 1)
	s.set("A")
	checkLeftovers(t, dest)
	t.Logf("%d kills in all, in %v", k.kills, time.Since(start).Round(time.Second))
}

// siteStates switches the test site between the states the kill test
// builds: A and B (two site titles over the same articles) and three
// variants of A, each one small change away from it.
type siteStates struct {
	t                 *testing.T
	srcA, srcB        string
	article, template string // the article edited or deleted; the template edited
	original, builtin []byte // the article's bytes in state A; the built-in template's
}

func newSiteStates(t *testing.T, srcA, srcB string) *siteStates {
	s := &siteStates{t: t, srcA: srcA, srcB: srcB,
		template: filepath.Join(srcA, "templates", "article.html")}
	files, _ := filepath.Glob(filepath.Join(srcA, "content", "*", "*", "story-00123.md"))
	if len(files) != 1 {
		t.Fatalf("found %v, want one story-00123.md", files)
	}
	s.article = files[0]
	s.original, _ = os.ReadFile(s.article)
	var err error
	if s.builtin, err = os.ReadFile(filepath.Join("..", "..", "templates", "article.html")); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(s.builtin, []byte(`<h1 dir="auto">`)) {
		t.Fatal(`templates/article.html has no <h1 dir="auto"> for the test to edit`)
	}
	return s
}

// src returns the source folder of a state.
func (s *siteStates) src(state string) string {
	if state == "B" {
		return s.srcB
	}
	return s.srcA
}

// set makes the sources those of state.
func (s *siteStates) set(state string) {
	s.t.Helper()
	article := s.original
	switch state {
	case "edit":
		article = append(bytes.Clone(s.original), "An update was added to this story.\n"...)
	case "delete":
		article = nil
	}
	var err error
	if article == nil {
		err = os.Remove(s.article)
	} else {
		err = os.WriteFile(s.article, article, 0o644)
	}
	if err != nil && !os.IsNotExist(err) {
		s.t.Fatal(err)
	}
	if state == "template" {
		os.MkdirAll(filepath.Dir(s.template), 0o755)
		edited := bytes.Replace(s.builtin, []byte(`<h1 dir="auto">`), []byte(`<h1 dir="auto" class="edited">`), 1)
		err = os.WriteFile(s.template, edited, 0o644)
	} else {
		err = os.RemoveAll(filepath.Dir(s.template))
	}
	if err != nil {
		s.t.Fatal(err)
	}
}

// A killer runs and kills builds into dest and checks what they leave.
type killer struct {
	t         *testing.T
	bin, dest string
	states    *siteStates
	clean     map[string]string // state: treeHash of its clean build
	r         *rand.Rand
	kills     int
}

func (k *killer) command(state, dest string) *exec.Cmd {
	k.states.set(state)
	return exec.Command(k.bin, "build", "--quiet", "--source", k.states.src(state), "--dest", dest)
}

// build builds state into dest to the end; it must succeed, and give the
// clean build's bytes once those are known.
func (k *killer) build(state string) time.Duration {
	k.t.Helper()
	start := time.Now()
	if out, err := k.command(state, k.dest).CombinedOutput(); err != nil {
		k.t.Fatalf("build of %s failed: %v\n%s", state, err, out)
	}
	took := time.Since(start)
	if want, ok := k.clean[state]; ok {
		if got := treeHash(k.t, k.dest); got != want {
			k.t.Fatalf("a build of %s gave %s, a clean build %s", state, got, want)
		}
	}
	return took
}

func (k *killer) cleanBuild(state, dest string) string {
	k.t.Helper()
	if out, err := k.command(state, dest).CombinedOutput(); err != nil {
		k.t.Fatalf("clean build of %s failed: %v\n%s", state, err, out)
	}
	h := treeHash(k.t, dest)
	os.RemoveAll(filepath.Dir(dest))
	return h
}

// run switches dest between states from and to by builds it kills at
// random moments, n times. Before the first kill dest holds to, built
// from from with the build cache, as a user's build would. After every
// kill public/ must be the whole site of the state it held or of the
// state being built; after every finishEvery-th kill a build runs to the
// end.
func (k *killer) run(from, to string, n, finishEvery int) {
	t := k.t
	t.Helper()
	k.build(from)
	took := k.build(to)
	other := map[string]string{from: to, to: from}
	shown := to // the state public/ holds
	var outcomes []string
	for i := range n {
		next := other[shown]
		// Half the kills fall anywhere in the build, half in its last
		// third, where staging, linking and the swap happen.
		lo := time.Duration(0)
		if i%2 == 1 {
			lo = took * 2 / 3
		}
		delay := lo + time.Duration(k.r.Int64N(int64(took*11/10-lo)))
		cmd := k.command(next, k.dest)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill() // SIGKILL: no deferred cleanup runs
		cmd.Wait()
		k.kills++
		switch got := treeHash(t, k.dest); got {
		case k.clean[shown]:
			outcomes = append(outcomes, fmt.Sprintf("%v:previous", delay.Round(time.Millisecond)))
		case k.clean[next]:
			outcomes = append(outcomes, fmt.Sprintf("%v:new", delay.Round(time.Millisecond)))
			shown = next
		default:
			t.Fatalf("%s<->%s kill %d after %v of a %v build: public/ is %s, neither the previous site %s (%s) nor the new one %s (%s)",
				from, to, i+1, delay.Round(time.Millisecond), took.Round(time.Millisecond), got, shown, k.clean[shown], next, k.clean[next])
		}
		if (i+1)%finishEvery == 0 || i == n-1 {
			shown = other[shown]
			k.build(shown)
		}
	}
	t.Logf("%s<->%s (%v a build): %d kills: %s", from, to, took.Round(time.Millisecond), n, strings.Join(outcomes, " "))
}

// checkLeftovers fails when anything but public/, the build cache, the
// saved fragments and the spare (the previous site, which the next small
// build fills, or one made ahead, with its record) is left beside public/
// once the background deletion of previous sites has had time to finish.
func checkLeftovers(t *testing.T, dest string) {
	t.Helper()
	var names []string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		entries, _ := os.ReadDir(filepath.Dir(dest))
		names = names[:0]
		for _, e := range entries {
			if n := e.Name(); n != filepath.Base(dest) && n != "."+filepath.Base(dest)+".sitegen-cache" && n != "."+filepath.Base(dest)+".spare" &&
				n != "."+filepath.Base(dest)+".sitegen-fragments" && n != "."+filepath.Base(dest)+".spare.tree" {
				names = append(names, n)
			}
		}
		if len(names) == 0 || time.Now().After(deadline) {
			break
		}
	}
	if len(names) > 0 {
		t.Errorf("leftovers beside public/ 30 s after a successful build: %v", names)
	}
}
