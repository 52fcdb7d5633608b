package gpio

import (
	"errors"
	"testing"
	"unsafe"
)

// The kernel's sizes (include/uapi/linux/gpio.h); the same on every architecture we build
// for, which `GOARCH=arm go test -exec qemu-arm-static` checks.
func TestCdevABI(t *testing.T) {
	tests := []struct {
		name string
		got  uintptr
		want uintptr
	}{
		{"sizeof(gpiochip_info)", unsafe.Sizeof(gpiochipInfo{}), 68},
		{"sizeof(gpio_v2_line_request)", unsafe.Sizeof(lineRequest{}), 592},
		{"sizeof(gpio_v2_line_config)", unsafe.Sizeof(lineConfig{}), 272},
		{"sizeof(gpio_v2_line_values)", unsafe.Sizeof(lineValues{}), 16},
		{"offsetof(config)", unsafe.Offsetof(lineRequest{}.config), 288},
		{"offsetof(fd)", unsafe.Offsetof(lineRequest{}.fd), 588},
		{"sizeof(gpio_v2_line_info)", unsafe.Sizeof(lineInfo{}), 256},
		{"offsetof(line_info.flags)", unsafe.Offsetof(lineInfo{}.flags), 72},
		{"GPIO_V2_GET_LINEINFO_IOCTL", ioctlLineInfo(), 0xC100B405},
		{"GPIO_GET_CHIPINFO_IOCTL", ioctlChipInfo(), 0x8044B401},
		{"GPIO_V2_GET_LINE_IOCTL", ioctlGetLine(), 0xC250B407},
		{"GPIO_V2_LINE_GET_VALUES_IOCTL", ioctlGetValues(), 0xC010B40E},
		{"GPIO_V2_LINE_SET_VALUES_IOCTL", ioctlSetValues(), 0xC010B40F},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %#x, want %#x", tc.name, tc.got, tc.want)
		}
	}
}

func TestBuildRequest(t *testing.T) {
	in := uint64(lineFlagInput | lineFlagRising | lineFlagFalling)
	tests := []struct {
		name      string
		specs     []LineSpec
		wantAttrs []lineConfigAttribute
	}{
		{
			"inputs and active-low relay",
			[]LineSpec{
				{Name: "bell", Offset: 17, Bias: BiasPullUp},
				{Name: "door", Offset: 27},
				{Name: "lock", Offset: 22, Output: true, Initial: true, ActiveLow: true},
				{Name: "led", Offset: 23, Output: true},
			},
			[]lineConfigAttribute{
				{attr: lineAttribute{id: attrIDFlags, value: in | lineFlagPullUp}, mask: 0b0001},
				{attr: lineAttribute{id: attrIDFlags, value: in}, mask: 0b0010},
				{attr: lineAttribute{id: attrIDFlags, value: lineFlagOutput}, mask: 0b1100},
				// The lock's inactive (high) level is in the request itself.
				{attr: lineAttribute{id: attrIDOutValues, value: 0b0100}, mask: 0b1100},
			},
		},
		{
			"one output",
			[]LineSpec{{Name: "lock", Offset: 3, Output: true}},
			[]lineConfigAttribute{
				{attr: lineAttribute{id: attrIDFlags, value: lineFlagOutput}, mask: 1},
				{attr: lineAttribute{id: attrIDOutValues, value: 0}, mask: 1},
			},
		},
		{
			"every bias",
			[]LineSpec{{Offset: 0, Bias: BiasPullDown}, {Offset: 1, Bias: BiasDisable}, {Offset: 2, Bias: BiasPullDown}},
			[]lineConfigAttribute{
				{attr: lineAttribute{id: attrIDFlags, value: in | lineFlagPullDown}, mask: 0b101},
				{attr: lineAttribute{id: attrIDFlags, value: in | lineFlagBiasOff}, mask: 0b010},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, err := buildRequest(tc.specs)
			if err != nil {
				t.Fatal(err)
			}
			if int(req.numLines) != len(tc.specs) {
				t.Errorf("num_lines = %d", req.numLines)
			}
			for i, sp := range tc.specs {
				if req.offsets[i] != uint32(sp.Offset) {
					t.Errorf("offsets[%d] = %d, want %d", i, req.offsets[i], sp.Offset)
				}
			}
			if got := cString(req.consumer[:]); got != consumer {
				t.Errorf("consumer = %q", got)
			}
			if int(req.config.numAttrs) != len(tc.wantAttrs) {
				t.Fatalf("num_attrs = %d, want %d", req.config.numAttrs, len(tc.wantAttrs))
			}
			for i, want := range tc.wantAttrs {
				if got := req.config.attrs[i]; got != want {
					t.Errorf("attrs[%d] = %+v, want %+v", i, got, want)
				}
			}
		})
	}
	if _, err := buildRequest(nil); err == nil {
		t.Error("empty request accepted")
	}
	if _, err := buildRequest(make([]LineSpec, 65)); err == nil {
		t.Error("65 lines accepted")
	}
}

func TestNoSuchChip(t *testing.T) {
	c := testConfig()
	c.Chip = "no-such-chip"
	if _, err := Open(c, Options{}); !errors.Is(err, ErrNoChip) {
		t.Errorf("Open(no-such-chip) = %v, want ErrNoChip", err)
	}
}
