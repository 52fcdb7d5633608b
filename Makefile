# The intercom's one entry point for building, testing and shipping. `make help` lists targets.
SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# The product's build tags (scripts/buildtags, also read by the bench, the virtual board and
# Buildroot); exported through GOFLAGS so the tests, vet and the harnesses make runs see them.
GOTAGS := $(shell sed 's/\#.*//' scripts/buildtags | xargs | tr ' ' ,)
export GOFLAGS += -tags=$(GOTAGS)
BUILDFLAGS := -trimpath -tags=$(GOTAGS) -ldflags '$(LDFLAGS)'
FUZZTIME ?= 60s
PI ?=

.PHONY: help build cross check shellcheck test unit fuzz-smoke qemu-user demo deploy vboard hwtest bench bench-smoke acoustics acoustics-smoke fuzz soak image image-test image-test-board image-raspi-test image-deps deps fmt vet clean

help: ## list every target
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/intercom for this machine
	CGO_ENABLED=0 $(GO) build $(BUILDFLAGS) -o bin/intercom ./cmd/intercom

# GOARCH (and GOARM) of each board binary in dist/.
goenv_armv6 := GOARCH=arm GOARM=6
goenv_armv7 := GOARCH=arm GOARM=7
goenv_arm64 := GOARCH=arm64
goenv_amd64 := GOARCH=amd64

# One board's binary: `make dist/intercom-linux-arm64`. Always handed to go build, which knows
# what is up to date.
dist/intercom-linux-%: FORCE
	@test -n "$(goenv_$*)" || { echo "no board architecture $*"; exit 2; }
	@mkdir -p dist
	CGO_ENABLED=0 GOOS=linux $(goenv_$*) $(GO) build $(BUILDFLAGS) -o $@ ./cmd/intercom

FORCE:

cross: dist/intercom-linux-armv6 dist/intercom-linux-armv7 dist/intercom-linux-arm64 dist/intercom-linux-amd64 ## static, stripped, version-stamped binaries for the boards into dist/
	@file dist/* | sed 's/, Go BuildID=[^,]*//'
	qemu-arm-static dist/intercom-linux-armv6 version
	qemu-arm-static dist/intercom-linux-armv7 version
	qemu-aarch64-static dist/intercom-linux-arm64 version

fmt: ## gofmt -l: fails when a file is not formatted
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi

vet: ## go vet
	$(GO) vet ./...

check: fmt vet shellcheck ## what to run before you stop: gofmt, vet, shellcheck, race tests, cross-builds
	$(GO) test -race -count=1 ./...
	$(MAKE) cross

shellcheck: ## shellcheck every tracked shell script
	git ls-files -z '*.sh' | xargs -0 shellcheck

deps: ## install the apt packages and Go modules the tests use (root)
	scripts/deps.sh

unit: ## go test ./... with the real peers required
	INTERCOM_REQUIRE_PEERS=1 $(GO) test -count=1 ./...

fuzz-smoke: ## every fuzz target for 3 s
	FUZZTIME=3s scripts/fuzz.sh

qemu-user: ## alsa/ and media/ unit tests under qemu-user (arm v6, v7, arm64)
	scripts/qemu-user.sh

test: deps vet unit fuzz-smoke qemu-user cross bench-smoke acoustics-smoke vboard ## everything CI runs (installs its own deps)
	@echo "make test: all passed"

demo: build ## two intercoms on loopback: bell, ring, tones both ways, DTMF opens the door
	bin/intercom demo

vboard: ## hardware-in-the-loop on the virtual board (QEMU: snd-aloop, gpio-sim), x86_64 + arm64 + armhf (GOARM=7, and 6 for the scenario)
	@if [ -x hwtest/vboard/run-all.sh ]; then hwtest/vboard/run-all.sh; else echo "vboard: hwtest/vboard/run-all.sh not present yet"; fi

hwtest: ## run the real-board tests on a Raspberry Pi over SSH: make hwtest PI=host
	@test -n "$(PI)" || { echo "hwtest: set PI=host (the board's SSH address)"; exit 2; }
	hwtest/board.sh $(PI)

deploy: ## build the board's binary, copy it, config (if absent) and unit to it and restart: make deploy PI=host
	@test -n "$(PI)" || { echo "deploy: set PI=host (the board's SSH address)"; exit 2; }
	DEPLOY_BUILD="$(MAKE) -C $(CURDIR)" systemd/deploy.sh $(PI)

fuzz: ## every fuzz target for FUZZTIME (default 60s; FUZZTIME=10m for a long run)
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

soak: build ## 1000+ calls, re-registrations, floods, SIGKILLs, network faults (about 25 min; root)
	INTERCOM_SOAK=1 INTERCOM_REQUIRE_PEERS=1 $(GO) test -count=1 -timeout 60m -v \
		-run 'TestSoakCalls|TestUnknownCallerFlood|TestEventLogSIGKILL|TestNetworkFaults' ./reliability/

bench: cross ## side-by-side figures against baresip in one run: bench/results/latest.md
	$(GO) run ./bench

bench-smoke: build ## a 10-second run of the bench harness (part of make test)
	$(GO) run ./bench -smoke -intercom bin/intercom

acoustics: ## hands-free acoustics (echo, noise, double talk) beside speexdsp: bench/results/acoustics.md
	$(GO) run ./bench/acoustics

acoustics-smoke: ## a short run of the acoustics benchmark (part of make test)
	INTERCOM_REQUIRE_PEERS=1 $(GO) run ./bench/acoustics -smoke -min-erle 10

image-deps: ## install what make image and make image-test use (mmdebstrap, arch-test, mtools, ...)
	image/deps.sh

# The image's board: pi4 (Pi 3/4, arm64) or pi0 (Pi Zero / Zero W / 1, ARMv6, armel).
BOARD ?= pi4

image: image-deps cross ## SD-card image from Debian packages (image/out/): BOARD=pi4 (Pi 3/4, arm64, default) or pi0 (Zero/1, armel)
	BOARD=$(BOARD) image/build.sh

image-test: image-test-board image ## boot the arm64 image's root fs under QEMU -M virt and check the intercom registers
	image/test.sh

# Before building anything: the pi0 image's kernel (Debian's rpi flavour) runs only on a BCM2835.
image-test-board:
	@test "$(BOARD)" = pi4 || { echo "image-test: BOARD=pi4 only (the pi0 kernel boots only on a BCM2835: make image-raspi-test BOARD=pi0)"; exit 2; }

image-raspi-test: image ## boot the image's kernel and Pi device tree under QEMU's raspi3b (BOARD=pi4) or raspi0 (BOARD=pi0)
	BOARD=$(BOARD) image/raspi-test.sh

clean: ## remove build outputs
	rm -rf bin dist
