# Benchmarks (included by the main Makefile). See docs/PERFORMANCE.md.
#
#   make bench         install the reference servers and tools, build, run everything on
#                      loopback, print one table (build/bench.txt, build/bench.json)
#   make bench-quick   the same with short runs, no cross builds, no callgrind (~2 min)
#   make bench-tools   only build the client (build/bench/bmcd-bench) and bmcd-syms
#   make bench-callgrind  only the instruction counts per request (valgrind)
#   BENCH_ARGS="--only ipmi,redfish --rounds 3"   passed to tools/bench/run.py
#
# bmcd-bench is built like bmcd (musl-gcc, static) but at -O2, against the same BearSSL
# (build/deps/x86_64); it is never linked into bmcd. build/bench/bmcd-syms is build/bmcd
# linked from the same objects without -s, so that callgrind and perf can name functions.

BENCH_DIR := $(BUILD)/bench
BENCH_BIN := $(BENCH_DIR)/bmcd-bench
BENCH_SRCS := tools/bench/bmcd-bench.c tools/bench/rmcpc.c tools/bench/fastmac.c
BENCH_HDRS := tools/bench/rmcpc.h tools/bench/fastmac.h tools/bench/hist.h
BENCH_DEPS := $(BUILD)/deps/x86_64
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Wshadow -Wno-missing-field-initializers \
	-I$(BENCH_DEPS)/include
BENCH_SYMS := $(BENCH_DIR)/bmcd-syms

# what the benchmark needs, as "command-or-path:debian-package" pairs for tools/need.sh
BENCH_NEED := musl-gcc:musl-tools dpkg-source:dpkg-dev ipmi_sim:openipmi \
	/usr/lib/python3/dist-packages/pyghmi:python3-pyghmi nginx:nginx-light wrk:wrk \
	valgrind:valgrind callgrind_annotate:valgrind openssl:openssl curl:curl \
	ipmitool:ipmitool /usr/bin/python3:python3

.PHONY: bench bench-quick bench-tools bench-deps bench-callgrind

bench-deps:
	@tools/need.sh $(BENCH_NEED)

$(BENCH_BIN): $(BENCH_SRCS) $(BENCH_HDRS) $(BENCH_DEPS)/.done
	@mkdir -p $(dir $@)
	@echo "CC $@"
	@musl-gcc $(BENCH_CFLAGS) -static -o $@ $(BENCH_SRCS) $(BENCH_DEPS)/lib/libbearssl.a

# bmcd with its symbol table (same objects as build/bmcd, same flags except -s)
BENCH_BMCD_OBJS := $(SRCS:%.c=$(BUILD)/obj/%.o)
$(BENCH_SYMS): $(BUILD)/bmcd
	@mkdir -p $(dir $@)
	@musl-gcc -static -Wl,--gc-sections -Wl,--build-id=none -o $@ $(BENCH_BMCD_OBJS) \
		$(BENCH_DEPS)/lib/libbearssl.a $(BENCH_DEPS)/lib/libgpiod.a

bench-tools: $(BENCH_BIN) $(BENCH_SYMS)

# the client and bmcd-syms are x86-64 builds whatever ARCH says; run.py makes the cross
# builds itself (make ARCH=aarch64 / ARCH=armhf) to report their sizes
bench: bench-deps
	@$(MAKE) --no-print-directory ARCH=x86_64 all bench-tools
	@tools/bench/run.sh $(BENCH_ARGS)

bench-quick: bench-deps
	@$(MAKE) --no-print-directory ARCH=x86_64 all bench-tools
	@tools/bench/run.sh --quick $(BENCH_ARGS)

bench-callgrind: bench-deps
	@$(MAKE) --no-print-directory ARCH=x86_64 all bench-tools
	@tools/bench/run.sh --only callgrind $(BENCH_ARGS)
