# Shared by scripts/bench and scripts/bench-scale (sourced): paired wrk slices. Needs BASE, BENCH_DIR,
# CONNECTIONS, SLICE, WARMUP, ROUNDS and RESULTS set (WRK_TIMEOUT optional: wrk's request timeout, for
# slow scenarios like sign-ins; CEILING_BASE optional: the server whose /healthz is the ceiling, default
# BASE); wrk runs pinned to CPU 1.
slice() { # URL SCRIPT [env...]: one measured wrk run, its JSON line
    local url=$1 script=$2; shift 2
    env "$@" taskset -c 1 wrk -t1 -c$CONNECTIONS -d$SLICE ${WRK_TIMEOUT:+--timeout $WRK_TIMEOUT} --latency -s "$BENCH_DIR/$script" "$url" | grep '^{'
}
# warm_up URL SCRIPT [env...]: WARMUP of the scenario, not measured.
warm_up() {
    local url=$1 script=$2; shift 2
    env "$@" BENCH_PHASE=warmup taskset -c 1 wrk -t1 -c$CONNECTIONS -d$WARMUP -s "$BENCH_DIR/$script" "$url" >/dev/null
}
# measure_round NAME ROUND URL SCRIPT [env...]: one pair (ceiling slice, scenario slice), appended to RESULTS.
measure_round() {
    local name=$1 round=$2 url=$3 script=$4; shift 4
    local ceiling line
    ceiling=$(slice "${CEILING_BASE:-$BASE}/healthz" get.lua)
    line=$(slice "$url" "$script" "$@")
    printf '%s\t%s\t%s\n' "$name" "$ceiling" "$line" >> "$RESULTS"
    echo "$name, round $round: $line (ceiling $(echo "$ceiling" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["rps"]))') req/s)" >&2
}
# measure NAME URL SCRIPT [env...]: a warm-up, then ROUNDS pairs of (ceiling slice, scenario slice).
measure() {
    local name=$1 url=$2 script=$3; shift 3
    warm_up "$url" "$script" "$@"
    for round in $(seq "$ROUNDS"); do
        [[ -n "${BEFORE_ROUND:-}" ]] && $BEFORE_ROUND "$round"
        measure_round "$name" "$round" "$url" "$script" "$@"
    done
}
