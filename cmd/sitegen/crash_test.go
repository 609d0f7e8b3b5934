//go:build crash

package main

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestKillDuringBuild kills sitegen with SIGKILL at random moments while it
// builds a 10,000-article archive over a previous one. After every kill the
// destination must be, file for file, either the complete previous site or
// the complete new one, and a following build must succeed.
//
// It needs about twenty builds of 10,000 articles (two to three minutes
// on two idle cores), too long for every "go test ./..." of the day, so it sits behind
// the build tag "crash" and .ci/run runs it on its own:
//
//	go test -tags crash -run TestKillDuringBuild ./cmd/sitegen
//
// Two source trees share the articles and differ in the site title, so every
// page differs between them and a mix of the two would be seen.
func TestKillDuringBuild(t *testing.T) {
	const articles, kills = 10_000, 20
	bin := buildBinary(t)
	root := scratchDir(t, 2<<30)
	srcA, srcB, dest := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "out", "public")
	writeCorpus(t, srcA, articles, 42)
	os.MkdirAll(srcB, 0o755)
	if err := os.Symlink(filepath.Join(srcA, "content"), filepath.Join(srcB, "content")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(srcA, "sitegen.yaml"), []byte("title: Archive A\n"), 0o644)
	os.WriteFile(filepath.Join(srcB, "sitegen.yaml"), []byte("title: Archive B\n"), 0o644)

	build := func(src string) time.Duration {
		t.Helper()
		start := time.Now()
		out, err := exec.Command(bin, "build", "--quiet", "--source", src, "--dest", dest).CombinedOutput()
		if err != nil {
			t.Fatalf("build of %s after a kill failed: %v\n%s", filepath.Base(src), err, out)
		}
		return time.Since(start)
	}
	build(srcA)
	hashA := treeHash(t, dest)
	took := build(srcB)
	hashB := treeHash(t, dest)
	if hashA == hashB {
		t.Fatal("the two sites are identical; the test could not tell them apart")
	}
	t.Logf("site A: %s; site B: %s; a full build takes %v", hashA, hashB, took.Round(time.Millisecond))

	src := map[string]string{hashA: srcA, hashB: srcB}
	other := map[string]string{hashA: hashB, hashB: hashA}
	state := hashB
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	kept, replaced := 0, 0
	for i := range kills {
		next := other[state]
		delay := time.Duration(r.Int64N(int64(took) * 11 / 10))
		cmd := exec.Command(bin, "build", "--quiet", "--source", src[next], "--dest", dest)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill() // SIGKILL: no deferred cleanup runs
		cmd.Wait()
		switch got := treeHash(t, dest); got {
		case state:
			kept++
		case next:
			replaced++
			state = next
		default:
			t.Fatalf("kill %d after %v: public/ is %s, neither the previous site (%s) nor the new one (%s)",
				i+1, delay.Round(time.Millisecond), got, state, next)
		}
		// After every fourth kill the next build runs to the end and must
		// succeed whatever the kills left behind; the other kills are followed
		// by a build that is itself killed, to stack interrupted builds (and
		// to keep the test near two minutes on CI).
		if i%4 == 3 || i == kills-1 {
			next = other[state]
			build(src[next])
			if got := treeHash(t, dest); got != next {
				t.Fatalf("after kill %d, a full build gave %s, want %s", i+1, got, next)
			}
			state = next
		}
	}
	t.Logf("%d kills of full builds: %d left the previous site, %d the new one", kills, kept, replaced)
	checkLeftovers(t, dest)
	killIncremental(t, bin, srcA, dest, hashA, build, r)
	checkLeftovers(t, dest)
}

// checkLeftovers fails when anything but public/ and the build cache is
// left beside public/ after a successful build.
func checkLeftovers(t *testing.T, dest string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Dir(dest))
	var names []string
	for _, e := range entries {
		if n := e.Name(); n != filepath.Base(dest) && n != "."+filepath.Base(dest)+".sitegen-cache" {
			names = append(names, n)
		}
	}
	if len(names) > 0 {
		t.Errorf("leftovers beside public/ after a successful build: %v", names)
	}
}

// killIncremental kills builds that change 30 of the 10,000 articles, which
// patch public/ in place through a journal instead of swapping it whole.
// A kill before the journal is committed must leave the previous site; a
// kill after, the new one or, while the journal is being applied, a mix
// that only the journal's presence excuses and that the next build must
// finish. The count of such mixes is logged.
func killIncremental(t *testing.T, bin, src, dest, hashA string, build func(string) time.Duration, r *rand.Rand) {
	const kills, edited = 10, 30
	build(src) // public/ is site A again, with a build cache
	if got := treeHash(t, dest); got != hashA {
		t.Fatalf("rebuilding site A gave %s, want %s", got, hashA)
	}
	files, _ := filepath.Glob(filepath.Join(src, "content", "*", "*", "story-000[0-2]?.md"))
	if len(files) != edited {
		t.Fatalf("%d files to edit, want %d", len(files), edited)
	}
	original := make([][]byte, len(files))
	for i, f := range files {
		original[i], _ = os.ReadFile(f)
	}
	setEdited := func(on bool) {
		for i, f := range files {
			data := original[i]
			if on {
				data = append(append([]byte(nil), data...), "An update was added to this story.\n"...)
			}
			if err := os.WriteFile(f, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	setEdited(true)
	took := build(src)
	hashE := treeHash(t, dest)
	if hashE == hashA {
		t.Fatal("editing 30 articles changed nothing")
	}
	other := map[string]string{hashA: hashE, hashE: hashA}
	state, kept, replaced, mixed := hashE, 0, 0, 0
	journal := filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".journal")
	for i := range kills {
		next := other[state]
		setEdited(next == hashE)
		delay := time.Duration(r.Int64N(int64(took) * 11 / 10))
		cmd := exec.Command(bin, "build", "--quiet", "--source", src, "--dest", dest)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		switch got := treeHash(t, dest); {
		case got == state:
			kept++
		case got == next:
			replaced++
		default:
			if _, err := os.Stat(journal); err != nil {
				t.Fatalf("incremental kill %d after %v: public/ is %s, neither %s nor %s, and no journal to finish it",
					i+1, delay.Round(time.Millisecond), got, state, next)
			}
			mixed++
		}
		build(src) // must succeed and finish what the kill left
		if got := treeHash(t, dest); got != next {
			t.Fatalf("after incremental kill %d, a build gave %s, want %s", i+1, got, next)
		}
		state = next
	}
	setEdited(false)
	t.Logf("%d kills of incremental builds (%v each): %d left the previous site, %d the new one, %d a mix that the journal finished on the next build",
		kills, took.Round(time.Millisecond), kept, replaced, mixed)
}
