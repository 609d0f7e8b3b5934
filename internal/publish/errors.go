package publish

import (
	"errors"
	"fmt"
	"syscall"
)

// ErrDiskFull is wrapped by write errors caused by a full disk or quota.
var ErrDiskFull = errors.New("the disk is full")

// writeError wraps a failed write of rel. A full disk is common enough on
// build machines and small enough to fix that it gets its own message.
func writeError(what, rel string, err error) error {
	if isDiskFull(err) {
		return fmt.Errorf("%s %s: %w (%w): free space on it or choose a --dest on another disk; the previous site is unchanged",
			what, rel, ErrDiskFull, err)
	}
	return fmt.Errorf("%s %s: %w", what, rel, err)
}

// isDiskFull reports whether err comes from a full disk or quota.
func isDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}
