# bmcd — a tiny static BMC daemon.
#
#   make               build build/bmcd (static, musl, -Os)
#   make run           install what is missing, build, run the demo (simulated host)
#   make test          install test tools, build, run unit + integration tests
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

SRCS := $(sort $(wildcard firmware/*.c hal/*.c net/*.c proto/*.c))
OBJS := $(SRCS:%.c=$(OUT)/obj/%.o)
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers
CFLAGS := -std=c11 -D_GNU_SOURCE -DBMCD_VERSION=\"$(VERSION)\" -Os $(WARN) -Werror \
	-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-ident \
	-I$(DEPS)/include -isystem $(DEPS)/kernel-headers
LDFLAGS := -static -Wl,--gc-sections -Wl,--build-id=none -s
LIBS := $(DEPS)/lib/libbearssl.a $(DEPS)/lib/libgpiod.a

.PHONY: all deps run test unit integration clean install-test-deps install-run-deps

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
install-run-deps:
	@tools/need.sh musl-gcc:musl-tools ipmitool:ipmitool dpkg-source:dpkg-dev

run: install-run-deps $(OUT)/bmcd
	@tools/demo.sh $(OUT)/bmcd configs/demo.conf

# --- tests -------------------------------------------------------------------------------
HOSTDEPS := $(BUILD)/deps/host
UNIT_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer $(WARN) -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all -I$(HOSTDEPS)/include
UNIT_PROTO := $(sort $(wildcard proto/*.c))
UNIT_TESTS := $(sort $(basename $(notdir $(wildcard tests/unit/test_*.c))))
UNIT_BINS := $(UNIT_TESTS:%=$(BUILD)/tests/unit/%)
# extra sources per unit test (default: the protocol engines with a fake host model)
UNIT_EXTRA_DEFAULT := tests/unit/fake_host.c
UNIT_EXTRA_test_host := firmware/host.c firmware/log.c hal/atx_sim.c
UNIT_EXTRA_test_config := firmware/config.c firmware/users_file.c firmware/textfile.c hal/uart.c tests/unit/fake_host.c
UNIT_EXTRA_test_tls := net/tls.c tests/unit/fake_host.c

$(HOSTDEPS)/.done:
	tools/build-deps.sh host

$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/testlib.h $(UNIT_PROTO) $(wildcard proto/*.h firmware/*.h tests/unit/*.c) | $(HOSTDEPS)/.done
	@mkdir -p $(dir $@)
	@echo "CC (ASan+UBSan) $@"
	@gcc $(UNIT_CFLAGS) -o $@ $< $(UNIT_PROTO) $(or $(UNIT_EXTRA_$*),$(UNIT_EXTRA_DEFAULT)) \
		$(HOSTDEPS)/lib/libbearssl.a

install-test-deps:
	@tools/need.sh musl-gcc:musl-tools dpkg-source:dpkg-dev ipmitool:ipmitool \
		ipmipower:freeipmi-tools /usr/lib/python3/dist-packages/pyghmi:python3-pyghmi \
		socat:socat file:file /usr/lib/python3/dist-packages/pytest:python3-pytest

unit: $(UNIT_BINS)

test: install-test-deps all unit
	@tests/run.sh

clean:
	rm -rf $(BUILD)/obj $(BUILD)/bmcd $(BUILD)/tests $(BUILD)/aarch64 $(BUILD)/armhf

distclean:
	rm -rf $(BUILD)
