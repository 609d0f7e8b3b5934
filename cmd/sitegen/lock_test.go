//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// syncBuffer is a bytes.Buffer safe to write from a process's output
// copier while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A build that finds another build of its destination running says that
// it waits, unless --quiet, and runs once the other ends.
func TestBuildSaysItWaits(t *testing.T) {
	bin := buildBinary(t)
	root := site(t, map[string]string{"content/a.md": good})
	const notice = "waiting for another sitegen build"
	var reached time.Duration // how long the loud build took to say it waits
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
		var stderr syncBuffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// The loud build is waited for until it says it waits; the quiet
		// one for three times as long, and at least a second.
		wait := max(time.Second, 3*reached)
		for deadline := start.Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			select {
			case <-done:
				t.Fatalf("quiet %v: the build ran while another held the lock\n%s", quiet, stderr.String())
			default:
			}
			if !quiet && strings.Contains(stderr.String(), notice) {
				reached = time.Since(start)
				break
			}
			if quiet && time.Since(start) > wait || time.Now().After(deadline) {
				break
			}
		}
		if err := unix.Flock(int(lock.Fd()), unix.LOCK_UN); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("build: %v\n%s", err, stderr.String())
		}
		if said := strings.Contains(stderr.String(), notice); said == quiet {
			t.Errorf("quiet %v: said it waits: %v\n%s", quiet, said, stderr.String())
		}
	}
}
