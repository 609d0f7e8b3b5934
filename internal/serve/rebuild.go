package serve

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sitegen/sitegen/internal/content"
)

// A rebuilt is the outcome of one build.
type rebuilt struct {
	changes changeSet     // what the build was asked to take in
	site    *snapshot     // the new site; nil when the build failed outright
	err     error         // why it failed; wraps content.Problems when only articles were bad
	took    time.Duration // from the start of the build to its end
}

// initialBuild builds the site once before serving.
func (s *Server) initialBuild(ctx context.Context) {
	start := time.Now()
	snap, err := s.builder.next(ctx, nil, changeSet{})
	s.finish(rebuilt{site: snap, err: err, took: time.Since(start)})
}

// rebuildLoop rebuilds the site after each batch of changes until batches
// is closed. A batch that arrives while a rebuild runs makes that rebuild
// stale: it is cancelled, and the next one takes in both batches.
func (s *Server) rebuildLoop(ctx context.Context, batches <-chan changeSet) {
	var (
		pending changeSet          // changes no rebuild has started on
		cancel  context.CancelFunc // cancels the rebuild in flight
		done    chan rebuilt       // receives its outcome; nil when none is in flight
	)
	start := func() {
		cs := pending
		pending = changeSet{}
		var bctx context.Context
		bctx, cancel = context.WithCancel(ctx)
		done = make(chan rebuilt, 1)
		go func(done chan<- rebuilt) {
			t := time.Now()
			snap, err := s.rebuild(bctx, cs)
			done <- rebuilt{changes: cs, site: snap, err: err, took: time.Since(t)}
		}(done)
	}
	for {
		select {
		case cs, ok := <-batches:
			if !ok { // shutting down: wait for the rebuild in flight, if any
				if done != nil {
					cancel()
					<-done
				}
				return
			}
			pending.merge(cs)
			if done != nil {
				cancel()
				continue
			}
			start()
		case r := <-done:
			cancel()
			done = nil
			if errors.Is(r.err, context.Canceled) {
				pending.merge(r.changes) // stale: its changes go into the next one
			} else {
				s.finish(r)
			}
			if !pending.empty() {
				start()
			}
		}
	}
}

// rebuild builds the site again after the changes in cs.
func (s *Server) rebuild(ctx context.Context, cs changeSet) (*snapshot, error) {
	if s.rebuildFunc != nil {
		return s.rebuildFunc(ctx, cs)
	}
	st, _ := s.current()
	return s.builder.next(ctx, st.site, cs)
}

// finish publishes the outcome of a build and prints one line about it.
// A failed build leaves the last good site in place and shows why it failed
// in every open tab. Only when there is no good site yet does a build whose
// only problem is bad articles publish the others, as build --keep-going would.
func (s *Server) finish(r rebuilt) {
	old, _ := s.current()
	prefix, built, build := now()+" ", "built", "build"
	if r.changes.all {
		prefix, built, build = prefix+"many changes (the watcher lost count): ", "rebuilt", "rebuild"
	} else if !r.changes.empty() {
		prefix, built, build = prefix+describeChanges(r.changes.sorted())+" changed: ", "rebuilt", "rebuild"
	}
	took := r.took.Round(time.Millisecond)
	// The line is printed before the state is published, so that whoever
	// sees the new state can find the line that explains it.
	if r.err == nil {
		if r.changes.empty() {
			s.printf("%s%s %d articles, %d files in %v\n", prefix, built, r.site.articles, r.site.files.len(), took)
		} else {
			s.printf("%s%s %d of %d files in %v (%d articles)\n", prefix, built, r.site.rendered, r.site.files.len(), took, r.site.articles)
		}
		s.publish(&state{site: r.site, gen: old.gen + 1})
		return
	}
	next := &state{site: old.site, gen: old.gen, failures: describe(r.err)}
	keeping := "still serving the last good site"
	var probs content.Problems
	if old.site == nil && r.site != nil && errors.As(r.err, &probs) {
		next.site, next.gen = r.site, old.gen+1
		keeping = fmt.Sprintf("serving the other %d articles", r.site.articles)
	} else if old.site == nil {
		keeping = "nothing to serve until it is fixed"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s failed in %v, %s:\n", prefix, build, took, keeping)
	for _, f := range next.failures {
		fmt.Fprintf(&b, "    %s\n", f)
	}
	s.printf("%s", b.String())
	s.publish(next)
}

// describeChanges names up to three changed paths and counts the rest.
func describeChanges(paths []string) string {
	if len(paths) <= 3 {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:2], ", "), len(paths)-2)
}

func now() string { return time.Now().Format("15:04:05") }
