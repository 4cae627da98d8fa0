# Helpers the bench scripts share (compare.sh, shared_core.sh, controls.sh, per_request.sh): the
# servers they start and stop, free ports, CPU ticks. Sourced, not run:
# `work_dir=...; source bench/lib.sh`.
#
# Every process a script starts goes into `pids`; on exit (normal, error, Ctrl-C) each is stopped
# by its pid and `work_dir` is removed. Nothing is ever stopped by name.

pids=()

# SIGTERM, a bounded wait, then SIGKILL.
stop_pid() {
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}

# Drops pid $1 from `pids` once it is stopped, so cleanup never signals a pid the system reused.
forget_pid() {
  local kept=() p
  for p in "${pids[@]}"; do [[ "$p" == "$1" ]] || kept+=("$p"); done
  pids=("${kept[@]}")
}

cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  rm -rf "$work_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# True once the server on port $1 answers PING, within $2 attempts 50 ms apart (default 200).
wait_for_pong() {
  for _ in $(seq "${2:-200}"); do
    [[ "$(timeout 2 redis-cli -p "$1" ping 2>/dev/null)" == PONG ]] && return 0
    sleep 0.05
  done
  return 1
}

# User plus system CPU ticks of process $1 so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# One measurement: server<TAB>measure<TAB>value appended to $results.
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$results"; }
