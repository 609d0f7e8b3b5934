package publish

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestCheckRel(t *testing.T) {
	long := strings.Repeat("n", 256)
	for _, tt := range []struct{ rel, err string }{
		{"2019/12/30/story/index.html", ""},
		{strings.Repeat("n", 255) + "/index.html", ""},
		{"../../etc/x", `leads out`},
		{"a/../../x", `leads out`},
		{"a/../b", `".." in the path`},
		{"/etc/passwd", "absolute path"},
		{`C:\Windows\x`, "backslash"},
		{`..\..\x`, "backslash"},
		{"a\x00b", "NUL"},
		{"", "empty"},
		{long + "/index.html", "256 bytes"},
		{"tags/" + long, "256 bytes"},
	} {
		err := checkRel(tt.rel)
		if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("checkRel(%q) = %v; want error containing %q", tt.rel, err, tt.err)
		}
	}
}

// However hostile the names, every write lands inside the staging folder
// or is refused; nothing appears beside or above it.
func TestNoWriteOutsideSite(t *testing.T) {
	root := t.TempDir()
	site := filepath.Join(root, "a", "b", "public")
	st, err := Begin(site)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Cleanup()
	names := []string{"../x", "../../x", "../../../x", "/tmp/x", "a/../../x", `..\x`, "x\x00", strings.Repeat("x", 300),
		"ok/../../../../x", "./x", "x/./y", "ok.html"}
	for _, n := range names {
		st.WriteFile(n, []byte("x"))
	}
	var outside []string
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && !strings.HasPrefix(p, st.Dir()+string(filepath.Separator)) {
			outside = append(outside, p)
		}
		return nil
	})
	if len(outside) > 0 {
		t.Errorf("writes outside the staging folder: %v", outside)
	}
	if _, err := os.Stat(filepath.Join(st.Dir(), "ok.html")); err != nil {
		t.Errorf("the one good name was not written: %v", err)
	}
}

func TestDiskFullError(t *testing.T) {
	err := writeError("writing", "2020/01/02/x/index.html", &os.PathError{Op: "write", Path: "/p", Err: syscall.ENOSPC})
	if !errors.Is(err, ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("%v does not wrap ErrDiskFull and ENOSPC", err)
	}
	for _, want := range []string{"2020/01/02/x/index.html", "disk is full", "--dest", "previous site is unchanged"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%v: missing %q", err, want)
		}
	}
	if other := writeError("writing", "x", fmt.Errorf("boom")); errors.Is(other, ErrDiskFull) {
		t.Errorf("%v claims a full disk", other)
	}
}
