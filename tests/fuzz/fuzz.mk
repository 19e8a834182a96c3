# libFuzzer harnesses, included by the main Makefile.
#
#   make fuzz-build              build every harness into build/fuzz/
#   make fuzz-corpus             (re)generate the seed corpora under build/fuzz/corpus/
#   make fuzz [FUZZ_SECONDS=20]  build, generate the corpus if missing, run each harness
#                                for FUZZ_SECONDS on a copy of its seeds; fails on any
#                                crash, leak, sanitizer report or timeout
#   make fuzz FUZZ_ONLY="fuzz_http fuzz_json"   a subset
#   make fuzz FUZZ_KNOWN=head-body              harness checks that found a reported, not yet
#                                fixed bug are skipped (ids in the FUZZ_ASSERT message)
#   make fuzz FUZZ_PARALLEL=2    two harnesses at a time
#
# Host clang with libFuzzer + ASan + UBSan (Debian: clang, libclang-rt-14-dev); the
# engines are compiled from source with the harness, BearSSL comes from build/deps/host
# (the plain host build the unit tests use). fuzz_tls links its own BearSSL, compiled with
# coverage instrumentation and without OS randomness (see tests/fuzz/bearssl.sh).
# Crash reproducers land in build/fuzz/crashes/<harness>/; logs in build/fuzz/logs/.

FUZZ_DIR := $(BUILD)/fuzz
FUZZ_CC := clang
FUZZ_SECONDS ?= 20
FUZZ_RSS_MB ?= 2048
FUZZ_TIMEOUT ?= 10
FUZZ_PARALLEL ?= 1
FUZZ_RT := /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
FUZZ_HARNESSES := fuzz_rmcp fuzz_ipmi_session fuzz_sol fuzz_http fuzz_redfish fuzz_json \
	fuzz_tls fuzz_config fuzz_users fuzz_yaml fuzz_kvmd fuzz_ndjson fuzz_msd_kvmd
FUZZ_ONLY ?= $(FUZZ_HARNESSES)
FUZZ_KNOWN ?=
FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -DBMCD_VERSION=\"fuzz\" -g -O1 -fno-omit-frame-pointer \
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-missing-field-initializers -I$(HOSTDEPS)/include
# every engine goes into every harness: the sets change as the engines grow, and code a
# harness never calls costs nothing but link time
FUZZ_ENGINE_SRCS := $(sort $(wildcard proto/*.c proto/redfish/*.c)) tests/unit/fake_host.c
FUZZ_EXTRA_fuzz_config := firmware/config.c firmware/config_hosts.c firmware/users_file.c firmware/textfile.c hal/uart.c
FUZZ_EXTRA_fuzz_users := $(FUZZ_EXTRA_fuzz_config)
FUZZ_EXTRA_fuzz_tls := net/tls.c
FUZZ_EXTRA_fuzz_kvmd := hal/atx_kvmd.c hal/kvmd_http.c
FUZZ_EXTRA_fuzz_msd_kvmd := hal/msd_kvmd.c hal/kvmd_http.c
FUZZ_EXTRA_fuzz_redfish := hal/msd_sim.c
FUZZ_BEARSSL := $(HOSTDEPS)/lib/libbearssl.a
FUZZ_BEARSSL_INSTR := $(FUZZ_DIR)/bearssl/libbearssl.a
FUZZ_BEARSSL_fuzz_tls := $(FUZZ_BEARSSL_INSTR)
FUZZ_BINS := $(FUZZ_HARNESSES:%=$(FUZZ_DIR)/%)

.PHONY: fuzz fuzz-build fuzz-corpus fuzz-deps fuzz-clean

fuzz-deps:
	@tools/need.sh clang:clang $(FUZZ_RT):libclang-rt-14-dev llvm-symbolizer:llvm-14

fuzz-build: fuzz-deps $(FUZZ_BINS)

# textfile.c's 1 MiB buffer per file is served from a reused buffer (see fuzz_files.h)
FUZZ_OBJ_CFLAGS_firmware/textfile.c := -Dmalloc=fuzz_textfile_malloc -Dfree=fuzz_textfile_free

$(FUZZ_DIR)/obj/%.o: %.c | $(HOSTDEPS)/.done
	@mkdir -p $(dir $@)
	@echo "CC (libFuzzer+ASan+UBSan) $<"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) $(FUZZ_OBJ_CFLAGS_$<) -MMD -MP -c $< -o $@

$(FUZZ_BEARSSL_INSTR): tests/fuzz/bearssl.sh | $(HOSTDEPS)/.done
	@tests/fuzz/bearssl.sh $(FUZZ_CC) $(dir $@) $(BUILD)/deps/src $(FUZZ_BEARSSL)

# $(1): harness name
define FUZZ_LINK
$(FUZZ_DIR)/$(1): $(FUZZ_DIR)/obj/tests/fuzz/$(1).o \
		$(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_ENGINE_SRCS) $(FUZZ_EXTRA_$(1))) \
		$(or $(FUZZ_BEARSSL_$(1)),$(FUZZ_BEARSSL))
	@echo "LD $$@"
	@$(FUZZ_CC) $(FUZZ_SAN) -o $$@ $$^
endef
$(foreach h,$(FUZZ_HARNESSES),$(eval $(call FUZZ_LINK,$(h))))

-include $(wildcard $(FUZZ_DIR)/obj/*/*.d $(FUZZ_DIR)/obj/*/*/*.d)

# Seeds: recorded from real clients against build/bmcd when it can be built and the
# clients are installed, constructed by the script otherwise (never a hard failure).
$(FUZZ_DIR)/corpus/.done: tests/fuzz/make_corpus.py | $(FUZZ_BINS)
	-@$(MAKE) --no-print-directory all >/dev/null 2>&1 || \
		echo "fuzz: build/bmcd does not build now; seeds are constructed, not recorded"
	@/usr/bin/python3 tests/fuzz/make_corpus.py --out $(FUZZ_DIR)/corpus \
		--bmcd $(BUILD)/bmcd --fuzz-bin $(FUZZ_DIR)
	@touch $@

fuzz-corpus:
	@rm -f $(FUZZ_DIR)/corpus/.done
	@$(MAKE) --no-print-directory $(FUZZ_DIR)/corpus/.done

fuzz: fuzz-build $(FUZZ_DIR)/corpus/.done
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_PARALLEL=$(FUZZ_PARALLEL) FUZZ_RSS_MB=$(FUZZ_RSS_MB) \
		FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) FUZZ_KNOWN=$(FUZZ_KNOWN) \
		tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_ONLY)

fuzz-clean:
	rm -rf $(FUZZ_DIR)/obj $(FUZZ_DIR)/bearssl $(FUZZ_BINS)
