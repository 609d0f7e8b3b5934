package main

import (
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// removeTreeEnv names the folder that a background sitegen process started
// by removeInBackground deletes, instead of running a command.
const removeTreeEnv = "SITEGEN_REMOVE_OLD_SITE"

// removeInBackground deletes the previous site's folder, which a build
// swapped out, or a folder a killed build left, in a process of its own
// that outlives this one.
// Deleting tens of thousands of files takes seconds and, on ext4, slows
// file creation for a while; the build has nothing to wait for. If the
// process cannot start, the folder is deleted here; a folder left by a
// killed remover is handed to the remover of the next build that publishes.
func removeInBackground(dir string) {
	if err := startBackground(removeTreeEnv + "=" + dir); err != nil {
		slog.Debug("deleting the previous site in the foreground", "err", err)
		os.RemoveAll(dir)
	}
}

// startBackground starts this executable again, with env added to the
// environment naming its work (see main) and files as its files 3 on, in
// a session of its own, and does not wait for it.
func startBackground(env string, files ...*os.File) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), env)
	cmd.ExtraFiles = files
	detach(cmd)
	if err := cmd.Start(); err != nil {
		return err
	}
	return cmd.Process.Release()
}

// removeTree is the background process's work. It deletes only what
// publish names an old site (".NAME.old-...") or a staging folder that a
// killed build left (".NAME.staging-..."), whatever the environment says.
func removeTree(dir string) {
	base := filepath.Base(dir)
	if !strings.HasPrefix(base, ".") || !strings.Contains(base, ".old-") && !strings.Contains(base, ".staging-") {
		return
	}
	// A spare moved aside while a background MakeSpare was still filling
	// it may gain an entry during the walk; that process stops soon after.
	for try := 0; os.RemoveAll(dir) != nil && try < 5; try++ {
		time.Sleep(200 * time.Millisecond)
	}
}

// makeSpareEnv names the destination whose spare a background sitegen
// process started by makeSpareInBackground makes, instead of running a
// command.
const makeSpareEnv = "SITEGEN_MAKE_SPARE"

// makeSpareInBackground makes the spare beside dest (build.MakeSpare) in a
// process of its own that outlives this one: a few seconds of making
// folders that the next edit would otherwise spend. If the process cannot
// start, no spare is made; the next build makes its folder as before.
func makeSpareInBackground(dest string) {
	if err := startBackground(makeSpareEnv + "=" + dest); err != nil {
		slog.Debug("no spare made ahead", "err", err)
	}
}

// isTerminal reports whether w is a terminal, where a progress line that
// redraws itself makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
