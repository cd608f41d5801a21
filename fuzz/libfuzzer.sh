#!/bin/bash
# Builds one fuzz target with clang + libFuzzer (+ ASan) in build-fuzz/
# (configured by scripts/fuzz-ci) and runs it in the foreground:
# fuzz/libfuzzer.sh <target> [seconds]. Targets: build-fuzz/fuzz/targets.txt
# (RAPID_FUZZ_TARGETS in fuzz/CMakeLists.txt). scripts/fuzz-ci runs them all.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
target=${1:?target name}
seconds=${2:-60}
scripts/fuzz-ci --configure
ninja -C build-fuzz "fuzz_$target"
mkdir -p "build-fuzz/corpus-$target"
exec "build-fuzz/fuzz/fuzz_$target" -max_total_time="$seconds" "build-fuzz/corpus-$target" "fuzz/corpus/$target"
