package fsstat

import "golang.org/x/sys/unix"

// Local reports whether the folder open as fd is on a local disk or
// memory file system (ext2/3/4, XFS, Btrfs, F2FS, tmpfs, or an overlay,
// as containers have, of those), where At may stat raw.
func Local(fd int) bool {
	var fs unix.Statfs_t
	if err := unix.Fstatfs(fd, &fs); err != nil {
		return false
	}
	switch uint32(fs.Type) {
	case unix.EXT4_SUPER_MAGIC, unix.XFS_SUPER_MAGIC, unix.BTRFS_SUPER_MAGIC, unix.F2FS_SUPER_MAGIC, unix.TMPFS_MAGIC, unix.OVERLAYFS_SUPER_MAGIC:
		return true
	}
	return false
}
