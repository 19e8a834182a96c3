# bmcd — a tiny static BMC daemon.
#
#   make               build build/bmcd (static, musl, -Os)
#   make run           install what is missing, build, run the demo (simulated host)
#   make test          install test tools, build, run every test stage (tests/all.sh)
#   make check         the quick loop: unit + integration tests against the release build
#   make ARCH=aarch64  cross build (aarch64, armhf) into build/<arch>/bmcd
#
# BearSSL and libgpiod are built once from Debian's source packages into build/deps/<arch>
# by tools/build-deps.sh (Debian's own .a files are glibc builds and do not link with musl).

ARCH ?= x86_64
BUILD := build
DEPS := $(BUILD)/deps/$(ARCH)
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

ifeq ($(ARCH),x86_64)
  CC := musl-gcc
  OUT := $(BUILD)
  CROSS :=
else ifeq ($(ARCH),aarch64)
  CC := $(DEPS)/musl/bin/musl-gcc
  OUT := $(BUILD)/aarch64
  CROSS := aarch64-linux-gnu-
  export REALGCC := aarch64-linux-gnu-gcc
else ifeq ($(ARCH),armhf)
  CC := $(DEPS)/musl/bin/musl-gcc
  OUT := $(BUILD)/armhf
  CROSS := arm-linux-gnueabihf-
  export REALGCC := arm-linux-gnueabihf-gcc
else
  $(error unknown ARCH '$(ARCH)': x86_64, aarch64 or armhf)
endif

