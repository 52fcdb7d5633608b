################################################################################
#
# intercom
#
################################################################################

# Built from the checkout this external tree lives in, so a Buildroot image always carries
# the code next to it.
INTERCOM_VERSION = local
INTERCOM_SITE = $(BR2_EXTERNAL_INTERCOM_PATH)/..
INTERCOM_SITE_METHOD = local
INTERCOM_GOMOD = github.com/doorsip/intercom
INTERCOM_BUILD_TARGETS = cmd/intercom
INTERCOM_OVERRIDE_SRCDIR_RSYNC_EXCLUSIONS = \
	--exclude bin --exclude dist --exclude image/out --exclude hwtest/.cache

# Static and cgo-free whatever the toolchain: the same binary as `make cross`.
INTERCOM_GO_ENV = CGO_ENABLED=0
INTERCOM_LDFLAGS = -s -w -X main.version=$(INTERCOM_VERSION)
# The product's build tags, one list for every build (scripts/buildtags).
INTERCOM_TAGS = $(shell sed 's/\#.*//' $(BR2_EXTERNAL_INTERCOM_PATH)/../scripts/buildtags)

# A local source is rsynced, not downloaded, so the Go download post-process that vendors the
# modules never runs for it; vendor before configuring instead (host-go is built by then).
# This step needs the Go module proxy or a filled module cache: INTERCOM_GOPROXY overrides
# the toolchain's default proxy.
define INTERCOM_VENDOR_MODULES
	cd $(@D) && $(HOST_GO_COMMON_ENV) GOFLAGS=-mod=mod \
		GOPROXY="$${INTERCOM_GOPROXY:-$$(GOPROXY= GOROOT=$(HOST_GO_ROOT) $(GO_BIN) env GOPROXY)}" \
		$(GO_BIN) mod vendor
endef
INTERCOM_PRE_CONFIGURE_HOOKS += INTERCOM_VENDOR_MODULES

# Account the unit runs as; audio and gpio match its SupplementaryGroups= (gpio is created).
define INTERCOM_USERS
	intercom -1 intercom -1 * /var/lib/intercom - audio,gpio SIP door intercom
endef

define INTERCOM_INSTALL_INIT_SYSTEMD
	$(INSTALL) -D -m 0644 $(@D)/systemd/intercom.service \
		$(TARGET_DIR)/usr/lib/systemd/system/intercom.service
	$(INSTALL) -D -m 0644 $(@D)/systemd/60-intercom-gpio.rules \
		$(TARGET_DIR)/usr/lib/udev/rules.d/60-intercom-gpio.rules
	$(INSTALL) -D -m 0644 $(@D)/systemd/hardware-watchdog.conf \
		$(TARGET_DIR)/usr/lib/systemd/system.conf.d/60-hardware-watchdog.conf
endef

$(eval $(golang-package))
