package lazyfree

import (
	"os"
	"strings"
	"syscall"
)

// Restart replaces the running process with the same program, arguments
// and environment but for GODEBUG, which gets GODEBUG added (Add), and
// env (NAME=VALUE), added: the process keeps its ID, open files and
// terminal. It returns nil at once when the environment sets madvdontneed
// itself, and otherwise only when starting again fails; the program then
// goes on as it is.
func Restart(env ...string) error {
	godebug, ok := Add(os.Getenv("GODEBUG"))
	if !ok {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	env = append([]string{"GODEBUG=" + godebug}, env...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GODEBUG=") {
			env = append(env, kv)
		}
	}
	return syscall.Exec(exe, os.Args, env)
}
