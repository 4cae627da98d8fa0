#!/usr/bin/env bash
# Side-by-side benchmark of respd (--threads 1) and Debian's redis-server on this machine: throughput
# with redis-benchmark, server CPU per operation, resident memory per key (with and without a TTL)
# and start-to-first-PONG time, PUBLISH fan-out to 1 and 50 subscribers (messages delivered per
# second). Prints a table of both and the ratio respd/redis. See bench/README.md.
# --tls also serves a TLS port on each (certificates made here with openssl) and measures over it.
# Usage: bench/compare.sh [--runs N] [--requests N] [--keys N] [--respd PATH] [--redis PATH]
#                         [--server-cpu C] [--client-cpu C] [--out FILE] [--tls] [--pubsub-only]
#                         [--no-shared-core]
# Then, unless --no-shared-core or --pubsub-only, bench/shared_core.sh: one client on shared cores.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
requests=200000
keys=1000000
respd_bin="${RESPD_BIN:-build/respd}"
redis_bin="${REDIS_BIN:-$(command -v redis-server || true)}"
server_cpu=0
client_cpu=1
out=""
tls=0
pubsub_only=0
shared_core=1
while (($#)); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --requests) requests="$2"; shift 2 ;;
    --keys) keys="$2"; shift 2 ;;
    --respd) respd_bin="$2"; shift 2 ;;
    --redis) redis_bin="$2"; shift 2 ;;
    --server-cpu) server_cpu="$2"; shift 2 ;;
    --client-cpu) client_cpu="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --tls) tls=1; shift ;;
    --pubsub-only) pubsub_only=1; shift ;;
    --no-shared-core) shared_core=0; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
needed=("$redis_bin" "$respd_bin" redis-benchmark redis-cli taskset python3)
((tls)) && needed+=(openssl)
for tool in "${needed[@]}"; do
  command -v "$tool" >/dev/null || { echo "missing: $tool (run .ci/setup --test)" >&2; exit 1; }
done
# Servers run in a scratch directory, so the binaries need absolute paths.
respd_bin="$(realpath -s "$(command -v "$respd_bin")")"
redis_bin="$(realpath -s "$(command -v "$redis_bin")")"  # -s: redis-server is a symlink whose name matters
if (($(nproc) < 2)); then
  echo "warning: one CPU only; server and redis-benchmark share it" >&2
  client_cpu="$server_cpu"
fi

# Bounds: a benchmark step that takes longer than this has hung.
readonly step_timeout=300
readonly start_timeout_ms=10000
readonly clk_tck="$(getconf CLK_TCK)"

work_dir="$(mktemp -d /tmp/respd-bench.XXXXXX)"
source bench/lib.sh
declare -A pid_of=() port_of=() tls_port_of=()

# A CA and a server certificate for --tls, made for this run only.
if ((tls)); then
  openssl req -x509 -new -nodes -newkey rsa:2048 -days 1 -subj "/CN=respd bench CA" \
    -keyout "$work_dir/ca.key" -out "$work_dir/ca.crt" 2>/dev/null
  openssl req -new -nodes -newkey rsa:2048 -subj "/CN=127.0.0.1" \
    -keyout "$work_dir/server.key" -out "$work_dir/server.csr" 2>/dev/null
  openssl x509 -req -days 1 -in "$work_dir/server.csr" -CA "$work_dir/ca.crt" \
    -CAkey "$work_dir/ca.key" -CAcreateserial -out "$work_dir/server.crt" 2>/dev/null
fi

# Command line of server $1 (respd|redis) on port $2, and TLS port $3 when --tls.
server_cmd() {
  local tls_args=""
  if ((tls)); then
    tls_args="--tls-port $3 --tls-cert-file $work_dir/server.crt --tls-key-file $work_dir/server.key"
    tls_args+=" --tls-auth-clients no"
  fi
  case "$1" in
    respd) echo "$respd_bin --port $2 --bind 127.0.0.1 --threads 1 --save '' $tls_args" ;;
    redis) echo "$redis_bin --port $2 --bind 127.0.0.1 --save '' --appendonly no --daemonize no $tls_args" ;;
  esac
}

