package serve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sitegen/sitegen/internal/build"
)

// Defaults for Options.
const (
	DefaultAddr     = "127.0.0.1:1313"
	DefaultDebounce = 20 * time.Millisecond
)

// Options say what to preview and how.
type Options struct {
	Source   string        // site root holding content/, templates/, assets/ and sitegen.yaml
	Addr     string        // host:port to listen on; "" means DefaultAddr (loopback only)
	Out      io.Writer     // receives the URL to open and one line per rebuild; nil discards them
	Debounce time.Duration // how long sources must stay unchanged before a rebuild; 0 means DefaultDebounce
}

// A Server previews one site. Create it with New, then call Run.
type Server struct {
	root    string // site root, absolute
	out     io.Writer
	ln      net.Listener
	http    *http.Server
	watch   *watcher
	builder *siteBuilder // used by one build at a time: the first, then the rebuild loop's

	mu      sync.Mutex
	st      *state        // what is served now
	changed chan struct{} // closed and replaced whenever st changes

	outMu   sync.Mutex    // one rebuild line at a time
	closing chan struct{} // closed when Run starts shutting down
	streams atomic.Int64  // event streams open now, one per visible tab

	rebuildFunc func(context.Context, changeSet) (*snapshot, error) // tests only: replaces the build
}

// state is what the preview shows. A new state replaces the old one whole.
type state struct {
	site     *snapshot // the last good build; nil while no build has produced a site
	gen      int       // number of the build in site; tabs showing an older one reload
	failures []Failure // why the latest rebuild failed; nil when it succeeded
}

// New builds the site at opts.Source, starts watching its sources and listens
// on opts.Addr. A build that fails does not stop it: the preview then shows
// the error until the sources are fixed. Call Run to serve.
func New(ctx context.Context, opts Options) (*Server, error) {
	root, err := filepath.Abs(opts.Source)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("site folder %s does not exist; give the folder holding content/ with --source", opts.Source)
	}
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.Out == nil {
		opts.Out = io.Discard
	}
	s := &Server{root: root, out: opts.Out, builder: &siteBuilder{root: root, collect: collectIfDue},
		st: &state{}, changed: make(chan struct{}), closing: make(chan struct{})}
	s.builder.report = s.printf
	// Watch before the first build, so that no change made during it is lost.
	if s.watch, err = newWatcher(root, opts.Debounce); err != nil {
		return nil, fmt.Errorf("watching %s: %w", opts.Source, err)
	}
	if s.ln, err = net.Listen("tcp", opts.Addr); err != nil {
		s.watch.close()
		return nil, fmt.Errorf("%w (is another sitegen serve running? choose another --addr)", err)
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.initialBuild(ctx)
	return s, nil
}

// URL is the address of the site's home page.
func (s *Server) URL() string {
	host, port, _ := net.SplitHostPort(s.ln.Addr().String())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	base := "/"
	if st, _ := s.current(); st.site != nil {
		base = st.site.base
	}
	return "http://" + net.JoinHostPort(host, port) + base
}

// Run serves the site and rebuilds it on every change until ctx is done,
// then shuts down: it stops watching, cancels a rebuild in progress, closes
// the open tabs' event streams and waits for every request to finish.
// It returns nil after a clean shutdown.
func (s *Server) Run(ctx context.Context) error {
	s.printf("Serving %s at %s (press Ctrl-C to stop)\n", s.root, s.URL())
	if host, _, _ := net.SplitHostPort(s.ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		s.printf("Warning: listening on %s, so other machines can reach this preview.\n", host)
	}
	wctx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	batches := make(chan changeSet)
	var wg sync.WaitGroup
	wg.Go(func() { s.watch.run(wctx, batches) })
	wg.Go(func() { s.rebuildLoop(wctx, batches) })
	served := make(chan error, 1)
	go func() { served <- s.http.Serve(s.ln) }()

	var err error
	select {
	case <-ctx.Done():
	case err = <-served:
		served = nil
	}
	close(s.closing)
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = errors.Join(err, s.http.Shutdown(sctx))
	if served != nil {
		if e := <-served; !errors.Is(e, http.ErrServerClosed) {
			err = errors.Join(err, e)
		}
	}
	stopWatching()
	wg.Wait()
	s.builder.stopDrawing() // the pages not drawn yet are not: at 50,000 articles, seconds after a start
	err = errors.Join(err, s.watch.close())
	return err
}

// Run previews the site until ctx is done: New, then Server.Run. It is a
// preview process's whole work, and sets the process's garbage collector
// target to gcPercent unless GOGC sets one.
func Run(ctx context.Context, opts Options) error {
	tuneGC()
	s, err := New(ctx, opts)
	if err != nil {
		return err
	}
	return s.Run(ctx)
}

// current returns the state served now and a channel closed when it changes.
func (s *Server) current() (*state, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st, s.changed
}

