package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestServeFreesMemoryLazily: on Linux sitegen serve runs with
// GODEBUG=madvdontneed=0 added to the environment's settings, in the
// process it was started as (it executes itself again at once), unless
// the environment sets madvdontneed itself.
func TestServeFreesMemoryLazily(t *testing.T) {
	root := site(t, map[string]string{"content/good.md": good})
	for _, c := range []struct{ env, want string }{
		{"", "madvdontneed=0"},
		{"gctrace=0", "gctrace=0,madvdontneed=0"},
		{"madvdontneed=1", "madvdontneed=1"},
	} {
		t.Run(c.env, func(t *testing.T) {
			cmd, url, stdout, stderr := startServe(t, root, c.env)
			environ, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", cmd.Process.Pid))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for kv := range strings.SplitSeq(string(environ), "\x00") {
				if v, ok := strings.CutPrefix(kv, "GODEBUG="); ok {
					got = append(got, v)
				}
			}
			if len(got) != 1 || got[0] != c.want {
				t.Errorf("GODEBUG %q: serving with %q, want [%q]", c.env, got, c.want)
			}
			resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("GET %s: %d", url, resp.StatusCode)
			}
			cmd.Process.Signal(syscall.SIGTERM)
			io.Copy(io.Discard, stdout)
			if err := cmd.Wait(); err != nil {
				t.Errorf("%v\nstderr:\n%s", err, stderr.String())
			}
		})
	}
}
