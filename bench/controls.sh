#!/usr/bin/env bash
# What the RESPD test controls cost: respd alone (--threads 1) with every control off, with the
# journal on, and with one fault rule that matches none of the benchmark's commands; optionally a
# baseline respd binary (one built before the controls) with its defaults. SET and GET at -P 1 and
# -P 16, alternating runs, medians, and each mode's ratio to "off". See bench/README.md.
#
# Usage: bench/controls.sh [--runs N] [--requests N] [--respd PATH] [--baseline PATH]
#                          [--server-cpu C] [--client-cpu C] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
requests=200000
respd_bin="${RESPD_BIN:-build/respd}"
baseline_bin=""
server_cpu=0
client_cpu=1
out=""
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --respd) respd_bin="$2"; shift 2 ;;
    --baseline) baseline_bin="$2"; shift 2 ;;
    --server-cpu) server_cpu="$2"; shift 2 ;;
    --client-cpu) client_cpu="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
for tool in "$respd_bin" ${baseline_bin:+"$baseline_bin"} redis-benchmark redis-cli taskset python3; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (run .ci/setup --test)" >&2; exit 1; }
done
respd_bin="$(realpath "$(command -v "$respd_bin")")"
[[ -n "$baseline_bin" ]] && baseline_bin="$(realpath "$(command -v "$baseline_bin")")"
if (($(nproc) < 2)); then
  echo "warning: one CPU only; server and redis-benchmark share it" >&2
  client_cpu="$server_cpu"
fi

# Bounds: a step that takes longer than this has hung.
readonly step_timeout=300
readonly start_attempts=200  # x 50 ms

work_dir="$(mktemp -d /tmp/respd-controls.XXXXXX)"
source bench/lib.sh

# Starts binary $1 pinned to the server CPU on a free port; prints the port. The pid goes to
# $work_dir/pid-<port> (a $(...) subshell cannot extend `pids`).
start_respd() {
  local port
  port="$(free_port)"
  (cd "$work_dir" && exec taskset -c "$server_cpu" "$1" --port "$port" --bind 127.0.0.1 \
    --threads 1 --save "" >"$work_dir/respd-$port.log" 2>&1) &
  echo $! >"$work_dir/pid-$port"
  wait_for_pong "$port" "$start_attempts" && { echo "$port"; return; }
  echo "respd did not start; see $work_dir/respd-$port.log" >&2
  return 1
}

cli() { timeout 10 redis-cli -p "$1" "${@:2}" >/dev/null; }

# Puts the server on port $1 in mode $2, from a clean state.
set_mode() {
  cli "$1" RESPD FAULT CLEAR
  cli "$1" RESPD JOURNAL OFF
  cli "$1" RESPD JOURNAL RESET
  cli "$1" FLUSHALL
  case "$2" in
    journal) cli "$1" RESPD JOURNAL ON ;;
    # Armed, and tried against every command: its name never matches SET or GET.
    fault) cli "$1" RESPD FAULT ADD COMMAND flushdb ERROR "ERR injected" ;;
  esac
}

port="$(start_respd "$respd_bin")"
pids+=("$(cat "$work_dir/pid-$port")")
modes=(off journal fault)
declare -A port_of=([off]="$port" [journal]="$port" [fault]="$port")
if [[ -n "$baseline_bin" ]]; then
  baseline_port="$(start_respd "$baseline_bin")"
  pids+=("$(cat "$work_dir/pid-$baseline_port")")
  modes=(baseline "${modes[@]}")
  port_of[baseline]="$baseline_port"
fi

results="$work_dir/results.tsv"  # mode<TAB>measure<TAB>value
: >"$results"
echo "respd: $respd_bin${baseline_bin:+, baseline: $baseline_bin}"
echo "server on CPU $server_cpu, redis-benchmark on CPU $client_cpu, $runs alternating runs"
tests=("-P 1|-P 1 -n $((requests / 2))" "-P 16|-P 16 -n $requests")
for ((run = 1; run <= runs; run++)); do
  # Rotate which mode goes first, so drift on the machine hits every mode alike.
  order=()
  for index in "${!modes[@]}"; do order+=("${modes[(index + run) % ${#modes[@]}]}"); done
  for test in "${tests[@]}"; do
    label="${test%%|*}"
    read -r -a args <<<"${test#*|}"
    for mode in "${order[@]}"; do
      [[ "$mode" == baseline ]] || set_mode "${port_of[$mode]}" "$mode"
      timeout "$step_timeout" taskset -c "$client_cpu" redis-benchmark -h 127.0.0.1 \
        -p "${port_of[$mode]}" -c 50 -t set,get -r 100000 -d 32 -q --csv "${args[@]}" |
        awk -F, -v mode="$mode" -v label="$label" \
          'NR > 1 {gsub(/"/, ""); printf "%s\t%s %s ops/s\t%s\n", mode, $1, label, $2}' >>"$results"
    done
  done
  echo "run $run/$runs done"
done

table() {
  PYTHONPATH=bench python3 - "$results" "${modes[@]}" <<'EOF'
import statistics, sys
import results
modes = sys.argv[2:]
values, order = results.load(sys.argv[1])
print("median ops/s (ratio to off)")
print(f"{'':24}" + "".join(f"{m:>22}" for m in modes))
for measure in order:
    off = statistics.median(values[("off", measure)]) if values[("off", measure)] else 0
    cells = []
    for m in modes:
        v = values[(m, measure)]
        if not v:
            cells.append(f"{'n/a':>22}")
            continue
        med = statistics.median(v)
        cells.append(f"{med:>14.0f} ({med / off:.3f})" if off else f"{med:>22.0f}")
    print(f"{measure:24}" + "".join(cells))
EOF
}
table | tee ${out:+"$out"}
