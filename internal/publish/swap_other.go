//go:build !linux

package publish

func swap(staging, dest, oldPrefix string) (string, error) {
	return swapByRenames(staging, dest, oldPrefix)
}
