#!/bin/sh
# Builds the BearSSL that fuzz_tls links: the same Debian source tools/build-deps.sh
# unpacked under build/deps/src, compiled with clang's coverage instrumentation
# (-fsanitize=fuzzer-no-link) so libFuzzer sees which TLS paths an input reaches, and
# with ASan. OS randomness is compiled out (BR_USE_URANDOM=0, BR_RDRAND=0): the engine
# then runs only on the entropy net/tls.c injects from its HMAC-DRBG, which the harness
# restores before every input, so the server's randoms and ECDHE keys are the same on
# every run and a recorded client flight replays into a complete handshake.
#
# Usage: tests/fuzz/bearssl.sh CC OUTDIR DEPS_SRC_DIR FALLBACK_LIB
# Without the source tree it copies FALLBACK_LIB (uninstrumented, OS-seeded) and says so.
set -eu
cc=$1 out=$2 srcroot=$3 fallback=$4
src=$(ls -d "$srcroot"/bearssl-*/ 2>/dev/null | head -n1 || true)
mkdir -p "$out"
if [ -z "$src" ] || [ ! -d "$src/src" ]; then
  echo "fuzz: no BearSSL source under $srcroot; fuzz_tls uses $fallback (no coverage" \
       "feedback inside BearSSL, OS-seeded randomness)" >&2
  cp "$fallback" "$out/libbearssl.a"
  exit 0
fi
echo "CC (coverage+ASan) BearSSL from $src"
obj="$out/obj"
rm -rf "$obj"
mkdir -p "$obj"
export cc obj src
# one object per source file, named after its path (two files may share a base name)
find "$src/src" -name '*.c' | sort | xargs -P "$(nproc)" -n 8 sh -c '
  for f; do
    o="$obj/$(echo "${f#"$src"/src/}" | tr / _ | sed "s/\.c$/.o/")"
    $cc -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address \
        -DBR_USE_URANDOM=0 -DBR_RDRAND=0 -I"$src/inc" -I"$src/src" -c "$f" -o "$o" || exit 255
  done' sh
rm -f "$out/libbearssl.a"
ar rcs "$out/libbearssl.a" "$obj"/*.o
rm -rf "$obj"
