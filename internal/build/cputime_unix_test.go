//go:build unix

package build

import (
	"syscall"
	"time"
)

// processCPU is the CPU time the process has used, user and system, on
// all threads: the benchmarks report it beside wall time, which on a
// shared machine says more about the other jobs than about the code.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
