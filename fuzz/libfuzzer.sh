#!/bin/bash
# Builds the fuzz targets with clang + libFuzzer (+ ASan) in
# build-fuzz/ and runs one of them: fuzz/libfuzzer.sh <target> [seconds].
# Targets: users_file authorization query_args json fill_opcode request.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
target=${1:?target name}
seconds=${2:-60}
if [ ! -f build-fuzz/build.ninja ]; then
  # ASan only: clang 14 cannot compile our coroutines with UBSan ("Cannot
  # represent a difference across sections"); Release with line tables.
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DRAPID_LIBFUZZER=ON -DRAPID_BUILD_TESTS=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address -gline-tables-only" >/dev/null
fi
ninja -C build-fuzz "fuzz_$target"
mkdir -p "build-fuzz/corpus-$target"
exec "build-fuzz/fuzz/fuzz_$target" -max_total_time="$seconds" "build-fuzz/corpus-$target" "fuzz/corpus/$target"
