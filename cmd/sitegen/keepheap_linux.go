package main

import (
	"fmt"
	"log/slog"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/sitegen/sitegen/internal/lazyfree"
	"golang.org/x/sys/unix"
)

// keptHeapFD is the memory file under the start of this build's heap, -1
// for none, and keptHeapBytes its size when taken.
var (
	keptHeapFD    = -1
	keptHeapBytes int
)

// machineRAM is the machine's memory in bytes, as startHugeHeap read it.
var machineRAM uint64

// heapSocket returns the name, in the abstract socket namespace, where
// builds ask a holder for memory.
func heapSocket() string {
	if s := os.Getenv(heapSocketEnv); s != "" {
		return s
	}
	return "sitegen-heap-" + strconv.Itoa(os.Getuid())
}

// takeHeap returns the descriptor of a memory file a holder kept for
// this build, if it wants one, or -1. Given one while the runtime would
// take memory it gave back to be zero, it starts the process again with
// GODEBUG madvdontneed=0 and the descriptor in keptHeapFDEnv
// (lazyfree.Restart, the preview's setting), and returns only if
// that fails; a GODEBUG that sets madvdontneed=1 itself leaves the
// holder its memory.
func takeHeap(want bool) int {
	godebug := os.Getenv("GODEBUG")
	if v, ok := os.LookupEnv(keptHeapFDEnv); ok {
		os.Unsetenv(keptHeapFDEnv)
		fd, err := strconv.Atoi(v)
		if err != nil || fd < 3 {
			return -1
		}
		if !want || !lazyfree.On(godebug) || !isMemFile(fd) {
			unix.Close(fd)
			return -1
		}
		unix.CloseOnExec(fd)
		return fd
	}
	if _, add := lazyfree.Add(godebug); !want || !add && !lazyfree.On(godebug) {
		return -1
	}
	fd := receiveHeap(heapSocket())
	if fd < 0 || lazyfree.On(godebug) {
		return fd
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err == nil {
		lazyfree.Restart(keptHeapFDEnv + "=" + strconv.Itoa(fd))
	}
	unix.Close(fd)
	return -1
}

// mapKeptHeap maps the memory file fd over the start of [start, end),
// memory the heap holds and has not written (hugeHeap's last block), and
// has the kernel map every page of it: the first keptHeapFirst bytes at
// once, the rest on another thread while the build starts, keptHeapChunk
// at a time. Where the kernel refuses, the range is mapped anew as the
// runtime had it; where it cannot even do that, the heap has a hole, and
// the process stops with an error.
func mapKeptHeap(fd int, start, end uintptr) {
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil {
		unix.Close(fd)
		return
	}
	n := min(uintptr(st.Size), end-start) &^ uintptr(os.Getpagesize()-1)
	if n == 0 {
		unix.Close(fd)
		return
	}
	_, _, e := unix.Syscall6(unix.SYS_MMAP, start, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_FIXED, uintptr(fd), 0)
	if e != 0 {
		_, _, e = unix.Syscall6(unix.SYS_MMAP, start, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED, ^uintptr(0), 0)
		if e != 0 {
			fmt.Fprintf(os.Stderr, "sitegen: mapping the heap's memory again: %v\n", e)
			os.Exit(1)
		}
		unix.Close(fd)
		return
	}
	keptHeapFD, keptHeapBytes = fd, int(st.Size)
	first := min(n, keptHeapFirst)
	unix.Syscall(unix.SYS_MADVISE, start, first, unix.MADV_POPULATE_WRITE)
	go func() {
		for p := start + first; p < start+n; p += keptHeapChunk {
			unix.Syscall(unix.SYS_MADVISE, p, min(keptHeapChunk, start+n-p), unix.MADV_POPULATE_WRITE)
		}
	}()
}

// keptHeapFirst is how much of a kept file mapKeptHeap has mapped before
// the build goes on, and keptHeapChunk how much it asks the kernel to map
// at a time after that. Mapping the rest on another thread takes a
// serial 50-90 ms off the start of a build from the cache at 50,000
// articles, where the other core had nothing to do (the first reads of
// the cache and the executable need little memory); chunks leave the
// runtime's own changes to the address space, which wait for a mapping
// call to finish, little to wait for.
const (
	keptHeapFirst = 8 << 20
	keptHeapChunk = 4 << 20
)

// keepHeap starts a holder for the memory the next build's heap will
// start on, where this build asked for one (kept.wanted): this
// build's memory file if it had one, sized by keptHeapSize, if that comes
// to keepHeapMin or more.
func keepHeap(kept heapKept) {
	if !kept.wanted || hugeHeapMost == 0 && keptHeapFD < 0 {
		return
	}
	size := keptHeapSize(heapInUse(), keptHeapBytes, keepHeapMax(machineRAM), kept.noop)
	if size < keepHeapMin {
		return
	}
	var files []*os.File
	if keptHeapFD >= 0 {
		files = append(files, os.NewFile(uintptr(keptHeapFD), "heap"))
	}
	env := fmt.Sprintf("%s=%d:%d:%d", holdHeapEnv, os.Getpid(), size, len(files))
	if err := startBackground(env, files...); err != nil {
		slog.Debug("no memory kept for the next build", "err", err)
	}
}

// heapInUse returns the bytes of the heap's spans in use now: at a build's
// end, nearly all the heap it grew to (a one-article edit of a
// 50,000-article site collects nothing; a cold build collects often).
func heapInUse() int { return heapBytes("objects", "unused", "stacks") }

// holdHeap is the holder's work, as holdHeapEnv's value v tells it: once
// the build that started it has exited, it takes the socket, from an
// older build's holder if one is there (with that holder's memory file
// when the build passed on none), has BYTES of memory written in a memory
// file (the build's, its file 3, the older holder's or a new one) at the
// lowest priority, and gives the file to the first build of the same
// user that asks within keepHeapWait, written or not yet. Then it exits.
func holdHeap(v string) {
	f := strings.Split(v, ":")
	if len(f) != 3 {
		return
	}
	pid, err1 := strconv.Atoi(f[0])
	size, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || size <= 0 {
		return
	}
	fd := -1
	if f[2] == "1" && isMemFile(3) {
		fd = 3
		unix.CloseOnExec(fd)
	}
	os.Chdir("/") // holding the build's folder would keep it from being unmounted
	if !outlive(pid) {
		return
	}
	ln, older := takeSocket()
	if ln == nil {
		return // a holder of a later build has it
	}
	switch {
	case fd < 0 && older >= 0:
		fd = older
	case older >= 0:
		unix.Close(older) // the build's own is the newer
	case fd < 0:
		if fd, err1 = unix.MemfdCreate("sitegen-heap", unix.MFD_CLOEXEC); err1 != nil {
			return
		}
	}
	full, err := sizeHeap(fd, size)
	if err != nil {
		return
	}
	ln.SetDeadline(time.Now().Add(keepHeapWait))
	filled := make(chan error, 1)
	if full {
		filled <- nil
	} else {
		go func() {
			runtime.LockOSThread() // a thread's priority is its own
			unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 19)
			filled <- fillHeap(fd, size)
		}()
	}
	for {
		c, err := ln.AcceptUnix()
		if err != nil {
			return
		}
		if !sameUser(c) {
			c.Close() // the build goes on without
			continue
		}
		select {
		case err := <-filled:
			if err != nil {
				c.Close()
				return
			}
		default:
			// Not all written yet (a busy machine leaves a thread at
			// nice 19 little time): the file goes as it is, and the
			// build has the kernel write what is missing (mapKeptHeap).
		}
		ln.Close()
		c.WriteMsgUnix([]byte{1}, unix.UnixRights(fd), nil)
		c.Close()
		return
	}
}

