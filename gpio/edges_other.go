//go:build !linux

package gpio

// OpenEdges needs the Linux GPIO character device.
func OpenEdges(chip string, offsets []int, bufferSize int) (EdgeLines, error) {
	return nil, ErrUnsupported
}
