package alsa

import "unsafe"

// Go's 386 binaries do not run under qemu-i386 on our build machines, so TestStructLayout
// cannot run there; these compile-time checks fail `GOARCH=386 go vet` instead. Each pair of
// array lengths is negative (a compile error) unless the size is exact.
var (
	_ [unsafe.Sizeof(HWParams{}) - 604]struct{}
	_ [604 - unsafe.Sizeof(HWParams{})]struct{}
	_ [unsafe.Sizeof(swParams{}) - 104]struct{}
	_ [104 - unsafe.Sizeof(swParams{})]struct{}
	_ [unsafe.Sizeof(xferi{}) - 12]struct{}
	_ [12 - unsafe.Sizeof(xferi{})]struct{}
	_ [unsafe.Sizeof(ctlElemValue{}) - 708]struct{}
	_ [708 - unsafe.Sizeof(ctlElemValue{})]struct{}
	_ [unsafe.Sizeof(ctlElemList{}) - 72]struct{}
	_ [72 - unsafe.Sizeof(ctlElemList{})]struct{}
	_ [unsafe.Sizeof(ctlElemInfo{}) - 272]struct{}
	_ [272 - unsafe.Sizeof(ctlElemInfo{})]struct{}
	_ [unsafe.Sizeof(pcmStatus{}) - 108]struct{}
	_ [108 - unsafe.Sizeof(pcmStatus{})]struct{}
)
