package main

import (
	"log/slog"
	"os"
	"strings"
	"syscall"
)

// reexec replaces the running process with the same command, arguments and
// environment but for GODEBUG set to godebug: the process keeps its ID,
// open files and terminal. It returns only if that fails, and the command
// then goes on as it is.
func reexec(godebug string) {
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
	slog.Debug("running without GODEBUG="+godebug, "err", err)
}
