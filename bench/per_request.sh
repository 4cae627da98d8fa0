#!/usr/bin/env bash
# Syscalls and instructions per request of respd (--threads 1) and redis-server under
# redis-benchmark: perf tracepoints (or strace -c) over one run, then callgrind's instruction count (user space) over
# another. Counts, unlike throughput, hardly move when the machine is busy, so this is the figure
# to compare while other work runs beside it.
# Usage: bench/per_request.sh [--requests N] [--clients C] [--pipeline P] [--test set|get]
#                             [--respd PATH] [--redis PATH] [--only respd|redis]
set -euo pipefail
cd "$(dirname "$0")/.."

requests=20000
clients=1
pipeline=1
test_name=set
respd_bin="${RESPD_BIN:-build/respd}"
redis_bin="${REDIS_BIN:-$(command -v redis-server || true)}"
only=""
while (($#)); do
  case "$1" in
    --requests) requests="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --pipeline) pipeline="$2"; shift 2 ;;
    --test) test_name="$2"; shift 2 ;;
    --respd) respd_bin="$2"; shift 2 ;;
    --redis) redis_bin="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for tool in "$redis_bin" "$respd_bin" redis-benchmark redis-cli strace valgrind callgrind_control; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
respd_bin="$(realpath -s "$(command -v "$respd_bin")")"
redis_bin="$(realpath -s "$(command -v "$redis_bin")")"

work_dir="$(mktemp -d /tmp/respd-per-request.XXXXXX)"
source bench/lib.sh
server_pid=""
valgrind_prefix=()

start() {
  local port="$2"
  case "$1" in
    respd) "${valgrind_prefix[@]}" "$respd_bin" --port "$port" --bind 127.0.0.1 --threads 1 --save '' >"$work_dir/log" 2>&1 & ;;
    redis) (cd "$work_dir" && exec "${valgrind_prefix[@]}" "$redis_bin" --port "$port" --bind 127.0.0.1 --save '' \
              --appendonly no >"$work_dir/log" 2>&1) & ;;
  esac
  server_pid=$!
  pids+=("$server_pid")
  wait_for_pong "$port" 400 && return 0
  echo "$1 did not start" >&2
  exit 1
}

stop_server() {
  stop_pid "$server_pid"
  forget_pid "$server_pid"
  server_pid=""
}

bench() {
  timeout 300 redis-benchmark -p "$1" -t "$test_name" -n "$requests" -c "$clients" -P "$pipeline" \
    -r 100000 -d 32 -q >/dev/null
}

measure() {
  local name="$1" port
  port="$(free_port)"
  start "$name" "$port"
  bench "$port"  # warm up: keys exist, buffers are sized
  local calls detail
  if ((use_perf)); then
    # Tracepoints count without slowing the server; strace does, which lets a read that a fast
    # server would find empty find the next request already there.
    perf stat -x, -e "$perf_events" -p "$server_pid" -o "$work_dir/perf" 2>/dev/null &
    local tracer=$!
    sleep 0.5
    bench "$port"
    kill -INT "$tracer"
    wait "$tracer" 2>/dev/null || true
    calls="$(awk -F, '$3 == "raw_syscalls:sys_enter" {print $1 + 0}' "$work_dir/perf")"
    detail="$(awk -F, '$3 ~ /^syscalls:sys_enter_/ && $1 > 0 {
                         sub("syscalls:sys_enter_", "", $3); printf "%s=%.2f ", $3, $1 / '"$requests"' }' \
                "$work_dir/perf")"
  else
    strace -c -f -p "$server_pid" -o "$work_dir/strace" 2>/dev/null &
    local tracer=$!
    sleep 0.5
    bench "$port"
    kill -INT "$tracer"
    wait "$tracer" 2>/dev/null || true
    calls="$(awk '$NF == "total" {print $4 + 0}' "$work_dir/strace")"
    detail="$(awk 'NR > 2 && $1 ~ /^[0-9.]+$/ && $NF != "total" {
                     n = $4; printf "%s=%.2f ", $NF, n / '"$requests"' }' "$work_dir/strace")"
  fi
  stop_server
  # Instructions: the same run under callgrind, counted from the warm-up's end to the run's.
  port="$(free_port)"
  valgrind_prefix=(valgrind --tool=callgrind --callgrind-out-file="$work_dir/callgrind.%p")
  start "$name" "$port"
  bench "$port"
  callgrind_control -z "$server_pid" >/dev/null 2>&1
  bench "$port"
  callgrind_control -d "$server_pid" >/dev/null 2>&1
  local instructions
  instructions="$(cat "$work_dir"/callgrind.*.[0-9]* 2>/dev/null | awk '/^totals:/ {t = $2} END {print t + 0}')"
  valgrind_prefix=()
  stop_server
  awk -v n="$name" -v c="$calls" -v i="$instructions" -v r="$requests" -v d="$detail" \
    'BEGIN { printf "%-6s syscalls/req %.2f  instructions/req %.0f  [%s]\n", n, c / r, i / r, d }'
}

perf_events="raw_syscalls:sys_enter"
for call in read recvfrom recvmsg write sendto epoll_wait epoll_ctl; do
  perf_events+=",syscalls:sys_enter_$call"
done
use_perf=0
if command -v perf >/dev/null && perf stat -e "$perf_events" true >/dev/null 2>&1; then
  use_perf=1
fi
echo "test=$test_name requests=$requests clients=$clients pipeline=$pipeline" \
  "syscalls counted by $( ((use_perf)) && echo "perf tracepoints" || echo strace)"
for name in respd redis; do
  [[ -n "$only" && "$only" != "$name" ]] && continue
  measure "$name"
done
