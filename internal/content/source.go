package content

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"syscall"
)

// DefaultMaxBytes is the largest article file Load reads when the Loader
// sets no limit: far above any real story (a long feature is under 200 KB),
// low enough that a stray database dump or video renamed .txt is reported
// instead of filling memory.
const DefaultMaxBytes = 16 << 20

func (l *Loader) maxBytes() int64 {
	if l.MaxBytes > 0 {
		return l.MaxBytes
	}
	return DefaultMaxBytes
}

// readSource reads one article file. It refuses what is not a regular file
// (a linked folder, a device, a FIFO) and stops at the size limit, so memory
// stays bounded by the limit whatever the file claims or becomes while it is
// read. The problem, if any, has no Path; the caller sets it.
func (l *Loader) readSource(p string) ([]byte, *Problem) {
	f, err := l.FS.Open(p)
	if err != nil {
		return nil, readProblem(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, readProblem(err)
	}
	if prob := notRegular(fi); prob != nil {
		return nil, prob
	}
	limit := l.maxBytes()
	if fi.Size() > limit {
		return nil, tooLarge(fi.Size(), limit)
	}
	data, err := readAtMost(f, fi.Size(), limit)
	if err != nil {
		return nil, readProblem(err)
	}
	if int64(len(data)) > limit { // the file grew after Stat
		return nil, tooLarge(int64(len(data)), limit)
	}
	return data, nil
}

// readAtMost reads r to its end or to one byte past limit, whichever comes
// first, into one buffer sized by the expected size: a file read whole
// costs its size, not the doublings of a growing buffer.
func readAtMost(r io.Reader, size, limit int64) ([]byte, error) {
	data := make([]byte, 0, min(size, limit)+1)
	for int64(len(data)) <= limit {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		end := min(int64(cap(data)), limit+1)
		n, err := r.Read(data[len(data):end])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return data, nil
}

func tooLarge(size, limit int64) *Problem {
	return &Problem{Msg: fmt.Sprintf("file is %s, over the %s limit for one article", mib(size), mib(limit)),
		Fix: fmt.Sprintf("split it, remove it from content/, or raise maxArticleMB in sitegen.yaml (now %d)", (limit+(1<<20)-1)>>20)}
}

func mib(n int64) string {
	if n > 1<<30 { // not a real article: say "over" rather than print a huge figure
		return "over 1 GiB"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// notRegular explains why a file that is not a regular file cannot be an
// article, or returns nil for a regular file.
func notRegular(fi fs.FileInfo) *Problem {
	switch m := fi.Mode(); {
	case m.IsRegular():
		return nil
	case m.IsDir():
		return &Problem{Msg: "a link to a folder: sitegen does not follow linked folders",
			Fix: "move or copy the folder into content/, or remove the link"}
	default:
		return &Problem{Msg: fmt.Sprintf("not a regular file (%v)", m.Type()),
			Fix: "remove it from content/; devices, pipes and sockets cannot be articles"}
	}
}

// readProblem turns a failed read into a problem that says what happened
// and what to do, for the failures real archives see.
func readProblem(err error) *Problem {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &Problem{Msg: "the file vanished while the build read content/ (deleted or renamed, or a link to a missing file)",
			Fix: "run the build again when the files stop changing; fix or remove a broken link"}
	case errors.Is(err, fs.ErrPermission):
		return &Problem{Msg: "permission denied",
			Fix: "make it readable by the user running sitegen (chmod a+r), or move it out of content/"}
	case errors.Is(err, syscall.ELOOP):
		return &Problem{Msg: "symbolic link loop: the link leads back to itself",
			Fix: "point the link at a real file, or remove it"}
	}
	return &Problem{Msg: "cannot read: " + unwrapPathErr(err), Fix: "check that the file exists and is readable"}
}

// linkProblem checks what a symbolic link in content/ points at, before
// anything opens it: opening a link to a FIFO would block, and a link to a
// folder is not followed. It returns nil for a link to a regular file.
func (l *Loader) linkProblem(p string) *Problem {
	fi, err := fs.Stat(l.FS, p)
	if err != nil {
		return readProblem(err)
	}
	return notRegular(fi)
}