// takeSocket listens at the socket builds ask at. Where the holder of an
// older build is there, it asks that one for its memory file, which makes
// it leave, and listens then: the memory is kept for five minutes from
// the latest build, not the first (a holder after each of three cold
// builds of 20 s with other work between them had been the first's,
// gone before the edit that followed), and what the older holder had
// written is not written again. It returns the listener, nil if another
// holder has the socket still, and the older holder's file, -1 for none.
func takeSocket() (*net.UnixListener, int) {
	addr := &net.UnixAddr{Name: "@" + heapSocket(), Net: "unix"}
	ln, err := net.ListenUnix("unix", addr)
	if err == nil {
		return ln, -1
	}
	older := receiveHeap(heapSocket())
	if ln, err = net.ListenUnix("unix", addr); err != nil {
		if older >= 0 {
			unix.Close(older)
		}
		return nil, -1
	}
	return ln, older
}

// outlive waits for the process pid, the build that started this one, to
// exit: until then the memory file is its heap. It returns false if the
// process is still there after keepHeapWait.
func outlive(pid int) bool {
	pfd, err := unix.PidfdOpen(pid, 0)
	if err == unix.ESRCH {
		return true
	}
	if err != nil { // no pidfd_open (before Linux 5.3): the parent is asked after
		for deadline := time.Now().Add(keepHeapWait); os.Getppid() == pid; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				return false
			}
		}
		return true
	}
	defer unix.Close(pfd)
	if os.Getppid() != pid {
		return true // the build has gone; pid is another process's now
	}
	n, err := unix.Poll([]unix.PollFd{{Fd: int32(pfd), Events: unix.POLLIN}}, int(keepHeapWait/time.Millisecond))
	return err == nil && n == 1
}

