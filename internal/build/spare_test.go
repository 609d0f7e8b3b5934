//go:build linux

package build

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A cold build of a large site asks for the spare to be made ahead, and
// the edit after it fills that spare instead of a fresh staging folder,
// with a clean build's bytes (MakeSpare does nothing on other systems); a build that leaves a spare, or a small
// site's, asks for none.
func TestSpareMadeAhead(t *testing.T) {
	ctx := context.Background()
	root := agedSite(t, 24)
	var asked int
	opts := func(dest string) Options {
		return Options{Source: root, Dest: dest, MakeSpare: func(dest string) {
			asked++
			if err := MakeSpare(dest); err != nil {
				t.Error(err)
			}
		}}
	}
	small := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, opts(small)); err != nil {
		t.Fatal(err)
	}
	if asked != 0 {
		t.Errorf("a site of fewer than %d files asked for a spare", spareAheadMin)
	}

	defer func(n int) { spareAheadMin = n }(spareAheadMin)
	spareAheadMin = 1
	dest := filepath.Join(t.TempDir(), "public")
	if _, err := Run(ctx, opts(dest)); err != nil {
		t.Fatal(err)
	}
	if asked != 1 {
		t.Fatalf("the cold build asked for %d spares, want 1", asked)
	}
	spare := filepath.Join(filepath.Dir(dest), ".public.spare")
	made := folderIno(t, spare)
	checkBuilds(t, root, dest, readTree(t, dest), siteEdits[:1])
	if folderIno(t, dest) != made {
		t.Error("the edit after the cold build did not fill the spare made ahead")
	}
	siteEdits[1].apply(t, root)
	ageFiles(t, root)
	if _, err := Run(ctx, opts(dest)); err != nil {
		t.Fatal(err)
	}
	if asked != 1 {
		t.Errorf("an edit that left a spare asked for another")
	}
	checkBuilds(t, root, dest, readTree(t, dest), siteEdits[2:])
}

func folderIno(t *testing.T, dir string) uint64 {
	t.Helper()
	fi, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	return statStamp(fi).Ino
}

// The spare's maker finds the record of the site the cold build left in
// the build cache, without reading the rest of it.
func TestReadPublicTree(t *testing.T) {
	root := agedSite(t, 6)
	dest := filepath.Join(t.TempDir(), "public")
	if readPublicTree(dest) != nil {
		t.Error("a record read with no cache")
	}
	if _, err := Run(context.Background(), Options{Source: root, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if readPublicTree(dest) == nil {
		t.Error("no record read from the cold build's cache")
	}
	// The same cache beside another destination is not its.
	other := filepath.Join(filepath.Dir(dest), "other")
	data, err := os.ReadFile(cachePath(dest))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cachePath(other), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if readPublicTree(other) != nil {
		t.Error("a record read for another destination")
	}
}
