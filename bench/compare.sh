#!/bin/bash
# Throughput and latency of rapid next to the real ganeti-rapi 3.0.2, on
# the same sandbox cluster, same luxid, same TLS certificate and users,
# reported as ratios. Needs: the sandbox up (scripts/ganeti-sandbox up), rapid
# built (scripts/build rapid), wrk.
#
#   bench/compare.sh [seconds-per-run] [concurrency...]
#
# The real daemon is measured inside the sandbox's network namespace (it
# listens there on 127.0.0.1:5080); rapid listens on the host's loopback.
# Both are reached directly, without the socat forward. The original closes
# every connection, so rapid is measured twice: with keep-alive (how a
# modern client uses it) and with "Connection: close" (one TCP+TLS
# handshake per request, like the original).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
seconds=${1:-5}
shift || true
concurrency=("${@:-1 16}")
read -r -a concurrency <<<"${concurrency[*]}"
command -v wrk >/dev/null || apt-get install -y -qq --no-install-recommends wrk >/dev/null

rapid=${RAPID_BINARY:-$PWD/${RAPID_BUILD_DIR:-build}/src/app/rapid}
port=${RAPID_BENCH_PORT:-15181}
work=$(mktemp -d /tmp/rapid-bench-XXXXXX)
auth="Authorization: Basic $(printf %s admin:adminpass | base64)"
scripts/ganeti-sandbox status >/dev/null || { echo "sandbox not up: scripts/ganeti-sandbox up" >&2; exit 1; }

scripts/ganeti-sandbox uts "$rapid" -f --no-user-check --require-authentication -b 127.0.0.1 -p "$port" \
  --pid-file "$work/rapid.pid" --log-file "$work/rapid.log" 2>/dev/null &
rapid_pid=$!
trap 'kill $rapid_pid 2>/dev/null; wait $rapid_pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sk -o /dev/null "https://127.0.0.1:$port/version" && break; sleep 0.1; done

# wrk's "Requests/sec" and the 50% latency, as "<req/s> <p50 ms>".
measure() {
  local output
  output=$("$@" 2>&1) || { echo "0 0"; return; }
  awk '/Requests\/sec/ {rps=$2}
       /^ +50%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p50=v}
       END {printf "%s %s\n", rps, p50}' <<<"$output"
}

paths=(/version /2/info /2/instances /2/instances/inst1.example.com "/2/instances?bulk=1")
printf '| request | c | real req/s (p50 ms) | rapid keep-alive req/s (p50) | ratio | rapid close req/s (p50) | ratio |\n'
printf '|---|---|---|---|---|---|---|\n'
for path in "${paths[@]}"; do
  for c in "${concurrency[@]}"; do
    threads=$(( c < 2 ? 1 : 2 ))
    read -r real_rps real_p50 < <(measure scripts/ganeti-sandbox exec wrk -t1 -c"$c" -d"${seconds}s" --latency -H "$auth" "https://127.0.0.1:5080$path")
    read -r ka_rps ka_p50 < <(measure wrk -t"$threads" -c"$c" -d"${seconds}s" --latency -H "$auth" "https://127.0.0.1:$port$path")
    read -r cl_rps cl_p50 < <(measure wrk -t"$threads" -c"$c" -d"${seconds}s" --latency -H "$auth" -H "Connection: close" "https://127.0.0.1:$port$path")
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "n/a" }'; }
    printf '| GET %s | %s | %s (%s) | %s (%s) | %s | %s (%s) | %s |\n' "$path" "$c" \
      "$real_rps" "$real_p50" "$ka_rps" "$ka_p50" "$(ratio "$ka_rps" "$real_rps")" \
      "$cl_rps" "$cl_p50" "$(ratio "$cl_rps" "$real_rps")"
  done
done
echo
echo "rapid RSS after the runs: $(awk '/VmRSS/ {print $2 " kB"}' "/proc/$(cat "$work/rapid.pid")/status" 2>/dev/null || echo n/a)"