// sizeHeap makes the memory file fd size bytes long, and reports whether
// every page of it is in memory already (a build's, passed on).
func sizeHeap(fd, size int) (full bool, err error) {
	if err := unix.Ftruncate(fd, int64(size)); err != nil {
		return false, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return false, err
	}
	return st.Blocks*512 >= int64(size), nil
}

// fillHeap has every page of the memory file fd, size bytes, in memory.
func fillHeap(fd, size int) error {
	b, err := unix.Mmap(fd, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return err
	}
	defer unix.Munmap(b)
	if unix.Madvise(b, unix.MADV_POPULATE_WRITE) != nil { // before Linux 5.14
		for i := 0; i < len(b); i += os.Getpagesize() {
			b[i] = 0
		}
	}
	return nil
}

// receiveHeap asks the holder at the abstract socket name for its memory
// file, and returns the file's descriptor, or -1 when there is no holder,
// it is another user's, or it sends anything but one memory file.
func receiveHeap(name string) int {
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: "@" + name, Net: "unix"})
	if err != nil {
		return -1
	}
	defer c.Close()
	if !sameUser(c) {
		return -1
	}
	c.SetReadDeadline(time.Now().Add(time.Second))
	oob := make([]byte, unix.CmsgSpace(4))
	_, oobn, _, _, err := c.ReadMsgUnix(make([]byte, 1), oob)
	if err != nil {
		return -1
	}
	msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
	if err != nil || len(msgs) != 1 {
		return -1
	}
	fds, err := unix.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 || !isMemFile(fds[0]) {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return -1
	}
	unix.CloseOnExec(fds[0])
	return fds[0]
}

// sameUser reports whether the process at the other end of c runs as this
// one's user.
func sameUser(c *net.UnixConn) bool {
	raw, err := c.SyscallConn()
	if err != nil {
		return false
	}
	same := false
	raw.Control(func(fd uintptr) {
		cred, err := unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
		same = err == nil && cred.Uid == uint32(os.Getuid())
	})
	return same
}

// isMemFile reports whether fd is a file in memory that can be sealed: a
// memfd, or a file on tmpfs.
func isMemFile(fd int) bool {
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return false
	}
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	return err == nil
}