SRCS := $(sort $(wildcard firmware/*.c hal/*.c net/*.c proto/*.c proto/redfish/*.c))
OBJS := $(SRCS:%.c=$(OUT)/obj/%.o)
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
# link-time optimisation: the release binaries' code shrinks by about 3 KB (the 400 KiB limit)
LTO := -flto=auto
CFLAGS := -std=c11 -D_GNU_SOURCE -DBMCD_VERSION=\"$(VERSION)\" -Os $(LTO) $(WARN) -Werror \
	-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-ident \
	-I$(DEPS)/include -isystem $(DEPS)/kernel-headers
LDFLAGS := -Os $(LTO) -static -Wl,--gc-sections -Wl,--build-id=none -s
LIBS := $(DEPS)/lib/libbearssl.a $(DEPS)/lib/libgpiod.a

.PHONY: all deps run test check unit integration clean install install-test-deps install-run-deps test-cross test-asan test-valgrind test-fresh

all: $(OUT)/bmcd

$(DEPS)/.done:
	tools/build-deps.sh $(ARCH)

$(OUT)/obj/%.o: %.c | $(DEPS)/.done
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/bmcd: $(OBJS) $(DEPS)/.done
	@$(CC) $(LDFLAGS) -o $@ $(OBJS) $(LIBS)
	@size=$$(stat -c %s $@); echo "built $@: $$size bytes ($$((size / 1024)) KiB, stripped, static)"

-include $(OBJS:.o=.d)

# --- demo --------------------------------------------------------------------------------
# Packages: tools/packages.txt, one list for every stage, installed by tools/need.sh.
install-run-deps:
	@tools/need.sh run

run: install-run-deps $(OUT)/bmcd
	@tools/demo.sh $(OUT)/bmcd configs/demo.conf

# --- tests -------------------------------------------------------------------------------
HOSTDEPS := $(BUILD)/deps/host
UNIT_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer $(WARN) -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all -I$(HOSTDEPS)/include
UNIT_PROTO := $(sort $(wildcard proto/*.c proto/redfish/*.c))
UNIT_TESTS := $(sort $(basename $(notdir $(wildcard tests/unit/test_*.c))))
UNIT_BINS := $(UNIT_TESTS:%=$(BUILD)/tests/unit/%)
# extra sources per unit test (default: the protocol engines with a fake host model)
UNIT_EXTRA_DEFAULT := tests/unit/fake_host.c
UNIT_EXTRA_test_host := firmware/host.c firmware/log.c hal/atx_sim.c
UNIT_EXTRA_test_config := firmware/config.c firmware/config_hosts.c firmware/users_file.c firmware/textfile.c hal/uart.c tests/unit/fake_host.c \
	firmware/switch_hosts.c firmware/log.c firmware/loop.c hal/kvmd_http.c
UNIT_EXTRA_test_redfish := tests/unit/fake_host.c hal/msd_sim.c
UNIT_EXTRA_test_tls := net/tls.c tests/unit/fake_host.c
# extra flags per unit test: Get Device ID's firmware revision comes from the version (the
# other tests keep the config's, which their known-answer vectors were computed with)
UNIT_CFLAGS_test_ipmi_handlers := -DBMCD_VERSION=\"$(VERSION)\"

$(HOSTDEPS)/.done:
	tools/build-deps.sh host

# The engines are compiled once per flavour and linked into every unit test; a test with
# flags of its own (UNIT_CFLAGS_<test>) compiles them again with those flags.
UNIT_OBJS := $(UNIT_PROTO:%.c=$(BUILD)/tests/uobj/%.o)
$(BUILD)/tests/uobj/%.o: %.c | $(HOSTDEPS)/.done
	@mkdir -p $(dir $@)
	@gcc $(UNIT_CFLAGS) -MMD -MP -c $< -o $@
-include $(UNIT_OBJS:.o=.d)
.SECONDARY: $(UNIT_OBJS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(UNIT_OBJS) $(wildcard proto/*.h proto/redfish/*.h firmware/*.h hal/*.h net/*.h tests/unit/*.h tests/unit/*.c) | $(HOSTDEPS)/.done
	@mkdir -p $(dir $@)
	@echo "CC (ASan+UBSan) $@"
	@gcc $(UNIT_CFLAGS) $(UNIT_CFLAGS_$*) -o $@ $< $(if $(UNIT_CFLAGS_$*),$(UNIT_PROTO),$(UNIT_OBJS)) \
		$(or $(UNIT_EXTRA_$*),$(UNIT_EXTRA_DEFAULT)) $(HOSTDEPS)/lib/libbearssl.a

# `make test` installs what the stages it runs need (BMCD_STAGES, default all of them),
# `make check` what the release stage needs.
TEST_STAGES = $(or $(BMCD_STAGES),release asan valgrind armhf aarch64 fuzz)
install-test-deps:
	@tools/need.sh $(TEST_STAGES)

unit: $(UNIT_BINS)

# The virtual-media backends in a small poll loop, driven by tests/integration/test_fake_kvmd_msd.py
MSD_DRIVE_SRCS := proto/kvmd_msd.c proto/ndjson.c proto/httpc.c proto/http.c proto/json.c \
	proto/buf.c proto/parse.c hal/kvmd_http.c hal/msd_kvmd.c hal/msd_sim.c
$(BUILD)/tests/msd_drive: tests/integration/msd_drive.c $(MSD_DRIVE_SRCS) $(wildcard proto/*.h hal/*.h)
	@mkdir -p $(dir $@)
	@echo "CC (ASan+UBSan) $@"
	@gcc $(UNIT_CFLAGS) -o $@ $< $(MSD_DRIVE_SRCS)

# --- bmcd itself under sanitizers and valgrind (glibc host builds) --------------------------
SAN_CFLAGS := -std=c11 -D_GNU_SOURCE -DBMCD_VERSION=\"$(VERSION)\" -g -O1 -fno-omit-frame-pointer \
	$(WARN) -Werror -I$(HOSTDEPS)/include
ALL_HDRS := $(wildcard firmware/*.h hal/*.h net/*.h proto/*.h proto/redfish/*.h)

$(BUILD)/asan/bmcd: $(SRCS) $(ALL_HDRS) | $(HOSTDEPS)/.done
	@mkdir -p $(dir $@)
	@echo "CC (ASan+UBSan) $@"
	@gcc $(SAN_CFLAGS) -fsanitize=address,undefined -fno-sanitize-recover=all -o $@ $(SRCS) \
		$(HOSTDEPS)/lib/libbearssl.a $(HOSTDEPS)/lib/libgpiod.a

$(BUILD)/valgrind/bmcd: $(SRCS) $(ALL_HDRS) | $(HOSTDEPS)/.done
	@mkdir -p $(dir $@)
	@echo "CC (for valgrind) $@"
	@gcc $(SAN_CFLAGS) -o $@ $(SRCS) $(HOSTDEPS)/lib/libbearssl.a $(HOSTDEPS)/lib/libgpiod.a

# The whole integration suite against the ASan+UBSan daemon: any report fails the test
# whose daemon produced it.
test-asan: BMCD_STAGES := asan
test-asan: install-test-deps $(BUILD)/asan/bmcd
	@BMCD=$(BUILD)/asan/bmcd BMCD_SANITIZED=1 BMCD_TESTS=tests/integration \
		BMCD_JUNIT=build/test-asan.xml tests/run.sh

# A short subset under valgrind's memcheck: zero errors, zero leaks.
test-valgrind: BMCD_STAGES := valgrind
test-valgrind: install-test-deps $(BUILD)/valgrind/bmcd
	@BMCD=$(BUILD)/valgrind/bmcd BMCD_VALGRIND=1 BMCD_TESTS="tests/integration/test_smoke.py \
		tests/integration/test_valgrind_subset.py" BMCD_JUNIT=$(or $(BMCD_JUNIT),build/test-valgrind.xml) tests/run.sh

# --- cross builds under qemu-user: unit tests (no sanitizers) and the smoke test ---------
QEMU_x86_64 :=
QEMU_aarch64 := qemu-aarch64-static
QEMU_armhf := qemu-arm-static
CROSS_UNIT := $(UNIT_TESTS:%=$(OUT)/tests/unit/%)
CROSS_UNIT_CFLAGS := -std=c11 -D_GNU_SOURCE -O1 $(WARN) -I$(DEPS)/include -isystem $(DEPS)/kernel-headers

CROSS_OBJS := $(UNIT_PROTO:%.c=$(OUT)/tests/cobj/%.o)
$(OUT)/tests/cobj/%.o: %.c | $(DEPS)/.done
	@mkdir -p $(dir $@)
	@$(CC) $(CROSS_UNIT_CFLAGS) -MMD -MP -c $< -o $@
-include $(CROSS_OBJS:.o=.d)
.SECONDARY: $(CROSS_OBJS)

$(OUT)/tests/unit/%: tests/unit/%.c $(CROSS_OBJS) $(wildcard proto/*.h proto/redfish/*.h firmware/*.h tests/unit/*.h tests/unit/*.c) | $(DEPS)/.done
	@mkdir -p $(dir $@)
	@echo "CC ($(ARCH)) $@"
	@$(CC) $(CROSS_UNIT_CFLAGS) $(UNIT_CFLAGS_$*) -static -o $@ $< \
		$(if $(UNIT_CFLAGS_$*),$(UNIT_PROTO),$(CROSS_OBJS)) \
		$(or $(UNIT_EXTRA_$*),$(UNIT_EXTRA_DEFAULT)) $(DEPS)/lib/libbearssl.a

test-cross:
	@if [ "$(ARCH)" = x86_64 ]; then echo "test-cross needs ARCH=aarch64 or ARCH=armhf"; exit 2; fi
	@tools/need.sh $(ARCH)
	@$(MAKE) --no-print-directory ARCH=$(ARCH) all $(CROSS_UNIT)
	@BMCD_UNIT_DIR=$(OUT)/tests/unit BMCD=$(OUT)/bmcd BMCD_WRAP=$(QEMU_$(ARCH)) \
		BMCD_TESTS="tests/unit/test_binaries.py tests/integration/test_smoke.py" \
		BMCD_JUNIT=$(or $(BMCD_JUNIT),build/test-cross-$(ARCH).xml) tests/run.sh

# Every stage (release, ASan daemon, valgrind, armhf and aarch64 under qemu, fuzz smoke);
# BMCD_STAGES picks some, e.g. BMCD_STAGES=release make test. See tests/all.sh.
test: install-test-deps
	@tests/all.sh

# `make test` from a bare clone on a fresh Debian 12 root (debootstrap, chroot): proves that
# tools/packages.txt is complete. Not part of `make test`; needs root and the Debian mirror.
test-fresh:
	@tools/need.sh fresh
	@tools/fresh.sh

# The quick loop: unit tests and integration tests against the release build only.
check: BMCD_STAGES := release
check: install-test-deps all unit
	@tests/run.sh

# --- install ------------------------------------------------------------------------------
PREFIX ?= /usr
DESTDIR ?=
install: $(OUT)/bmcd
	install -D -m 0755 $(OUT)/bmcd $(DESTDIR)$(PREFIX)/bin/bmcd
	install -D -m 0644 configs/bmcd.conf $(DESTDIR)/etc/bmcd/bmcd.conf.example
	install -D -m 0600 configs/users.example $(DESTDIR)/etc/bmcd/users.example
	install -D -m 0644 configs/systemd/bmcd.service $(DESTDIR)$(PREFIX)/lib/systemd/system/bmcd.service
	install -D -m 0644 configs/systemd/kvmd-ipmi.service $(DESTDIR)$(PREFIX)/lib/systemd/system/kvmd-ipmi.service
	install -D -m 0644 configs/pikvm/redfish.nginx.conf $(DESTDIR)$(PREFIX)/share/bmcd/pikvm/redfish.nginx.conf
	install -D -m 0644 configs/pikvm/override.yaml.example $(DESTDIR)$(PREFIX)/share/bmcd/pikvm/override.yaml.example
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/bmcd/README.md
	@sed -i 's|/usr/bin/bmcd|$(PREFIX)/bin/bmcd|g' $(DESTDIR)$(PREFIX)/lib/systemd/system/bmcd.service \
		$(DESTDIR)$(PREFIX)/lib/systemd/system/kvmd-ipmi.service

# --- release tarball and the PiKVM OS package (packaging/pikvm) ---------------------------
# `make dist`: build/dist/bmcd-$(VERSION).tar.gz, everything needed to `make` (top directory
# bmcd-$(VERSION)/). From a git tree: `git archive HEAD` (committed files only, mtimes = the
# commit's time); elsewhere (e.g. an unpacked tarball): every file but build/ and .git.
# `make package ARCH=armhf|aarch64`: that tarball built into an Arch Linux ARM package
# (armv7h or aarch64) by Debian's makepkg, packaging/pikvm/ (PKGBUILD, build-package.sh):
# build/pkg/<armv7h|aarch64>/bmcd-$(VERSION)-1-<armv7h|aarch64>.pkg.tar.zst
DIST := $(BUILD)/dist/bmcd-$(VERSION).tar.gz
# the commit (or tree) to archive; tests/package passes `git stash create`'s commit when the
# work tree has changes, so the package is built from what the test stage built
DIST_TREE ?= HEAD
.PHONY: dist package test-package
dist:
	@mkdir -p $(BUILD)/dist
	@rm -f $(DIST)
	@if [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$$(pwd -P)" ]; then \
		[ "$(DIST_TREE)" != HEAD ] || git diff --quiet HEAD -- 2>/dev/null || \
			echo "dist: note: uncommitted changes are not in the tarball (git archive HEAD)"; \
		git archive --format=tar.gz --prefix=bmcd-$(VERSION)/ -o $(DIST) $(DIST_TREE); \
	else \
		find . -path ./build -prune -o -path ./.git -prune -o \( -type f -o -type l \) -print | \
			sed 's|^\./||' | LC_ALL=C sort >$(BUILD)/dist/files.txt && \
		tar --owner=0 --group=0 --numeric-owner --transform 's|^|bmcd-$(VERSION)/|' \
			-T $(BUILD)/dist/files.txt -czf $(DIST) && rm -f $(BUILD)/dist/files.txt; \
	fi
	@echo "built $(DIST): $$(tar -tzf $(DIST) | grep -vc '/$$') files"

package: dist
	@tools/need.sh package $(if $(filter x86_64,$(ARCH)),,cross-$(ARCH))
	@packaging/pikvm/build-package.sh $(ARCH) $(DIST)

# The package for one ARM build, checked with pacman (tests/package): reuses that build's
# dependencies and objects, so run after test-cross (the armhf and aarch64 stages do).
test-package:
	@if [ "$(ARCH)" = x86_64 ]; then echo "test-package needs ARCH=aarch64 or ARCH=armhf"; exit 2; fi
	@tools/need.sh package $(ARCH)
	@$(MAKE) --no-print-directory ARCH=$(ARCH) all
	@BMCD_ARCH=$(ARCH) BMCD_TESTS=tests/package \
		BMCD_JUNIT=$(or $(BMCD_JUNIT),build/test-package-$(ARCH).xml) tests/run.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/bmcd $(BUILD)/tests $(BUILD)/aarch64 $(BUILD)/armhf

distclean:
	rm -rf $(BUILD)

# --- fuzzing (tests/fuzz/fuzz.mk) and benchmarks (tools/bench/bench.mk) -------------------
-include tests/fuzz/fuzz.mk
-include tools/bench/bench.mk
