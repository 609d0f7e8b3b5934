package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sitegen/sitegen/internal/lazyfree"
	"golang.org/x/sys/unix"
)

// heapTest runs sitegen as processes that meet their holders at a socket
// of the test's own.
type heapTest struct {
	t      *testing.T
	socket string
	env    []string
}

func newHeapTest(t *testing.T) *heapTest {
	socket := fmt.Sprintf("sitegen-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	return &heapTest{t, socket, append(os.Environ(), heapSocketEnv+"="+socket, "SITEGEN_RUN_MAIN=1")}
}

// sitegen runs the command with args in a process of its own.
func (h *heapTest) sitegen(args ...string) {
	h.t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = h.env
	if out, err := cmd.CombinedOutput(); err != nil {
		h.t.Fatalf("sitegen %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// listening reports whether a holder listens at the test's socket:
// /proc/net/unix lists abstract names with a leading @, a listening
// socket with the flag __SO_ACCEPTCON (00010000), and the connections a
// listener accepted under its name too.
func (h *heapTest) listening() bool {
	return h.socketInode() != ""
}

// socketInode returns the inode of the socket listening at the test's
// name, "" if none does.
func (h *heapTest) socketInode() string {
	b, err := os.ReadFile("/proc/net/unix")
	if err != nil {
		h.t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 8 && f[7] == "@"+h.socket && f[3] == "00010000" {
			return f[6]
		}
	}
	return ""
}

// waitListening waits up to a minute for a holder at the test's socket.
func (h *heapTest) waitListening() {
	h.t.Helper()
	for deadline := time.Now().Add(time.Minute); !h.listening(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			h.t.Fatal("no holder at the socket within a minute")
		}
	}
}

// holderPID returns the process ID of the holder at the test's socket.
func (h *heapTest) holderPID() string {
	h.t.Helper()
	inode := h.socketInode()
	fds, _ := filepath.Glob("/proc/[0-9]*/fd/*")
	for _, fd := range fds {
		if l, _ := os.Readlink(fd); l == "socket:["+inode+"]" {
			return strings.Split(fd, "/")[2]
		}
	}
	h.t.Fatalf("no process holds the socket @%s (inode %q)", h.socket, inode)
	return ""
}

// holderEnv returns the environment of the holder at the test's socket.
func (h *heapTest) holderEnv() string {
	h.t.Helper()
	env, err := os.ReadFile(filepath.Join("/proc", h.holderPID(), "environ"))
	if err != nil {
		h.t.Fatal(err)
	}
	return string(bytes.ReplaceAll(env, []byte{0}, []byte{'\n'}))
}

// waitReady waits up to a minute for a holder at the test's socket whose
// memory file has every page in memory: it may still be writing them,
// at the lowest priority, and a build that asked before would go on
// without.
func (h *heapTest) waitReady() {
	h.t.Helper()
	h.waitListening()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		fds, _ := filepath.Glob(filepath.Join("/proc", h.holderPID(), "fd", "*"))
		for _, fd := range fds {
			var st unix.Stat_t
			if l, _ := os.Readlink(fd); strings.HasPrefix(l, "/memfd:sitegen-heap") && unix.Stat(fd, &st) == nil && st.Blocks*512 >= st.Size {
				return
			}
		}
		if time.Now().After(deadline) {
			h.t.Fatal("the holder's memory not written within a minute")
		}
	}
}

// releaseHolders takes the memory of any holder a test's build left at
// the tests' socket, so that it exits.
func releaseHolders() {
	for fd := receiveHeap(heapSocket()); fd >= 0; fd = receiveHeap(heapSocket()) {
		unix.Close(fd)
	}
}

// editStory appends a line to one of the site's stories.
func editStory(t *testing.T, root string) {
	t.Helper()
	stories, _ := filepath.Glob(filepath.Join(root, "content", "*", "*", "*.md"))
	f, err := os.OpenFile(stories[len(stories)/3], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "\nA line added at %d.\n", time.Now().UnixNano())
	f.Close()
}

// A build from the cache takes the memory a holder kept and runs its heap
// on it, whatever the memory holds: here every byte 0xA5, where the
// runtime, had it taken that memory to be zero, would have read garbage
// pointers. The holder hands the file to one build and exits; the site is
// a clean build's, byte for byte; and the pattern is gone from a good part
// of the file, where the build's heap was.
func TestBuildRunsOnKeptHeap(t *testing.T) {
	h := newHeapTest(t)
	root := t.TempDir()
	writeCorpus(t, root, 2000, 11)
	h.sitegen("build", "--quiet", "--spare-ahead=false", "--source", root)
	editStory(t, root)

	const size = 64 << 20
	mem := memFile(t, size)
	defer mem.Close()
	b, err := unix.Mmap(int(mem.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(b)
	for i := range b {
		b[i] = 0xA5
	}
	holder := h.startHolder(size, mem)
	exited := make(chan error, 1)
	go func() { exited <- holder.Wait() }()
	h.waitListening()

	h.sitegen("build", "--quiet", "--spare-ahead=false", "--source", root)
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		holder.Process.Kill()
		t.Fatal("the holder still runs 30 s after the build: the build did not take its memory")
	}
	if h.listening() {
		t.Error("a holder is still at the socket after the build took the memory")
	}
	written := 0
	for p := 0; p < size; p += 4096 {
		if bytes.Count(b[p:p+4096], []byte{0xA5}) != 4096 {
			written++
		}
	}
	if written*4096 < 4<<20 {
		t.Errorf("the build wrote %d of the kept memory's %d pages; want its heap there, 4 MB or more", written, size/4096)
	}
	if testing.Verbose() {
		t.Logf("the build wrote %d of the kept memory's %d pages", written, size/4096)
	}

	clean := filepath.Join(t.TempDir(), "public")
	h.sitegen("build", "--quiet", "--spare-ahead=false", "--source", root, "--dest", clean)
	if got, want := treeHash(t, filepath.Join(root, "public")), treeHash(t, clean); got != want {
		t.Errorf("the build on kept memory made %s, a clean build %s", got, want)
	}
}

// The holder of a later build takes the socket from an older one, and
// that one's memory with it when its build passed on none: the memory is
// kept for keepHeapWait from the latest build.
func TestHolderTakesOver(t *testing.T) {
	h := newHeapTest(t)
	const size = 32 << 20
	mem := memFile(t, size)
	defer mem.Close()
	if _, err := mem.WriteAt(bytes.Repeat([]byte{0xA5}, size), 0); err != nil {
		t.Fatal(err)
	}
	older := h.startHolder(size, mem)
	olderExited := make(chan error, 1)
	go func() { olderExited <- older.Wait() }()
	h.waitListening()

	later := h.startHolder(size/2, nil)
	defer later.Process.Kill()
	select {
	case <-olderExited:
	case <-time.After(30 * time.Second):
		older.Process.Kill()
		t.Fatal("the older holder still runs 30 s after a later one started")
	}
	h.waitListening()
	if pid := h.holderPID(); pid != strconv.Itoa(later.Process.Pid) {
		t.Fatalf("the socket is held by process %s; want the later holder, %d", pid, later.Process.Pid)
	}
	got := receiveHeap(h.socket)
	if got < 0 {
		t.Fatal("the later holder gave no memory file")
	}
	defer unix.Close(got)
	kept := os.NewFile(uintptr(got), "kept")
	buf := make([]byte, size)
	n, _ := kept.ReadAt(buf, 0)
	if n != size/2 || !bytes.Equal(buf[:n], bytes.Repeat([]byte{0xA5}, size/2)) {
		t.Errorf("the later holder kept %d bytes, %d of them the older holder's; want %d, all", n, bytes.Count(buf[:n], []byte{0xA5}), size/2)
	}
}

// A build of a site whose heap grows past keepHeapMin leaves a holder
// with a memory file as big as the heap, every page of it in memory; the
// next build, from the cache, takes it and leaves one of its own; a
// --spare-ahead=false build takes it and leaves none.
func TestBuildLeavesHeapForNext(t *testing.T) {
	h := newHeapTest(t)
	root := t.TempDir()
	writeCorpus(t, root, 3000, 5)
	h.sitegen("build", "--quiet", "--source", root)
	h.waitReady()
	waitForSpare(t, filepath.Join(root, "public"))

	editStory(t, root)
	h.sitegen("build", "--quiet", "--source", root)
	h.waitReady() // the first holder has gone: only one listens at a name
	// The edit ran on the kept memory, so with the runtime zeroing what it
	// takes back: its holder has the environment it started itself with.
	if env := h.holderEnv(); !lazyfree.On(envValue(env, "GODEBUG")) || strings.Contains(env, keptHeapFDEnv+"=") {
		t.Errorf("the edit build's holder runs with\n%s\nwant GODEBUG with madvdontneed=0 and no %s", env, keptHeapFDEnv)
	}

	fd := receiveHeap(h.socket)
	if fd < 0 {
		t.Fatal("the holder the edit left gave no memory file")
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatal(err)
	}
	if st.Size < keepHeapMin || st.Size > 512<<20 {
		t.Errorf("the memory kept is %d bytes; want a heap's, from %d to %d", st.Size, keepHeapMin, 512<<20)
	}
	if st.Blocks*512 < st.Size {
		t.Errorf("%d of the %d bytes kept are in memory; want all", st.Blocks*512, st.Size)
	}
	if h.listening() {
		t.Error("a holder is still at the socket after handing its memory over")
	}
	if receiveHeap(h.socket) >= 0 {
		t.Error("a second build was handed memory too")
	}

	editStory(t, root)
	h.sitegen("build", "--quiet", "--source", root)
	h.waitReady()
	// A no-op build, whose heap says nothing of the next build's need,
	// passes on the memory it was given whole: here more than twice
	// what its heap comes to, under the race detector too.
	if fd := receiveHeap(h.socket); fd >= 0 {
		unix.Close(fd)
	}
	const given = 128 << 20
	mem := memFile(t, given)
	go h.startHolder(given, mem).Wait()
	mem.Close()
	h.waitListening()
	time.Sleep(time.Second) // sources written in the last second are read again (see internal/build/cache.go)
	h.sitegen("build", "--quiet", "--source", root)
	h.waitReady()
	if noop := heldBytes(t, h.holderEnv()); noop != given {
		t.Errorf("a no-op build given %d bytes left %d kept; want all of them", given, noop)
	}
	editStory(t, root)
	h.sitegen("build", "--quiet", "--spare-ahead=false", "--source", root)
	time.Sleep(500 * time.Millisecond) // a holder started would have its socket by now
	if h.listening() {
		t.Error("a --spare-ahead=false build took the memory and left a holder")
	}
}

// memFile returns a memory file of size bytes, named as a holder's own.
func memFile(t *testing.T, size int) *os.File {
	t.Helper()
	fd, err := unix.MemfdCreate("sitegen-heap", unix.MFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "sitegen-heap")
	if err := f.Truncate(int64(size)); err != nil {
		t.Fatal(err)
	}
	return f
}

// startHolder starts a holder of size bytes for a build that has exited,
// with file as that build's memory file when it is not nil; the caller
// waits for it.
func (h *heapTest) startHolder(size int, file *os.File) *exec.Cmd {
	h.t.Helper()
	done := exec.Command("true") // a holder outlives its build
	if err := done.Run(); err != nil {
		h.t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0])
	n := 0
	if file != nil {
		cmd.ExtraFiles, n = []*os.File{file}, 1
	}
	cmd.Env = append(h.env[:len(h.env):len(h.env)], fmt.Sprintf("%s=%d:%d:%d", holdHeapEnv, done.Process.Pid, size, n))
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	return cmd
}

// heldBytes returns the size of the memory a holder keeps, as env, its
// environment, tells it (holdHeapEnv).
func heldBytes(t *testing.T, env string) int {
	t.Helper()
	f := strings.Split(envValue(env, holdHeapEnv), ":")
	if len(f) != 3 {
		t.Fatalf("a holder's environment has %s=%q", holdHeapEnv, envValue(env, holdHeapEnv))
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// envValue returns the value of name in env, one NAME=VALUE a line.
func envValue(env, name string) string {
	for line := range strings.SplitSeq(env, "\n") {
		if v, ok := strings.CutPrefix(line, name+"="); ok {
			return v
		}
	}
	return ""
}
