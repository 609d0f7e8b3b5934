package build

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	sitegen "github.com/sitegen/sitegen"
	"github.com/sitegen/sitegen/internal/assets"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected output in testdata/golden/*.txtar")

// TestGolden builds each site in testdata/golden/*.txtar and compares the
// result with the archive's expected files. An archive holds the input tree
// under "in/", every file the build must write under "out/" (files copied
// from the default assets are left out, so restyling the theme does not
// touch these cases), and "report": the problems, notes and error the build
// reports. Run with -update to rewrite "out/" and "report" on purpose.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden archives: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "site"), filepath.Join(dir, "public")
			var want []txtar.File
			for _, f := range ar.Files {
				switch {
				case strings.HasPrefix(f.Name, "in/"):
					writeFile(t, filepath.Join(src, strings.TrimPrefix(f.Name, "in/")), f.Data)
				default:
					want = append(want, f)
				}
			}
			rep, err := Run(context.Background(), Options{Source: src, Dest: dst})
			got := []txtar.File{{Name: "report", Data: []byte(reportText(rep, err))}}
			got = append(got, outputFiles(t, dst)...)

			if *update {
				var in []txtar.File
				for _, f := range ar.Files {
					if strings.HasPrefix(f.Name, "in/") {
						in = append(in, f)
					}
				}
				ar.Files = append(in, got...)
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			compareFiles(t, want, got)
		})
	}
}

// reportText is what a build told its user, in a stable form.
func reportText(rep *Report, err error) string {
	var b strings.Builder
	if rep != nil {
		for _, p := range rep.Problems {
			b.WriteString("problem: " + p.Error() + "\n")
		}
		for _, n := range rep.Notes {
			b.WriteString("note: " + n + "\n")
		}
	}
	if err != nil {
		b.WriteString("error: " + err.Error() + "\n")
	}
	return b.String()
}

// outputFiles lists the files a build wrote under dst as txtar files named
// "out/PATH", leaving out copies of the default assets and their
// content-hashed copies.
func outputFiles(t *testing.T, dst string) []txtar.File {
	t.Helper()
	var files []txtar.File
	if _, err := os.Stat(dst); os.IsNotExist(err) {
		return nil
	}
	theme, err := assets.Fingerprint(sitegen.DefaultAssets())
	if err != nil {
		t.Fatal(err)
	}
	hashedTheme := map[string]bool{}
	for _, f := range theme.Files() {
		hashedTheme[f] = true
	}
	err = filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dst, p)
		rel = filepath.ToSlash(rel)
		if _, err := fs.Stat(sitegen.DefaultAssets(), rel); err == nil || hashedTheme[rel] {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.HasPrefix(rel, "search/d/") {
			data = readableDocFile(data)
		}
		if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
			// A binary file (the search index's shards) is held by its hash:
			// txtar is text, and a change still shows.
			data = fmt.Appendf(nil, "binary, sha256 %x\n", sha256.Sum256(data))
		}
		files = append(files, txtar.File{Name: "out/" + rel, Data: data})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files
}

// readableDocFile shows a search document file's header, the offsets
// where its documents end, as text above the documents (JSON lines), so
// that the archive shows what a result displays. Bytes that do not read
// as such a file are returned as they are.
func readableDocFile(data []byte) []byte {
	ends, docs := splitDocFile(data)
	if docs == nil {
		return data
	}
	out := []byte("header: documents end at")
	for _, e := range ends {
		out = fmt.Appendf(out, " %d", e)
	}
	out = append(out, '\n')
	return append(out, bytes.Join(docs, nil)...)
}

// splitDocFile splits a search document file into its documents, after a
// header of one little-endian uint32 per document saying where it ends;
// nil if data is not such a file.
func splitDocFile(data []byte) (ends []int, docs [][]byte) {
	for n := 1; 4*n < len(data) && n <= 64; n++ {
		if data[4*n] != '{' || int(binary.LittleEndian.Uint32(data[4*(n-1):])) != len(data) {
			continue
		}
		start := 4 * n
		for j := range n {
			end := int(binary.LittleEndian.Uint32(data[4*j:]))
			if end <= start || end > len(data) {
				return nil, nil
			}
			ends = append(ends, end)
			docs = append(docs, data[start:end])
			start = end
		}
		return ends, docs
	}
	return nil, nil
}

func compareFiles(t *testing.T, want, got []txtar.File) {
	t.Helper()
	wantBy := map[string][]byte{}
	for _, f := range want {
		wantBy[f.Name] = f.Data
	}
	for _, f := range got {
		w, ok := wantBy[f.Name]
		delete(wantBy, f.Name)
		if !ok {
			t.Errorf("unexpected file %s:\n%s", f.Name, f.Data)
			continue
		}
		if !bytes.Equal(w, f.Data) {
			t.Errorf("%s differs\n--- got:\n%s\n--- want:\n%s", f.Name, f.Data, w)
		}
	}
	for name := range wantBy {
		t.Errorf("missing file %s", name)
	}
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
