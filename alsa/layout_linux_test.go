//go:build linux && (386 || amd64 || arm || arm64 || riscv64 || loong64)

package alsa

import (
	"runtime"
	"testing"
	"unsafe"
)

// The kernel's struct sizes per ABI (include/uapi/sound/asound.h). Run under qemu-user for the
// 32-bit targets: GOARCH=arm GOARM=7 go test -exec qemu-arm-static ./alsa/...
func TestStructLayout(t *testing.T) {
	type sizes struct{ hw, sw, xferi, elemList, elemInfo, elemValue, id uintptr }
	want := map[string]sizes{
		"amd64":   {608, 136, 24, 80, 272, 1224, 64},
		"arm64":   {608, 136, 24, 80, 272, 1224, 64},
		"riscv64": {608, 136, 24, 80, 272, 1224, 64},
		"loong64": {608, 136, 24, 80, 272, 1224, 64},
		"arm":     {604, 104, 12, 72, 272, 712, 64},
		"386":     {604, 104, 12, 72, 272, 708, 64},
	}[runtime.GOARCH]
	got := sizes{
		unsafe.Sizeof(HWParams{}), unsafe.Sizeof(swParams{}), unsafe.Sizeof(xferi{}),
		unsafe.Sizeof(ctlElemList{}), unsafe.Sizeof(ctlElemInfo{}), unsafe.Sizeof(ctlElemValue{}),
		unsafe.Sizeof(ctlElemID{}),
	}
	if got != want {
		t.Fatalf("%s: struct sizes %+v, want %+v", runtime.GOARCH, got, want)
	}
	// Field offsets the kernel reads that a misplaced padding would shift.
	var v ctlElemValue
	wantValueOff := uintptr(72)
	if runtime.GOARCH == "386" {
		wantValueOff = 68
	}
	if off := unsafe.Offsetof(v.value); off != wantValueOff {
		t.Errorf("snd_ctl_elem_value.value at %d, want %d", off, wantValueOff)
	}
	var s swParams
	wantProto := uintptr(72) // 12 bytes of ints, padded to 16, then 7 longs
	if unsafe.Sizeof(uintptr(0)) == 4 {
		wantProto = 40
	}
	if off := unsafe.Offsetof(s.proto); off != wantProto {
		t.Errorf("snd_pcm_sw_params.proto at %d, want %d", off, wantProto)
	}
	var h HWParams
	if off := unsafe.Offsetof(h.intervals); off != 260 {
		t.Errorf("snd_pcm_hw_params.intervals at %d, want 260", off)
	}
	if off := unsafe.Offsetof(h.rmask); off != 512 {
		t.Errorf("snd_pcm_hw_params.rmask at %d, want 512", off)
	}
}

func TestIoctlNumbers(t *testing.T) {
	type nums struct{ refine, params, sw, writei, readi, delay uintptr }
	var want nums
	if unsafe.Sizeof(uintptr(0)) == 8 {
		want = nums{0xC2604110, 0xC2604111, 0xC0884113, 0x40184150, 0x80184151, 0x80084121}
	} else {
		want = nums{0xC25C4110, 0xC25C4111, 0xC0684113, 0x400C4150, 0x800C4151, 0x80044121}
	}
	got := nums{pcmHWRefine, pcmHWParams, pcmSWParams, pcmWriteI, pcmReadI, pcmDelay}
	if got != want {
		t.Fatalf("ioctl numbers %#x, want %#x", got, want)
	}
	if pcmPrepare != 0x4140 || pcmDrain != 0x4144 || pcmResume != 0x4147 {
		t.Fatalf("no-argument ioctls wrong: %#x %#x %#x", pcmPrepare, pcmDrain, pcmResume)
	}
}

func TestLongRoundTrip(t *testing.T) {
	b := make([]byte, 4*8)
	for i, v := range []int{0, -1, 1 << 30, -(1 << 30)} {
		putLong(b, i, v)
		if got := long(b, i); got != v {
			t.Errorf("long %d: got %d, want %d", i, got, v)
		}
	}
}

// snd_pcm_status: STATUS64 on 64-bit (152 bytes), STATUS32 on 32-bit (108), the pointers
// where the kernel's snd_pcm_status64/32 put them.
func TestStatusLayout(t *testing.T) {
	type layout struct{ size, appl, delay, suspended, ioctl uintptr }
	want := layout{152, 40, 56, 88, 0x80984120}
	if unsafe.Sizeof(uintptr(0)) == 4 {
		want = layout{108, 20, 28, 44, 0x806C4120}
	}
	var s pcmStatus
	got := layout{unsafe.Sizeof(s), unsafe.Offsetof(s.applPtr), unsafe.Offsetof(s.delay), unsafe.Offsetof(s.suspendedState), pcmStatusIoctl}
	if got != want {
		t.Fatalf("%s: snd_pcm_status %#x, want %#x", runtime.GOARCH, got, want)
	}
}
