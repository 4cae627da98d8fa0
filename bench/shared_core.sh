#!/usr/bin/env bash
# The cases test suites live in, respd (--threads 1) against redis-server side by side, alternating
# runs: SET/GET at -P 1 with
#   one-core     one client, server and client pinned to the same core;
#   shared       one client, server, client and a CPU-bound neighbour sharing two cores;
#   split-c1     one client, server and client on separate cores, with server CPU per op;
#   split-c50    50 clients, the same.
# Prints medians and the ratio respd/redis. See bench/README.md.
#
# Usage: bench/shared_core.sh [--runs N] [--requests N] [--respd PATH] [--redis PATH] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
requests=50000
respd_bin="${RESPD_BIN:-build/respd}"
redis_bin="${REDIS_BIN:-$(command -v redis-server || true)}"
out=""
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --respd) respd_bin="$2"; shift 2 ;;
    --redis) redis_bin="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for tool in "$redis_bin" "$respd_bin" redis-benchmark redis-cli taskset python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (run .ci/setup --test)" >&2; exit 1; }
done
if (($(nproc) < 2)); then
  echo "shared_core.sh needs two CPUs" >&2
  exit 1
fi
respd_bin="$(realpath -s "$(command -v "$respd_bin")")"
redis_bin="$(realpath -s "$(command -v "$redis_bin")")"

readonly step_timeout=300
readonly clk_tck="$(getconf CLK_TCK)"
work_dir="$(mktemp -d /tmp/respd-shared.XXXXXX)"
source bench/lib.sh
declare -A pid_of=() port_of=()

start_server() {
  local name="$1" port
  port="$(free_port)"
  case "$name" in
    respd) "$respd_bin" --port "$port" --bind 127.0.0.1 --threads 1 --save '' >"$work_dir/$name.log" 2>&1 & ;;
    redis) (cd "$work_dir" && exec "$redis_bin" --port "$port" --bind 127.0.0.1 --save '' \
             --appendonly no --daemonize no >"$work_dir/$name.log" 2>&1) & ;;
  esac
  pid_of[$name]=$!
  pids+=("$!")
  port_of[$name]="$port"
  wait_for_pong "$port" && return 0
  echo "could not start $name; see $work_dir/$name.log" >&2
  exit 1
}

# A CPU-bound neighbour (a build, another service) on the given CPUs, started per measurement.
neighbour_pid=""
start_neighbour() {
  taskset -c "$1" python3 -c 'while True: pass' &
  neighbour_pid=$!
  pids+=("$neighbour_pid")
}
stop_neighbour() {
  [[ -n "$neighbour_pid" ]] || return 0
  stop_pid "$neighbour_pid"
  forget_pid "$neighbour_pid"
  neighbour_pid=""
}

results="$work_dir/results.tsv"  # server<TAB>measure<TAB>value
: >"$results"

# Each case: name|server CPUs|client CPUs|neighbour CPUs (empty: none)|clients
cases=("one-core, 1 client|0|0||1"
       "2 cores + busy neighbour, 1 client|0,1|0,1|0,1|1"
       "split cores, 1 client|0|1||1"
       "split cores, 50 clients|0|1||50")

echo "respd: $respd_bin"
echo "redis: $redis_bin ($("$redis_bin" --version | head -1))"
echo "$runs alternating runs, $requests requests per SET and GET"
for name in redis respd; do start_server "$name"; done

for ((run = 1; run <= runs; run++)); do
  order=(redis respd)
  ((run % 2 == 0)) && order=(respd redis)
  for entry in "${cases[@]}"; do
    IFS='|' read -r label server_cpus client_cpus neighbour_cpus clients <<<"$entry"
    for name in "${order[@]}"; do
      taskset -apc "$server_cpus" "${pid_of[$name]}" >/dev/null
      [[ -n "$neighbour_cpus" ]] && start_neighbour "$neighbour_cpus"
      before="$(cpu_ticks "${pid_of[$name]}")"
      lines="$(timeout "$step_timeout" taskset -c "$client_cpus" redis-benchmark -h 127.0.0.1 \
        -p "${port_of[$name]}" -c "$clients" -P 1 -t set,get -r 100000 -d 32 -n "$requests" -q --csv |
        awk -F, 'NR > 1 {gsub(/"/, ""); print $1 "," $2}')"
      after="$(cpu_ticks "${pid_of[$name]}")"
      stop_neighbour
      while IFS=, read -r test rps; do
        [[ -n "$test" ]] && record "$name" "$test ops/s, $label" "$rps"
      done <<<"$lines"
      if [[ -z "$neighbour_cpus" && "$server_cpus" != "$client_cpus" ]]; then
        record "$name" "server CPU us/op, $label" \
          "$(awk -v t=$((after - before)) -v hz="$clk_tck" -v n=$((2 * requests)) \
            'BEGIN {printf "%.3f", t / hz * 1e6 / n}')"
      fi
    done
  done
  echo "run $run/$runs done"
done

table() {
  PYTHONPATH=bench python3 - "$results" <<'EOF'
import statistics, sys
import results
values, order = results.load(sys.argv[1])
print(f"{'measure (median; min-max of ratio per run)':52} {'redis':>10} {'respd':>10} {'ratio':>7} {'spread':>12}")
for m in order:
    r, s = values[("redis", m)], values[("respd", m)]
    if not r or not s:
        continue
    ratios = [b / a for a, b in zip(r, s) if a]
    fmt = lambda v: f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}"
    spread = f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios else "-"
    print(f"{m:52} {fmt(statistics.median(r)):>10} {fmt(statistics.median(s)):>10} "
          f"{statistics.median(s) / statistics.median(r):>6.2f}x {spread:>12}")
EOF
}
echo
if [[ -n "$out" ]]; then
  mkdir -p "$(dirname "$out")"
  table | tee "$out"
else
  table
fi
