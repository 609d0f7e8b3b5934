//go:build linux

package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// MakeSpare makes beside a site a spare of links to every one of its
// files, in every one of its folders, and a record of it that the next
// listing uses whole; a build then fills it as it fills any spare.
func TestMakeSpare(t *testing.T) {
	dest, files, rec := siteWithSpare(t)
	site, siteDirs := siteFiles(t, dest)
	spare, spareDirs := siteFiles(t, sparePath(dest))
	if len(spare) != len(site) || len(spareDirs) != len(siteDirs) {
		t.Fatalf("the spare holds %d files in %d folders, the site %d in %d", len(spare), len(spareDirs), len(site), len(siteDirs))
	}
	for rel, ino := range site {
		if spare[rel] != ino {
			t.Errorf("%s: the spare's is not a link to the site's", rel)
		}
	}
	if readSpareRecord(dest) == nil {
		t.Fatal("no record of the spare left")
	}
	spareIno := spareDirIno(t, dest)

	// A second call leaves the spare as it is.
	if err := MakeSpare(dest, rec); err != nil {
		t.Fatal(err)
	}
	if spareDirIno(t, dest) != spareIno {
		t.Error("MakeSpare replaced a spare that was there")
	}

	// The next build lists it with the record: no folder read.
	tick()
	n := listedFolders.Load()
	l := ListSpare(dest, nil, nil)
	l.Wait()
	if l.err != nil {
		t.Fatal(l.err)
	}
	if listed := listedFolders.Load() - n; listed != 0 {
		t.Errorf("%d folders of the spare listed; its record vouches for all", listed)
	}
	st, err := BeginReuseListed(dest, l)
	if err != nil {
		t.Fatal(err)
	}
	if st.Dir() != sparePath(dest) {
		t.Fatalf("staged into %s, not the spare", st.Dir())
	}
	var kept []string
	for rel := range files {
		if rel != "2024/03/p1/index.html" && rel != "2024/05/p3/index.html" {
			kept = append(kept, rel)
		}
	}
	if err := st.MakeDirs(append(kept, "2024/03/p1/index.html")); err != nil {
		t.Fatal(err)
	}
	if missing, err := st.LinkFiles(kept, dest); err != nil || len(missing) > 0 {
		t.Fatal(missing, err)
	}
	if _, err := st.WriteFileStat("2024/03/p1/index.html", []byte("edited")); err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	got, _ := siteFiles(t, dest)
	for _, rel := range kept {
		if got[rel] != site[rel] {
			t.Errorf("%s: not the previous site's file", rel)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dest, "2024/03/p1/index.html")); string(data) != "edited" {
		t.Errorf("edited page holds %q", data)
	}
	if _, ok := got["2024/05/p3/index.html"]; ok || len(got) != len(files)-1 {
		t.Errorf("the site holds %d files, want %d, the removed page gone", len(got), len(files)-1)
	}
	if _, err := os.Lstat(spareRecordPath(dest)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the spare's record outlived the spare: %v", err)
	}
}

func spareDirIno(t *testing.T, dest string) uint64 {
	t.Helper()
	fi, err := os.Lstat(sparePath(dest))
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}

