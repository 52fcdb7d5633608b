//go:build !linux

package gpio

// chipDriver stands in for the Linux GPIO character device on other systems, so the package
// (and the sim) builds everywhere.
type chipDriver struct{ name string }

func (d chipDriver) Request([]LineSpec) (Lines, error) { return nil, ErrUnsupported }
