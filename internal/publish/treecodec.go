package publish

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// treeFormat begins an encoded Tree; a record of another format is not read.
const treeFormat = "sitegen tree 1\n"

// MarshalBinary encodes t, for a build cache to keep until the next build.
// Folders are written depth first, each with its name, stamp, files and
// number of folders; names are relative to the folder.
func (t *Tree) MarshalBinary() ([]byte, error) { return t.AppendBinary(nil) }

// AppendBinary appends t's encoding (see MarshalBinary) to b: a caller that
// knows about how long it is (the record of the build before) saves
// growing a buffer of megabytes.
func (t *Tree) AppendBinary(b []byte) ([]byte, error) {
	if t == nil || t.root == nil {
		return nil, errors.New("no tree to encode")
	}
	b = binary.AppendUvarint(append(b, treeFormat...), t.ino)
	return appendTreeDir(b, t.root), nil
}

func appendTreeDir(b []byte, d *treeDir) []byte {
	b = appendTreeString(b, d.name)
	b = binary.AppendUvarint(b, d.stamp.ino)
	b = binary.AppendVarint(b, d.stamp.mtime)
	b = binary.AppendVarint(b, d.stamp.ctime)
	files := d.files
	if d.stamp == (dirStamp{}) {
		files = nil // a listing's, of a folder to list again
	}
	b = binary.AppendUvarint(b, uint64(len(files)))
	for _, f := range files {
		b = appendTreeString(b, f.name)
		b = binary.AppendUvarint(b, f.ino)
	}
	b = binary.AppendUvarint(b, uint64(len(d.dirs)))
	for _, c := range d.dirs {
		b = appendTreeDir(b, c)
	}
	return b
}

func appendTreeString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// UnmarshalBinary decodes a Tree encoded by MarshalBinary. A record that is
// damaged in any way is an error, never a panic; a record whose names are
// not in order, or that lists a name twice, is damaged.
func (t *Tree) UnmarshalBinary(data []byte) error {
	if len(data) < len(treeFormat) || string(data[:len(treeFormat)]) != treeFormat {
		return errors.New("not a folder tree record of this version")
	}
	r := &treeReader{data: data[len(treeFormat):], names: map[string]string{}}
	ino := r.uvarint()
	root := r.dir(0)
	if r.err == nil && len(r.data) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return fmt.Errorf("reading a folder tree record: %w", r.err)
	}
	t.ino, t.root = ino, root
	return nil
}

type treeReader struct {
	data  []byte
	err   error
	names map[string]string // file names, which repeat ("index.html"), made once
}

// maxTreeDepth bounds how deep a record's folders may go: far deeper
// than any site, and shallow enough that a damaged record cannot make
// the reader recurse without end.
const maxTreeDepth = 256

func (r *treeReader) dir(depth int) *treeDir {
	if depth > maxTreeDepth {
		r.fail("folders nested too deep")
	}
	if r.err != nil {
		return nil
	}
	d := &treeDir{name: r.string(false)}
	if depth > 0 {
		r.checkName(d.name)
	}
	d.stamp = dirStamp{ino: r.uvarint(), mtime: r.varint(), ctime: r.varint()}
	n := r.count()
	d.files = make([]treeFile, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		f := treeFile{name: r.string(true), ino: r.uvarint()}
		r.checkName(f.name)
		if i > 0 && f.name <= d.files[i-1].name {
			r.fail("file names out of order")
		}
		d.files = append(d.files, f)
	}
	n = r.count()
	d.dirs = make([]*treeDir, 0, n)
	for i := 0; i < n && r.err == nil; i++ {
		c := r.dir(depth + 1)
		if r.err == nil && i > 0 && c.name <= d.dirs[i-1].name {
			r.fail("folder names out of order")
		}
		d.dirs = append(d.dirs, c)
	}
	if r.err != nil {
		return nil
	}
	return d
}

// checkName fails unless name is one entry of a folder: a damaged
// record must not send the walk outside the tree.
func (r *treeReader) checkName(name string) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		r.fail("a name that is not one folder entry")
	}
}

func (r *treeReader) fail(msg string) {
	if r.err == nil {
		r.err = errors.New(msg)
	}
}

func (r *treeReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data)
	if n <= 0 {
		r.fail("bad number")
		return 0
	}
	r.data = r.data[n:]
	return v
}

func (r *treeReader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.data)
	if n <= 0 {
		r.fail("bad number")
		return 0
	}
	r.data = r.data[n:]
	return v
}

// count reads a number of entries, which cannot exceed the bytes left.
func (r *treeReader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.data)) {
		r.fail("count past the end")
		return 0
	}
	return int(n)
}

func (r *treeReader) string(intern bool) string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	b := r.data[:n]
	r.data = r.data[n:]
	if !intern {
		return string(b)
	}
	if s, ok := r.names[string(b)]; ok {
		return s
	}
	s := string(b)
	r.names[s] = s
	return s
}
