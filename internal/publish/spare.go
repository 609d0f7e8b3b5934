package publish

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// The spare made ahead (MakeSpare).
//
// A build that staged a fresh folder leaves no spare, so the build after
// it, however small, would make a whole staging folder again: a folder
// per page (80,000 at 50,000 articles, seconds on ext4) and a link per
// file. MakeSpare makes that folder ahead, in a process of its own right
// after such a build, while the user is busy editing. Builds meet it
// through a lock:
//
//   - MakeSpare makes an empty folder under a name of its own, locks it
//     and only then renames it into place as the spare; it holds the lock
//     until it has filled it and written its record.
//   - A build that fills the spare (BeginReuse, ListSpare) waits for the
//     lock before it lists the spare: a spare being made is worth waiting
//     for, being the very folders the build would otherwise make.
//   - A build that does not see the spare may move it aside (a site
//     written whole, or a spare that appeared after it looked). MakeSpare
//     works through open folders, so it goes on in the folder moved aside,
//     which is deleted, and writes no record for a spare that is no
//     longer in place.
//
// The spare is never trusted, however it was made: a file of it counts as
// the site's only when it is the very inode the site holds.

// spareRecordPath is where MakeSpare leaves the record of the spare it
// made, for the build that fills it (the build cache has none: no build
// made that folder).
func spareRecordPath(dest string) string { return sparePath(dest) + ".tree" }

// spareRecordFormat begins a spare's record file; a CRC-32C (Castagnoli)
// of everything before it ends it.
const spareRecordFormat = "sitegen spare record 1\n"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// writeSpareRecord writes t as the record of the spare beside dest: to a
// file of its own name first, renamed into place, so that the record
// file is whole or absent.
func writeSpareRecord(dest string, t *Tree) error {
	data, err := t.AppendBinary([]byte(spareRecordFormat))
	if err != nil {
		return err
	}
	data = binary.LittleEndian.AppendUint32(data, crc32.Checksum(data, castagnoli))
	p := spareRecordPath(dest)
	if err := os.WriteFile(p+".new", data, 0o644); err != nil {
		os.Remove(p + ".new")
		return err
	}
	return os.Rename(p+".new", p)
}

// readSpareRecord reads the record MakeSpare left of the spare beside
// dest, or returns nil: none, or damaged in any way.
func readSpareRecord(dest string) *Tree {
	data, err := os.ReadFile(spareRecordPath(dest))
	if err != nil {
		return nil
	}
	t, err := decodeSpareRecord(data)
	if err != nil {
		return nil
	}
	return t
}

// decodeSpareRecord decodes a spare's record file.
func decodeSpareRecord(data []byte) (*Tree, error) {
	n := len(data) - 4
	if n < len(spareRecordFormat) || !strings.HasPrefix(string(data), spareRecordFormat) {
		return nil, errors.New("not a spare's record")
	}
	if binary.LittleEndian.Uint32(data[n:]) != crc32.Checksum(data[:n], castagnoli) {
		return nil, errors.New("spare's record damaged: checksum")
	}
	t := new(Tree)
	if err := t.UnmarshalBinary(data[len(spareRecordFormat):n]); err != nil {
		return nil, err
	}
	return t, nil
}

// removeSpareRecord deletes the record of the spare beside dest, once
// that folder is the spare no longer.
func removeSpareRecord(dest string) {
	os.Remove(spareRecordPath(dest))
	os.Remove(spareRecordPath(dest) + ".new")
}

// listSpare lists the spare at dir, beside dest, once no MakeSpare holds
// it (waitSpare; stop, when closed, ends the wait with errStopped, and
// making, when not nil, is set while it waits). rec, when it is the record
// of that folder, saves listing the folders it vouches for; otherwise the
// record MakeSpare left is used, if it is. slots are ListSpare's.
func listSpare(dest, dir string, rec *Tree, slots chan struct{}, stop <-chan struct{}, making *atomic.Bool) (*treeListing, error) {
	if err := waitSpare(dir, stop, making); err != nil {
		return nil, err
	}
	if top, err := statDir(dir); err == nil && (rec == nil || rec.ino != top.ino) {
		if made := readSpareRecord(dest); made != nil && made.ino == top.ino {
			rec = made
		}
	}
	return listTreeSharing(dir, rec, slots)
}

// errStopped says that a wait for the spare was given up.
var errStopped = errors.New("stopped waiting for the spare")

// spareMakingPrefix names the folder MakeSpare makes before it is renamed
// into place as the spare.
func spareMakingPrefix(dest string) string { return "." + filepath.Base(dest) + ".spare-making-" }