// A build waits for a spare being made before it lists it, and a build
// that returns early stops waiting.
func TestListSpareWaitsForMaker(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	stageFresh(t, dest, sampleSite())
	spare := sparePath(dest)
	writeTree(t, spare, map[string]string{"index.html": "old"})
	fd, err := unix.Open(spare, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil { // as MakeSpare holds it
		t.Fatal(err)
	}
	l := ListSpare(dest, nil, nil)
	stopped := ListSpare(dest, nil, nil)
	select {
	case <-l.done:
		t.Fatal("the spare was listed while being made")
	case <-time.After(100 * time.Millisecond):
	}
	for deadline := time.Now().Add(5 * time.Second); !l.Making(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a listing waiting for the maker does not say so")
		}
	}
	stopped.Stop()
	if !errors.Is(stopped.err, errStopped) {
		t.Errorf("a stopped listing ended with %v", stopped.err)
	}
	writeTree(t, spare, map[string]string{"late.html": "made last"})
	if err := unix.Flock(fd, unix.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	l.Wait()
	if l.err != nil {
		t.Fatal(l.err)
	}
	if l.Making() {
		t.Error("a listing done still says it waits for the maker")
	}
	if _, _, ok := l.listing.file("late.html"); !ok {
		t.Error("the listing missed the file made last")
	}
	// BeginReuse after a stopped listing lists the spare itself.
	st, err := BeginReuseListed(dest, stopped)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := st.spare.file("late.html"); !ok {
		t.Error("BeginReuse after a stopped listing missed the file made last")
	}
}

// A listing given slots stats no folder while every slot is taken, and
// gives back each it takes.
func TestListSpareTakesSlots(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	stageFresh(t, dest, sampleSite())
	writeTree(t, sparePath(dest), sampleSite())
	slots := make(chan struct{}, 1)
	slots <- struct{}{} // the caller's
	l := ListSpare(dest, nil, slots)
	select {
	case <-l.done:
		t.Fatal("the spare was listed with every slot taken")
	case <-time.After(100 * time.Millisecond):
	}
	<-slots
	l.Wait()
	if l.err != nil {
		t.Fatal(l.err)
	}
	if _, _, ok := l.listing.file("index.html"); !ok {
		t.Error("the listing missed index.html")
	}
	select {
	case slots <- struct{}{}:
	default:
		t.Error("the listing kept a slot")
	}
}

// A record of a spare that is damaged in any way, or is another folder's,
// is not used.
func TestSpareRecordChecked(t *testing.T) {
	trustAllFolders(t)
	dest := filepath.Join(t.TempDir(), "public")
	rec := stageFresh(t, dest, sampleSite())
	if err := MakeSpare(dest, rec); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(spareRecordPath(dest))
	if err != nil {
		t.Skipf("no record made on this system: %v", err)
	}
	if _, err := decodeSpareRecord(data); err != nil {
		t.Fatal(err)
	}
	for i := range data {
		bad := append([]byte(nil), data...)
		bad[i] ^= 0x20
		if _, err := decodeSpareRecord(bad); err == nil {
			t.Fatalf("byte %d changed: record accepted", i)
		}
	}
	for _, n := range []int{0, 4, len(spareRecordFormat), len(data) / 2, len(data) - 1} {
		if _, err := decodeSpareRecord(data[:n]); err == nil {
			t.Errorf("cut to %d bytes: record accepted", n)
		}
	}
	// Another spare in its place: the record is not its.
	if err := os.Rename(sparePath(dest), filepath.Join(filepath.Dir(dest), "elsewhere")); err != nil {
		t.Fatal(err)
	}
	writeTree(t, sparePath(dest), map[string]string{"2024/01/p0/index.html": "other"})
	tick()
	n := listedFolders.Load()
	l := ListSpare(dest, nil, nil)
	l.Wait()
	if l.err != nil {
		t.Fatal(l.err)
	}
	if listedFolders.Load() == n {
		t.Error("a spare was taken from another folder's record")
	}
	if l.listing.nfiles != 1 {
		t.Errorf("listed %d files, want the 1 the spare holds", l.listing.nfiles)
	}
}

// A folder that a killed MakeSpare made and never named the spare goes
// with the next build's leftovers.
func TestSpareMakingLeftover(t *testing.T) {
	dest := filepath.Join(t.TempDir(), "public")
	stageFresh(t, dest, sampleSite())
	left := filepath.Join(filepath.Dir(dest), spareMakingPrefix(dest)+"123")
	writeTree(t, left, map[string]string{"a/index.html": "half made"})
	st, err := Begin(dest)
	if err != nil {
		t.Fatal(err)
	}
	st.WriteFile("index.html", []byte("home"))
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := st.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(left); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a killed MakeSpare's folder outlived the next build: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Dir(dest))
	if len(ents) != 1 {
		t.Errorf("beside the site: %v", ents)
	}
}

// Making the spare stops soon after a build moved it aside: deleting it
// then races with filling it.
func TestFillSpareStopsWhenMovedAside(t *testing.T) {
	site := t.TempDir()
	files := map[string]string{}
	for i := range 4100 {
		files[fmt.Sprintf("d%d/p%d.html", i%10, i)] = "page"
	}
	writeTree(t, site, files)
	l, err := listTree(site, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := openDir(site)
	defer closeDir(src)
	for _, moved := range []bool{false, true} {
		dir := t.TempDir()
		dst, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		made, err := fillSpare(src, dst, l, func() bool { return !moved })
		unix.Close(dst)
		switch {
		case moved && !errors.Is(err, errMovedAside):
			t.Errorf("moved aside: %v, want errMovedAside", err)
		case !moved && (err != nil || len(made) != len(files)):
			t.Errorf("in place: %d files made, want %d (%v)", len(made), len(files), err)
		}
		// It checks every 1,024 folders and files; the workers that did
		// not check finish what they were doing first.
		if got, _ := siteFiles(t, dir); moved && len(got) >= 2048 {
			t.Errorf("moved aside: %d files linked before it stopped", len(got))
		}
	}
}

// LinkKnown takes the spare's file as it is when it is the inode the
// caller names, without looking at the target again: the site's file,
// moved away after the caller stat'ed it, is still the one published.
// Without an inode it looks, and a target gone fails.
func TestLinkKnownTakesSpareFile(t *testing.T) {
	dest, _, _ := siteWithSpare(t)
	tick()
	const rel, other = "2024/03/p1/index.html", "2024/05/p3/index.html"
	site, _ := siteFiles(t, dest)
	for _, r := range []string{rel, other} {
		if err := os.Rename(filepath.Join(dest, r), filepath.Join(dest, r+".moved")); err != nil {
			t.Fatal(err)
		}
	}
	l := ListSpare(dest, readSpareRecord(dest), nil)
	st, err := BeginReuseListed(dest, l)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.MakeDirs([]string{rel, other}); err != nil {
		t.Fatal(err)
	}
	if err := st.LinkKnown(rel, filepath.Join(dest, rel), site[rel]); err != nil {
		t.Errorf("LinkKnown with the spare's inode: %v", err)
	}
	if err := st.LinkKnown(other, filepath.Join(dest, other), 0); err == nil {
		t.Errorf("LinkKnown without an inode took %s, whose site file is gone", other)
	}
	if err := st.LinkKnown("../outside.html", filepath.Join(dest, rel), site[rel]); err == nil {
		t.Error("LinkKnown took a path outside the site")
	}
	if err := st.Commit(); err != nil {
		t.Fatal(err)
	}
	got, _ := siteFiles(t, dest)
	if got[rel] != site[rel] {
		t.Errorf("%s: inode %d published, want the spare's %d", rel, got[rel], site[rel])
	}
	if _, ok := got[other]; ok {
		t.Errorf("%s published though its link failed", other)
	}
}

// siteWithSpare stages sampleSite into a fresh folder and makes its spare
// (MakeSpare); it returns the site's folder, its files and the record of
// the staging. It skips the test where folders have no stamps.
func siteWithSpare(t *testing.T) (dest string, files map[string]string, rec *Tree) {
	t.Helper()
	if st, _ := statDir(t.TempDir()); st == (dirStamp{}) {
		t.Skip("no folder stamps on this system")
	}
	trustAllFolders(t)
	dest = filepath.Join(t.TempDir(), "public")
	files = sampleSite()
	rec = stageFresh(t, dest, files)
	if rec == nil {
		t.Fatal("no record of the site staged")
	}
	if err := MakeSpare(dest, rec); err != nil {
		t.Fatal(err)
	}
	return dest, files, rec
}
