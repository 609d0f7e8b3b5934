package build

import (
	"errors"
	"io/fs"
	"os"
	"sync/atomic"
	"time"

	"github.com/sitegen/sitegen/internal/content"
	"github.com/sitegen/sitegen/internal/topics"
)

// worldKey hashes what every output depends on besides the content files:
// the program, the theme (configuration, templates, language, assets) and
// tags.yaml. A build whose world key, content files and output files are
// all as the cache recorded has nothing to do (see unchanged).
func (b *Builder) worldKey() (sourceHash, error) {
	rules, err := fs.ReadFile(os.DirFS(b.root), topics.RulesFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return sourceHash{}, err
	}
	var k keyWriter
	k.hash(programKey())
	k.hash(b.themeHash)
	k.bytes(rules)
	return k.sum(), nil
}

// unchangedBuilds counts the builds unchanged found nothing to do in, for tests.
var unchangedBuilds atomic.Int64

// A contentScan is content/ as a build found it before loading any of it:
// its article files, sorted, the problems of its walk, and, when stamps is
// not nil, each file's stamp (see stampFile) by the index of its path.
type contentScan struct {
	paths  []string
	probs  content.Problems
	stamps []stamp
	record *contentRecord // for the next build; nil: none
}

// unchanged returns the report of a build that has nothing to do, or nil
// when the build must run: when the content folder holds exactly the files
// the cache lists, each with the stamp it recorded, and every output file
// in dest has the stamp the cache recorded, the site the build would make
// is the one dest holds (the caller has checked the world key). It reads
// the folder and stamps files, nothing more: no article is decoded, parsed
// or indexed. A file edited, added or deleted anywhere makes it return nil,
// and the full build then finds and writes what changed, starting from
// the folder's walk and stamps it returns (nil when the walk failed).
func (b *Builder) unchanged(man *manifest, dest string) (*Report, *contentScan) {
	contentF := optionalSub(content.DirFS(b.root), "content")
	if contentF == nil {
		return nil, nil
	}
	// Sources first, all of them (the build that follows an edit takes
	// their stamps): an edit is found without stamping every output. The
	// files the cache lists are stamped while the folder is walked; when
	// the walk finds those very files, as it mostly does, the stamps are
	// theirs, and when it does not the stamping stops.
	now := time.Now()
	var changed, stop atomic.Bool
	stamps := make([]stamp, len(man.Stamps))
	stamped := make(chan struct{})
	go func() {
		defer close(stamped)
		sources := openFolderStat(b.contentDir)
		defer sources.close()
		parallel(len(man.Stamps), func(i int) {
			if stop.Load() {
				return
			}
			c := man.Stamps[i]
			st := stampAt(sources, c.Path, now)
			stamps[i] = st
			if !st.valid() || st != c.Stamp {
				changed.Store(true)
			}
		})
	}()
	defer func() { stop.Store(true); <-stamped }() // no goroutine left behind
	scan, err := b.scanContent(contentF, man.State.Content, man.Stamps)
	if err != nil {
		return nil, nil
	}
	paths, walkProbs := scan.paths, scan.probs
	if len(paths) != len(man.Stamps) {
		return nil, scan
	}
	for i, p := range scan.paths {
		if man.Stamps[i].Path != p {
			return nil, scan
		}
	}
	<-stamped
	scan.stamps = stamps
	if changed.Load() {
		return nil, scan
	}
	outputs := openFolderStat(dest)
	defer outputs.close()
	parallel(len(man.Outputs), func(i int) {
		if changed.Load() {
			return
		}
		if !outputIntact(outputs, man.Outputs[i].Path, man.Outputs[i].Stamp) {
			changed.Store(true)
		}
	})
	if changed.Load() {
		return nil, scan
	}
	var perSource []*content.Problem
	for _, c := range man.Stamps {
		if c.Prob != nil {
			perSource = append(perSource, c.Prob)
		}
	}
	probs := siteProblems(walkProbs, perSource)
	unchangedBuilds.Add(1)
	return &Report{Articles: man.State.Articles, Pages: man.State.Pages, Notes: man.State.Notes,
		Problems: probs, Unchanged: len(man.Outputs)}, scan
}