# Prints milliseconds from spawning `command` to its first +PONG; the process is left running and
# its pid written to $work_dir/pid.
start_and_time() {
  python3 - "$start_timeout_ms" "$work_dir" "$2" "$3" <<'EOF'
import os, shlex, socket, subprocess, sys, time
timeout_ms, work_dir, port, command = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
log = open(os.path.join(work_dir, f"server-{port}.log"), "wb")
start = time.perf_counter()
proc = subprocess.Popen(shlex.split(command), stdout=log, stderr=log, cwd=work_dir)
open(os.path.join(work_dir, "pid"), "w").write(str(proc.pid))
while (time.perf_counter() - start) * 1000 < timeout_ms:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                print(f"{(time.perf_counter() - start) * 1000:.2f}")
                sys.exit(0)
    except OSError:
        pass
    if proc.poll() is not None:
        sys.exit(f"server exited with {proc.returncode}; see {log.name}")
    time.sleep(0.0005)
sys.exit("no PONG within the start timeout")
EOF
}

# Starts server $1 pinned to the server CPU; sets pid_of, port_of and start_ms (spawn to first
# PONG). Runs in the calling shell, never in $(...), so the pid reaches the cleanup list.
start_server() {
  local name="$1" port tls_port=0 status=0
  port="$(free_port)"
  ((tls)) && tls_port="$(free_port)"
  rm -f "$work_dir/pid"
  start_ms="$(start_and_time "$name" "$port" \
    "taskset -c $server_cpu $(server_cmd "$name" "$port" "$tls_port")")" ||
    status=$?
  if [[ -s "$work_dir/pid" ]]; then
    pid_of[$name]="$(cat "$work_dir/pid")"
    pids+=("${pid_of[$name]}")
  fi
  port_of[$name]="$port"
  tls_port_of[$name]="$tls_port"
  if ((status != 0)); then
    echo "could not start $name" >&2
    exit 1
  fi
}

