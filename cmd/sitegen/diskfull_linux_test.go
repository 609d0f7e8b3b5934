package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDiskFull fills the disk under public/ in the middle of a build: the
// build must fail with a message that says so, leave the previous site as
// it was, leave no staging folder behind, and the next build that fits must
// succeed.
//
// The disk is a 6 MiB tmpfs mounted in a private mount namespace: the test
// runs itself again in a new namespace, as root (CI runs as root) or, for
// other users, in a user namespace where it is root. Where neither is
// allowed it fails on CI and skips elsewhere, like the browser tests.
func TestDiskFull(t *testing.T) {
	if dir := os.Getenv("SITEGEN_DISKFULL_TMPFS"); dir != "" {
		if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=6m"); err != nil {
			t.Fatalf("mount tmpfs: %v", err)
		}
		fillDisk(t, os.Getenv("SITEGEN_DISKFULL_BIN"), os.Getenv("SITEGEN_DISKFULL_ROOT"), dir)
		return
	}
	bin := buildBinary(t)
	root := t.TempDir()
	writeCorpus(t, filepath.Join(root, "small"), 20, 1)
	writeCorpus(t, filepath.Join(root, "big"), 3000, 2)
	disk := filepath.Join(root, "disk")
	os.Mkdir(disk, 0o755)

	var failures []string
	for _, attr := range []*syscall.SysProcAttr{
		{Unshareflags: syscall.CLONE_NEWNS}, // as root; Go makes "/" private in the child first
		{Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS, Unshareflags: syscall.CLONE_NEWNS,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}},
	} {
		child := exec.Command(os.Args[0], "-test.run=^TestDiskFull$", "-test.v")
		child.Env = append(os.Environ(), "SITEGEN_DISKFULL_TMPFS="+disk, "SITEGEN_DISKFULL_BIN="+bin, "SITEGEN_DISKFULL_ROOT="+root)
		child.SysProcAttr = attr
		out, err := child.CombinedOutput()
		var exit *exec.ExitError
		switch {
		case err == nil:
			t.Logf("in a 6 MiB tmpfs:\n%s", out)
			return
		case errors.As(err, &exit) && !strings.Contains(string(out), "mount tmpfs:"):
			t.Fatalf("in a 6 MiB tmpfs: %v\n%s", err, out)
		}
		failures = append(failures, fmt.Sprintf("%v %s", err, out))
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("cannot mount a tmpfs in a private mount namespace:\n%s", strings.Join(failures, "\n"))
	}
	t.Skipf("cannot mount a tmpfs here (neither root nor user namespaces):\n%s", strings.Join(failures, "\n"))
}

// fillDisk builds the small site into disk/public, then the big one, which
// does not fit, and checks what is left.
func fillDisk(t *testing.T, bin, root, disk string) {
	dest := filepath.Join(disk, "public")
	sitegen := func(source string) (string, error) {
		out, err := exec.Command(bin, "build", "--quiet", "--source", filepath.Join(root, source), "--dest", dest).CombinedOutput()
		return string(out), err
	}
	if out, err := sitegen("small"); err != nil {
		t.Fatalf("the small site does not fit: %v\n%s", err, out)
	}
	before := treeHash(t, dest)
	out, err := sitegen("big")
	if err == nil {
		t.Fatal("the big site fitted; the test filled nothing")
	}
	t.Logf("the big build failed as it should:\n%s", out)
	// The file that did not fit may be a page or another output (a search
	// index file, a feed), whichever the build was writing.
	if !strings.Contains(out, "the disk is full") || !strings.Contains(out, "writing ") {
		t.Errorf("error %q does not say the disk is full and name the file", out)
	}
	if after := treeHash(t, dest); after != before {
		t.Errorf("public/ changed from %s to %s", before, after)
	}
	if entries, _ := os.ReadDir(disk); len(entries) != 1 {
		t.Errorf("left beside public/: %v", entries)
	}
	if out, err := sitegen("small"); err != nil {
		t.Errorf("the next build failed: %v\n%s", err, out)
	}
}
