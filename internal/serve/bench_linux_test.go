package serve

import (
	"fmt"
	"os"
	"strings"
	"syscall"
)

// benchAsServed starts the test binary again with GODEBUG as `sitegen
// serve` runs with it (WithGODEBUG), so that the benchmarks measure the
// server users get: the runtime reads the setting only at start. It
// returns when the environment sets madvdontneed itself, or when starting
// again fails, which it reports.
func benchAsServed() {
	godebug, ok := WithGODEBUG(os.Getenv("GODEBUG"))
	if !ok {
		return
	}
	exe, err := os.Executable()
	if err == nil {
		env := []string{"GODEBUG=" + godebug}
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "GODEBUG=") {
				env = append(env, kv)
			}
		}
		err = syscall.Exec(exe, os.Args, env)
	}
	fmt.Fprintf(os.Stderr, "benchmarks run without GODEBUG=%s, unlike sitegen serve: %v\n", GODEBUG, err)
}
