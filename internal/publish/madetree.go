package publish

import (
	"path"
	"slices"
	"strings"
	"time"
)

// madeTree is the record (see Tree) of a site staged into a fresh folder,
// made after Commit from what the staging noted it wrote, instead of
// listing 78,000 folders again: every write claims its path first, so
// s.made names every file in the folder, with its inode where the write
// knew it. A folder is recorded with its stamp only when
//   - every file noted in it has a known inode;
//   - it had not changed for its racy window (see dirRacyWindow) when the
//     site was swapped in:
//     whatever changes it after the swap (a hand, a later build) moves its
//     stamp past that;
//   - its link count says it holds exactly the folders noted: a folder
//     made for a file never written, or by anyone else, shows there (file
//     systems that count no links, such as Btrfs, record no folder).
//
// Every other folder is listed by the build that next fills the site as
// the spare, as before.
func (s *Staging) madeTree() *Tree { return recordMade(s.dest, s.made, s.swapped) }

// recordMade is the record of the folder tree at dir whose files, by
// forward-slash path, are made with their inodes (0: not known), none
// having been written since the time settled: the rules of madeTree.
func recordMade(dir string, made map[string]uint64, settled time.Time) *Tree {
	root := &treeDir{name: "."} // never trusted: every swap renames it
	dirs := map[string]*treeDir{".": root}
	unknown := map[string]bool{}
	var folder func(rel string) *treeDir
	folder = func(rel string) *treeDir {
		if d, ok := dirs[rel]; ok {
			return d
		}
		d := &treeDir{name: path.Base(rel)}
		dirs[rel] = d
		parent := folder(path.Dir(rel))
		parent.dirs = append(parent.dirs, d)
		return d
	}
	for rel, ino := range made {
		dir := path.Dir(rel)
		d := folder(dir)
		d.files = append(d.files, treeFile{path.Base(rel), ino})
		if ino == 0 {
			unknown[dir] = true
		}
	}
	rels := make([]string, 0, len(dirs))
	for rel, d := range dirs {
		slices.SortFunc(d.files, func(a, b treeFile) int { return strings.Compare(a.name, b.name) })
		slices.SortFunc(d.dirs, func(a, b *treeDir) int { return strings.Compare(a.name, b.name) })
		if rel != "." {
			rels = append(rels, rel)
		}
	}
	top, err := statDir(dir)
	if err != nil || top == (dirStamp{}) {
		return nil
	}
	fd := openDir(dir)
	defer closeDir(fd)
	raw := localDir(fd)
	forEach(len(rels), func(i int) error {
		d := dirs[rels[i]]
		st, links, err := statDirLinks(fd, raw, dir, rels[i])
		trusted := err == nil && !unknown[rels[i]] && settledAt(st, settled) &&
			links == uint64(2+len(d.dirs))
		if trusted {
			d.stamp = st
		} else {
			d.files = nil // listed next time; its folders keep their own stamps
		}
		return nil
	})
	root.files = nil
	return &Tree{ino: top.ino, root: root}
}
