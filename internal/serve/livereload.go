package serve

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// The preview server's own URLs. They live outside any site's URL scheme,
// which has no folder starting with "_".
const (
	scriptPath = "/_sitegen/livereload.js"
	eventsPath = "/_sitegen/events"
)

//go:embed livereload.js
var reloadScript []byte

// injectReload returns page with the live-reload script added before
// </body>, or at the end when there is none. gen is the build the page
// belongs to: the script reloads the tab as soon as the server has a newer
// one, even one that was published before the script connected.
func injectReload(page []byte, gen int) []byte {
	tag := fmt.Sprintf(`<script src="%s" data-gen="%d"></script>`, scriptPath, gen)
	i := bytes.LastIndex(page, []byte("</body>"))
	if i < 0 {
		i = bytes.LastIndex(page, []byte("</BODY>"))
	}
	if i < 0 {
		i = len(page)
	}
	out := make([]byte, 0, len(page)+len(tag)+1)
	out = append(out, page[:i]...)
	out = append(out, tag...)
	out = append(out, '\n')
	return append(out, page[i:]...)
}

func serveScript(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(reloadScript)
}

// serveEvents streams server-sent events to one open tab until the tab
// goes away, it has been told to reload, or the server shuts down. The
// stream is level-triggered: after every state change it compares what the
// tab shows with the current state, so no change can be missed between two
// events.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	tabGen, err := strconv.Atoi(r.URL.Query().Get("gen"))
	if err != nil {
		http.Error(w, "gen: want the build number the page was served from", http.StatusBadRequest)
		return
	}
	s.streams.Add(1)
	defer s.streams.Add(-1)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	fl.Flush()
	sent := ""
	for {
		st, changed := s.current()
		if st.gen != tabGen {
			fmt.Fprintf(w, "event: reload\ndata: %d\n\n", st.gen)
			fl.Flush()
			return
		}
		if fj := failuresJSON(st.failures); fj != sent {
			fmt.Fprintf(w, "event: failures\ndata: %s\n\n", fj)
			fl.Flush()
			sent = fj
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		case <-s.closing:
			return
		}
	}
}

func failuresJSON(fs []Failure) string {
	if fs == nil {
		fs = []Failure{}
	}
	b, _ := json.Marshal(fs) // cannot fail: strings and ints
	return string(b)
}
