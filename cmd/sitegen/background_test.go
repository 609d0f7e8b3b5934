package main

import (
	"os"
	"path/filepath"
	"testing"
)

// The background remover deletes previous sites and killed builds' staging
// folders, and nothing else, whatever folder it is handed.
func TestRemoveTreeDeletesOnlyWhatBuildsLeave(t *testing.T) {
	root := t.TempDir()
	want := map[string]bool{".public.old-.public.staging-1": false, ".public.staging-2": false,
		"public": true, ".public.sitegen-cache": true, "content": true, "old-3": true}
	for name := range want {
		if err := os.MkdirAll(filepath.Join(root, name, "x"), 0o755); err != nil {
			t.Fatal(err)
		}
		removeTree(filepath.Join(root, name))
	}
	for name, kept := range want {
		if _, err := os.Stat(filepath.Join(root, name)); (err == nil) != kept {
			t.Errorf("%s: kept %v, want %v", name, err == nil, kept)
		}
	}
}
