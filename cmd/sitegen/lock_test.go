//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A build that finds another build of its destination running says that
// it waits, unless --quiet, and runs once the other ends.
func TestBuildSaysItWaits(t *testing.T) {
	bin := buildBinary(t)
	root := site(t, map[string]string{"content/a.md": good})
	for _, quiet := range []bool{false, true} {
		// A build deletes the lock file when it ends: open it each time.
		lock, err := os.OpenFile(filepath.Join(root, ".public.sitegen-lock"), os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Close()
		if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil { // as another build holds it
			t.Fatal(err)
		}
		args := []string{"build", "--source", root}
		if quiet {
			args = append(args, "--quiet")
		}
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
			t.Fatalf("quiet %v: the build ran while another held the lock\n%s", quiet, stderr.String())
		case <-time.After(500 * time.Millisecond):
		}
		if err := unix.Flock(int(lock.Fd()), unix.LOCK_UN); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("build: %v\n%s", err, stderr.String())
		}
		if said := strings.Contains(stderr.String(), "waiting for another sitegen build"); said == quiet {
			t.Errorf("quiet %v: said it waits: %v\n%s", quiet, said, stderr.String())
		}
	}
}
