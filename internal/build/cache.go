package build

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/sitegen/sitegen/internal/content"
)

// The build cache is one file beside the destination, named like the
// publish package's staging folders: DEST/../.public.sitegen-cache for
// DEST public. It records what the last build read (every content file's
// size, times, inode and hash, and the article parsed from it, without its
// body) and what it wrote (every output file's key, hash and stamp).
//
// It is trusted only as far as it can be checked, so that a stale cache
// cannot produce wrong output:
//   - it is keyed to the program (a hash of the executable), the site root
//     and the destination; any other program or place ignores it;
//   - a content file is reused only when its size, mtime, ctime and inode
//     are all unchanged, and never when it was modified within a second of
//     being read (an edit in the same clock tick would not move its mtime);
//   - an output file is left alone only when its page key and its own
//     size, mtime and inode are unchanged: a file edited, replaced or
//     deleted in the destination by hand is written again (the change time
//     is left out: hard links made and removed by full builds move it);
//   - the theme (sitegen.yaml, templates/, i18n/, assets/) is hashed in
//     full on every build.
//
// Deleting the file is always safe: the next build is a full one.
const cacheFormat = "sitegen build cache 2"

func cachePath(dest string) string {
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".sitegen-cache")
}

// A manifest is the cache file's content.
type manifest struct {
	Format     string
	Program    sourceHash
	Root       string     // absolute site root
	Dest       string     // absolute destination
	OutputsKey sourceHash // of the feeds, sitemap and search index: see Builder.outputsKey
	Sources    []cachedSource
	Outputs    []cachedOutput
}

// A stamp identifies one version of a file without reading it. The zero
// stamp matches nothing.
type stamp struct {
	Size, Mtime, Ctime int64
	Ino, Dev           uint64
}

func (s stamp) valid() bool { return s != stamp{} }

// A cachedSource is one content file as the last build read it.
type cachedSource struct {
	Path  string
	Stamp stamp
	Hash  sourceHash
	Meta  sourceHash
	Slug  string
	Art   *content.Article // without Body; nil when the file is bad or a draft
	Prob  *content.Problem
}

// A cachedOutput is one file the last build left in the destination.
type cachedOutput struct {
	Path  string
	Key   pageKey    // the page's key; zero for assets
	Sum   sourceHash // of the bytes
	Stamp stamp
	Extra bool // a feed, sitemap or search index file, made again only when OutputsKey changes
}

// The cache file is a gob stream: a manifestHeader, then the sources and
// the outputs in chunks of at most cacheChunk, so that neither writing nor
// reading it holds a second copy of a million-article archive in memory.
type manifestHeader struct {
	Format           string
	Program          sourceHash
	Root, Dest       string
	OutputsKey       sourceHash
	Sources, Outputs int
}

const cacheChunk = 4096

// readManifest reads the cache for dest, or returns nil when there is
// none or it is not for this program, root and destination.
func readManifest(root, dest string) *manifest {
	f, err := os.Open(cachePath(dest))
	if err != nil {
		return nil
	}
	defer f.Close()
	dec := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	var h manifestHeader
	if err := dec.Decode(&h); err != nil || h.Format != cacheFormat || h.Program != programKey() || h.Root != root || h.Dest != dest {
		return nil
	}
	m := &manifest{Format: h.Format, Program: h.Program, Root: h.Root, Dest: h.Dest, OutputsKey: h.OutputsKey,
		Sources: make([]cachedSource, 0, h.Sources), Outputs: make([]cachedOutput, 0, h.Outputs)}
	for len(m.Sources) < h.Sources {
		var chunk []cachedSource
		if err := dec.Decode(&chunk); err != nil {
			slog.Debug("ignoring unreadable build cache", "file", cachePath(dest), "err", err)
			return nil
		}
		m.Sources = append(m.Sources, chunk...)
	}
	for len(m.Outputs) < h.Outputs {
		var chunk []cachedOutput
		if err := dec.Decode(&chunk); err != nil {
			slog.Debug("ignoring unreadable build cache", "file", cachePath(dest), "err", err)
			return nil
		}
		m.Outputs = append(m.Outputs, chunk...)
	}
	return m
}

// writeManifest replaces the cache for dest atomically. sources yields the
// content files' entries one chunk at a time.
func writeManifest(root, dest string, outputsKey sourceHash, nSources int, sources func(yield func([]cachedSource) error) error, outputs []cachedOutput) error {
	p := cachePath(dest)
	// A build killed while writing the cache leaves its temporary file.
	stale, _ := filepath.Glob(p + ".tmp-*")
	for _, f := range stale {
		os.Remove(f)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".tmp-")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	enc := gob.NewEncoder(w)
	err = enc.Encode(manifestHeader{Format: cacheFormat, Program: programKey(), Root: root, Dest: dest,
		OutputsKey: outputsKey, Sources: nSources, Outputs: len(outputs)})
	if err == nil {
		err = sources(func(chunk []cachedSource) error { return enc.Encode(chunk) })
	}
	for i := 0; err == nil && i < len(outputs); i += cacheChunk {
		err = enc.Encode(outputs[i:min(i+cacheChunk, len(outputs))])
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing the build cache %s: %w", p, err)
	}
	return nil
}

// removeManifest deletes the cache for dest, before a build changes the
// destination, so that a build killed half way never leaves a cache that
// describes the wrong files.
func removeManifest(dest string) error {
	err := os.Remove(cachePath(dest))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// racyWindow is how recently modified a file may be and still be trusted
// by its stamp: mtimes move in clock ticks, so a file changed twice within
// one tick keeps its mtime.
const racyWindow = time.Second

// stampFile stamps the file at p, or returns the zero stamp when it cannot
// be trusted: unreadable, or modified within racyWindow of now.
func stampFile(p string, now time.Time) stamp {
	fi, err := os.Stat(p)
	if err != nil {
		return stamp{}
	}
	if now.Sub(fi.ModTime()) < racyWindow {
		return stamp{}
	}
	return statStamp(fi)
}
