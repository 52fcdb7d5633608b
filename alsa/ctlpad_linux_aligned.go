//go:build linux && (amd64 || arm || arm64 || riscv64 || loong64)

package alsa

// The value union holds long longs, 8-aligned on these ABIs: 4 bytes of padding after
// the 68-byte id+indirect.
const ctlValuePad = 4