# Stops server $1 and forgets its pid, so cleanup never signals a pid the system has reused.
stop_server() {
  stop_pid "${pid_of[$1]}"
  forget_pid "${pid_of[$1]}"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# redis-benchmark against server $1 with the remaining arguments; prints "TEST,rps" lines. A first
# argument --tls drives the server's TLS port.
bench() {
  local name="$1" target=()
  shift
  target=(-p "${port_of[$name]}")
  if [[ "${1:-}" == --tls ]]; then
    shift
    target=(-p "${tls_port_of[$name]}" --tls --cacert "$work_dir/ca.crt")
  fi
  timeout "$step_timeout" taskset -c "$client_cpu" redis-benchmark -h 127.0.0.1 "${target[@]}" \
    -c 50 -q --csv "$@" | awk -F, 'NR > 1 {gsub(/"/, ""); print $1 "," $2}'
}

median() { sort -g | awk '{v[NR] = $1} END {if (NR == 0) print "n/a"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# True if server $1 knows command $2 (an unknown command is the only reply we treat as "no").
supports() {
  local reply
  reply="$(timeout 10 redis-cli -p "${port_of[$1]}" "${@:2}" 2>&1 || true)"
  [[ "$reply" != *"unknown command"* ]]
}

results="$work_dir/results.tsv"  # server<TAB>measure<TAB>value, by record
: >"$results"

echo "respd: $respd_bin ($("$respd_bin" --version 2>/dev/null | head -1 || true))"
echo "redis: $redis_bin ($("$redis_bin" --version | head -1))"
echo "server on CPU $server_cpu, redis-benchmark on CPU $client_cpu, $runs alternating runs"

# --- Throughput and CPU per op: both servers up, driven alternately. ---
for name in redis respd; do start_server "$name"; done
# Each entry: label|redis-benchmark arguments. The label goes after the test name in the table.
tests=("-P 1|-t set,get -P 1 -r 100000 -d 32 -n $((requests / 2))"
       "-P 16|-t set,get -P 16 -r 100000 -d 32 -n $((requests * 5))"
       "-P 1|-t mset -P 1 -r 100000 -d 32 -n $((requests / 4))")
((pubsub_only)) && tests=()
if ((pubsub_only)); then
  :
elif supports respd LPUSH __bench_probe x && supports respd LRANGE __bench_probe 0 1; then
  tests+=("-P 1|-t lrange_100 -P 1 -n $((requests / 4))")
else
  echo "respd has no LPUSH/LRANGE yet: skipping LRANGE_100"
fi
if ((pubsub_only)); then
  :
elif supports respd ZADD __bench_zprobe 1 x; then
  tests+=("-P 16|-t zadd -P 16 -r 100000 -n $requests")
else
  echo "respd has no ZADD yet: skipping ZADD"
fi
# Over TLS: the same SET and GET (the label says TLS; bench gets --tls).
if ((tls)); then
  tests+=("TLS -P 1|--tls -t set,get -P 1 -r 100000 -d 32 -n $((requests / 2))"
          "TLS -P 16|--tls -t set,get -P 16 -r 100000 -d 32 -n $requests")
fi
for name in redis respd; do timeout 10 redis-cli -p "${port_of[$name]}" flushall >/dev/null; done

for ((run = 1; run <= runs; run++)); do
  # Alternate which server goes first so drift (thermal, noisy neighbours) hits both alike.
  order=(redis respd)
  ((run % 2 == 0)) && order=(respd redis)
  for index in "${!tests[@]}"; do
    label="${tests[index]%%|*}"
    read -r -a args <<<"${tests[index]#*|}"
    for name in "${order[@]}"; do
      before="$(cpu_ticks "${pid_of[$name]}")"
      lines="$(bench "$name" "${args[@]}")"
      after="$(cpu_ticks "${pid_of[$name]}")"
      while IFS=, read -r test rps; do
        [[ -z "$test" || "$test" == LPUSH* ]] && continue  # LPUSH: the fill step of LRANGE
        record "$name" "${test%% (*} $label ops/s" "$rps"
      done <<<"$lines"
      if ((index <= 1)) || [[ "$label" == "TLS -P 1" ]]; then
        # Microseconds of server CPU (user+system) per request of SET and GET together. At -P 16
        # redis-benchmark's own core is the limit, so this is the server's side of the ratio.
        cpu_label="SET+GET $label"
        [[ "$label" == TLS* ]] && cpu_label="TLS SET+GET -P 1"
        total=$requests
        ((index == 1)) && total=$((requests * 10))
        record "$name" "server CPU us/op ($cpu_label)" \
          "$(awk -v t=$((after - before)) -v hz="$clk_tck" -v n="$total" \
            'BEGIN {printf "%.3f", t / hz * 1e6 / n}')"
      fi
    done
  done
  # PUBLISH fan-out: subscribers and publisher (redis-benchmark) share the client CPU; each
  # message goes to every subscriber, so 50 subscribers get a tenth of the PUBLISH calls.
  for subscribers in 1 50; do
    messages=$((subscribers == 1 ? requests : requests / 10))
    for name in "${order[@]}"; do
      line="$(timeout "$step_timeout" taskset -c "$client_cpu" python3 bench/pubsub_bench.py \
        --port "${port_of[$name]}" --subscribers "$subscribers" --messages "$messages" \
        --timeout "$((step_timeout - 10))")" || echo "warning: $name lost PUBLISH messages: $line" >&2
      IFS=, read -r _ _ _ _ delivered_per_s _ <<<"$line"
      if [[ -n "$delivered_per_s" ]]; then
        record "$name" "PUBLISH to $subscribers sub(s) delivered msg/s" "$delivered_per_s"
      fi
    done
  done
  echo "run $run/$runs done"
done
for name in redis respd; do stop_server "$name"; done

# --- Streams: XADD rate, XREADGROUP+XACK rate, memory per stream entry. ---
# XADD fills a stream of $requests entries (2 small fields); a worker (stream_group_rate.py) then
# drains it through a consumer group, XREADGROUP COUNT 100 and XACK, on one connection. The
# worker is Python, so its entries/s may be client-bound; server CPU per entry is the figure then.
if ((!pubsub_only)); then
  for ((run = 1; run <= runs; run++)); do
    for name in redis respd; do
      start_server "$name"
      lines="$(bench "$name" -P 16 -n "$requests" XADD bench:stream '*' f1 v1 f2 v2)"
      record "$name" "XADD -P 16 ops/s" "${lines##*,}"
      before="$(cpu_ticks "${pid_of[$name]}")"
      rate="$(timeout "$step_timeout" python3 bench/stream_group_rate.py "${port_of[$name]}" \
        bench:stream)"
      after="$(cpu_ticks "${pid_of[$name]}")"
      record "$name" "XREADGROUP+XACK entries/s" "${rate##*,}"
      record "$name" "server CPU us/entry (XREADGROUP+XACK)" \
        "$(awk -v t=$((after - before)) -v hz="$clk_tck" -v n="${rate%%,*}" \
          'BEGIN {printf "%.3f", t / hz * 1e6 / n}')"
      stop_server "$name"
    done
    echo "streams run $run/$runs done"
  done
  python3 - "$keys" >"$work_dir/stream.resp" <<'EOF'
import sys
count = int(sys.argv[1])
entry = b"*7\r\n$4\r\nXADD\r\n$6\r\nstream\r\n$1\r\n*\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n"
for _ in range(count // 10000):
    sys.stdout.buffer.write(entry * 10000)
sys.stdout.buffer.write(entry * (count % 10000))
EOF
  for name in redis respd; do
    start_server "$name"
    before="$(rss_kb "${pid_of[$name]}")"
    timeout "$step_timeout" redis-cli -p "${port_of[$name]}" --pipe <"$work_dir/stream.resp" >/dev/null
    loaded="$(timeout 10 redis-cli -p "${port_of[$name]}" xlen stream)"
    [[ "$loaded" == "$keys" ]] || echo "warning: $name holds $loaded stream entries, not $keys" >&2
    after="$(rss_kb "${pid_of[$name]}")"
    record "$name" "rss bytes/stream entry (2 fields)" "$(((after - before) * 1024 / keys))"
    stop_server "$name"
  done
fi

# --- Start-to-first-PONG, memory per key: a fresh server per measurement. ---
gen_keys() {  # $1: extra SET arguments; RESP on stdout, exactly $keys distinct 16-byte keys
  python3 - "$keys" "$@" <<'EOF'
import sys
count, extra = int(sys.argv[1]), [a.encode() for a in sys.argv[2:]]
out = sys.stdout.buffer
parts = []
for i in range(count):
    args = [b"SET", b"key:%012d" % i, b"%032d" % i] + extra
    parts.append(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    if len(parts) == 10000:
        out.write(b"".join(parts))
        parts = []
out.write(b"".join(parts))
EOF
}
if ((!pubsub_only)); then
  gen_keys >"$work_dir/keys.resp"
  gen_keys EX 3600 >"$work_dir/keys_ttl.resp"

  for ((run = 1; run <= runs; run++)); do
    for name in redis respd; do
      start_server "$name"
      record "$name" "start to first PONG ms" "$start_ms"
      stop_server "$name"
    done
  done

  for name in redis respd; do
    for variant in plain ttl; do
      start_server "$name"
      file="$work_dir/keys.resp"
      [[ "$variant" == ttl ]] && file="$work_dir/keys_ttl.resp"
      before="$(rss_kb "${pid_of[$name]}")"
      timeout "$step_timeout" redis-cli -p "${port_of[$name]}" --pipe <"$file" >/dev/null
      loaded="$(timeout 10 redis-cli -p "${port_of[$name]}" dbsize)"
      if [[ "$loaded" != "$keys" ]]; then
        echo "warning: $name holds $loaded keys after loading $keys" >&2
      fi
      after="$(rss_kb "${pid_of[$name]}")"
      record "$name" "rss bytes/key ($variant)" "$(((after - before) * 1024 / keys))"
      stop_server "$name"
    done
  done
fi

# --- Table ---
table() {
  PYTHONPATH=bench python3 - "$results" <<'EOF'
import sys
import results
values, order = results.load(sys.argv[1])
med = lambda server, measure: results.median(values, server, measure)
ttl = {s: (med(s, "rss bytes/key (ttl)") or 0) - (med(s, "rss bytes/key (plain)") or 0) for s in ("redis", "respd")}
rows = [(m, med("redis", m), med("respd", m)) for m in order]
if med("redis", "rss bytes/key (ttl)") is not None:
    rows.append(("extra rss bytes/key with TTL", ttl["redis"], ttl["respd"]))
print(f"{'measure (median)':44} {'redis':>12} {'respd':>12} {'respd/redis':>12}")
for measure, redis, respd in rows:
    ratio = f"{respd / redis:.2f}x" if redis and respd is not None else "-"
    fmt = lambda v: "-" if v is None else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.2f}")
    print(f"{measure:44} {fmt(redis):>12} {fmt(respd):>12} {ratio:>12}")
EOF
}
echo
if [[ -n "$out" ]]; then
  mkdir -p "$(dirname "$out")"
  table | tee "$out"
else
  table
fi

# --- The cases test suites live in: a separate script, so its rows stay its own. ---
if ((shared_core && !pubsub_only)); then
  echo
  shared_out=()
  [[ -n "$out" ]] && shared_out=(--out "${out%.*}-shared-core.txt")
  bench/shared_core.sh --runs "$runs" --respd "$respd_bin" --redis "$redis_bin" "${shared_out[@]}"
fi
