package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// buildBinary compiles the sitegen command once for tests that must run it
// as a process: to kill it, or to run it where the test itself cannot.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sitegen")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

var corpusWords = strings.Fields(`the government said on monday that talks with union leaders
	would resume after protesters gathered outside parliament in the capital where police
	closed several roads and officials warned of delays to trains buses and flights while
	ministers met to discuss the budget the economy energy prices and a new law on housing`)

// writeCorpus writes n deterministic Markdown articles under root/content,
// spread over 2000-2025 with 2-5 of 300 tags each: the shape of a real
// archive, small enough to generate in a second.
func writeCorpus(t *testing.T, root string, n int, seed uint64) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 0))
	words := func(k int) string {
		w := make([]string, k)
		for i := range w {
			w[i] = corpusWords[r.IntN(len(corpusWords))]
		}
		return strings.Join(w, " ")
	}
	for i := range n {
		day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(26*365))
		var tags []string
		for range 2 + r.IntN(4) {
			tags = append(tags, fmt.Sprintf("topic %d", r.IntN(300)))
		}
		var body strings.Builder
		for range 4 + r.IntN(4) {
			body.WriteString(strings.ToUpper(words(1)[:1]) + words(40) + ".\n\n")
		}
		src := fmt.Sprintf("---\ntitle: %q\ndate: %s\ntags: [%s]\nauthor: Reporter %d\n---\n%s",
			fmt.Sprintf("Story %d: %s", i, words(6)), day.Format("2006-01-02"), strings.Join(tags, ", "), r.IntN(50), body.String())
		p := filepath.Join(root, "content", day.Format("2006/01"), fmt.Sprintf("story-%05d.md", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// treeHash digests every file under dir, names and bytes, so that two
// trees hash alike only when they are the same site file for file.
func treeHash(t *testing.T, dir string) string {
	t.Helper()
	var files []string
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if os.IsNotExist(err) {
		return "missing"
	}
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	h := sha256.New()
	for _, p := range files {
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\x00", rel)
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(h, f)
		f.Close()
	}
	return fmt.Sprintf("%d files %s", len(files), hex.EncodeToString(h.Sum(nil))[:16])
}