// publish makes st the state served and tells every open tab.
func (s *Server) publish(st *state) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st = st
	close(s.changed)
	s.changed = make(chan struct{})
}

// gcPercent is the garbage collector's target (debug.SetGCPercent) for a
// preview process. The server's live heap is mostly the bytes of every page,
// held to be served, of which a rebuild replaces a few; at Go's default of
// 100 the heap grows to twice that between collections (at 50,000 articles,
// 1.1 GB live: 2.3-3.0 GB peak RSS), and the rebuilds of a fresh server
// allocate memory the system maps afresh, a page fault every 4 KB, which
// on a virtual machine made stretches of tag edits take 200-300 ms instead
// of 50. At 50, `BenchmarkRebuildAfterEdit` at 50k, two runs of 20 edits
// each: tag edits 72.5-74.7 ms p50 and 86-88 ms p90 against 79-81 and
// 90-102 ms (and 83 and 288 ms in a run that hit such a stretch), date
// edits the same (96-98 and 123-133 ms against 97-116 and 128-157 ms),
// about the same CPU per edit, and 22% less peak RSS. At 25 the heap is
// smaller still, but an edit that draws thousands of pages then starts a
// collection every time: date edits' p90 157-217 ms.
const gcPercent = 50

// tuneGC sets the garbage collector's target to gcPercent unless the GOGC
// environment variable sets one, and returns what sets it back.
func tuneGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(gcPercent)
	return func() { debug.SetGCPercent(old) }
}

func (s *Server) printf(format string, args ...any) {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	fmt.Fprintf(s.out, format, args...)
}

// ServeHTTP serves the files of the last good build, and the live-reload
// script and event stream. Nothing else is reachable: a request names a key
// of the built site's map of files, never a path on disk.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case scriptPath:
		serveScript(w, r)
		return
	case eventsPath:
		s.serveEvents(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	st, _ := s.current()
	if st.site == nil {
		s.servePlaceholder(w, st, http.StatusServiceUnavailable, "The site has not been built yet",
			"The first build failed. Fix the error shown above; this page reloads by itself.")
		return
	}
	file, body, redirect, err := st.site.lookup(r.URL.Path)
	switch {
	case err != nil && file != "":
		http.Error(w, "drawing "+file+": "+err.Error(), http.StatusInternalServerError)
		return
	case err != nil:
		http.Error(w, "making the feeds, sitemap and search index: "+err.Error(), http.StatusInternalServerError)
		return
	case redirect != "":
		http.Redirect(w, r, redirect, http.StatusMovedPermanently)
		return
	case file == "":
		s.servePlaceholder(w, st, http.StatusNotFound, "Page not found",
			r.URL.Path+" is not part of the site (yet). This page reloads by itself after each rebuild.")
		return
	}
	if path.Ext(file) == ".html" {
		body = injectReload(body, st.gen)
	}
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, file, time.Time{}, bytes.NewReader(body))
}

// lookup maps a request's URL path to a file of the site and its bytes, or
// to the URL to redirect to ("/a" to "/a/" when a is a folder; "/" to the
// base path). It returns only zero values when the site has no such file.
func (snap *snapshot) lookup(urlPath string) (file string, data []byte, redirect string, err error) {
	if !strings.HasPrefix(urlPath, snap.base) {
		if urlPath+"/" == snap.base || urlPath == "/" {
			return "", nil, snap.base, nil
		}
		return "", nil, "", nil
	}
	// path.Clean resolves every "..", so the result is rooted in the site;
	// it is then only ever a key of a map, never a path on disk.
	rel := strings.TrimPrefix(path.Clean("/"+urlPath[len(snap.base):]), "/")
	if rel == "" {
		rel = "index.html"
	} else if strings.HasSuffix(urlPath, "/") {
		rel += "/index.html"
	}
	if data, ok, err := snap.files.get(rel); ok {
		return rel, data, "", err
	}
	if snap.files.has(rel+"/index.html") && !strings.HasSuffix(urlPath, "/") {
		return "", nil, urlPath + "/", nil
	}
	if snap.outputs == nil || !build.MayBeOutput(rel) {
		return "", nil, "", nil // not made for a name that cannot be one of them
	}
	outs, err := snap.outputs.get()
	if data, ok := outs[rel]; ok {
		return rel, data, "", nil
	}
	return "", nil, "", err
}

var placeholder = template.Must(template.New("").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Title}} · sitegen serve</title></head>
<body style="font:16px/1.5 system-ui,sans-serif;margin:3rem">
<h1>{{.Title}}</h1>
<p>{{.Text}}</p>
</body>
</html>
`))

// servePlaceholder answers with a page of the preview server's own, which
// reloads like the site's pages do.
func (s *Server) servePlaceholder(w http.ResponseWriter, st *state, code int, title, text string) {
	var buf bytes.Buffer
	placeholder.Execute(&buf, struct{ Title, Text string }{title, text})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(injectReload(buf.Bytes(), st.gen))
}
