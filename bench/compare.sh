#!/bin/bash
# The old entry point, kept for docs and habits: the side-by-side part of
# bench/run (no large-cluster runs). See bench/README.md.
#
#   bench/compare.sh [seconds-per-cell] [concurrency...]   # default: 5 s, 1 and 16
set -euo pipefail
seconds=${1:-5}
shift || true
connections=$(IFS=,; echo "${*:-1,16}")
exec "$(dirname "$(readlink -f "$0")")/run" --seconds "$seconds" --connections "${connections// /,}" --sizes ''
