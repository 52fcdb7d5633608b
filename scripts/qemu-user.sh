#!/usr/bin/env bash
# Runs the unit tests of the packages whose struct layouts and integer sizes differ per
# architecture under qemu-user: 32-bit arm (ARMv6 and ARMv7) and arm64.
set -euo pipefail
# gpio/ for its GPIO v2 structs; internal/audio/ for its sample and time arithmetic (a
# 32-bit int overflow in a test showed first on the armhf virtual board).
pkgs=(./alsa/... ./media/... ./gpio/... ./internal/audio/...)
export CGO_ENABLED=0
GOARCH=arm GOARM=6 go test -count=1 -exec qemu-arm-static "${pkgs[@]}"
GOARCH=arm GOARM=7 go test -count=1 -exec qemu-arm-static "${pkgs[@]}"
GOARCH=arm64 go test -count=1 -exec qemu-aarch64-static "${pkgs[@]}"
