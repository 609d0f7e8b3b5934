package build

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/sitegen/sitegen/internal/content"
)

// A sourceHash identifies a source file's bytes. Cache entries and page keys
// are built from it; 128 bits of SHA-256 make a collision out of reach.
type sourceHash [16]byte

func hashBytes(data []byte) sourceHash {
	sum := sha256.Sum256(data)
	return sourceHash(sum[:16])
}

// A source is one content file as the build last read it.
type source struct {
	art  *content.Article // nil when the file is bad or a draft
	prob *content.Problem // why the file is bad, or nil
	hash sourceHash       // of the file's bytes
	meta sourceHash       // of every field of art but Body, as parsed
	slug string           // art.Slug as parsed, before site.New renames duplicates
	size int64
}

// metaHash hashes every field of a but its Body and the hash of its
// source bytes. It goes through JSON so that a field added to
// content.Article is covered without a change here.
func metaHash(a *content.Article) sourceHash {
	c := *a
	c.Body, c.Hash = "", 0
	data, err := json.Marshal(&c)
	if err != nil { // cannot happen for the plain data in an Article
		data = []byte(err.Error() + a.Source)
	}
	return hashBytes(data)
}

// loadSources reads and parses the files at paths of fsys in parallel on
// all cores. progress, when not nil, is told of each file read.
func loadSources(ctx context.Context, paths []string, l *content.Loader, progress *atomic.Int64) ([]*source, error) {
	out := make([]*source, len(paths))
	work := make(chan int, 64)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				out[i] = loadSource(paths[i], l)
				if progress != nil {
					progress.Add(1)
				}
			}
		}()
	}
feed:
	for i := range paths {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// loadSource reads and parses one content file.
func loadSource(p string, l *content.Loader) *source {
	data, a, prob := l.LoadFileBytes(p)
	s := &source{prob: prob, size: int64(len(data))}
	if data != nil {
		s.hash = hashBytes(data)
	}
	if prob == nil && a != nil && !a.Draft {
		s.art, s.slug, s.meta = a, a.Slug, metaHash(a)
	}
	return s
}
