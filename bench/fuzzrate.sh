#!/usr/bin/env bash
# fuzzrate.sh: a fuzz target's executions per second through the harness against a bare parse of its inputs, under
# the real fuzzer. Each target runs for SECS with the harness, then with SLUICE_FUZZ_BARE=1 (fuzz.Fuzz runs the
# decoder once over the whole input and checks nothing), in ROUNDS rounds rotating the order, each run from the seed
# corpus alone (a fresh cache), one worker, minimization bounded as .ci/fuzz.sh bounds it. It prints each run's
# summary and, per target, the median over rounds of harness rate / bare rate (docs/fuzzing.md, the issue asks for
# at least 0.5).
#
#   bench/fuzzrate.sh [-t SECS] [-r ROUNDS] PKG:TARGET...
#   bench/fuzzrate.sh -t 20 -r 3 ./parse:FuzzReader ./internal/grammars:FuzzRESP
set -euo pipefail
cd "$(dirname "$0")/.."
secs=20 rounds=3
while getopts t:r: o; do
  case $o in
    t) secs=$OPTARG ;;
    r) rounds=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { sed -n '2,10p' "$0"; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
summ=$PWD/.ci/fuzzsummary.awk
for spec in "$@"; do
  pkg=${spec%%:*} name=${spec#*:}
  bin=$tmp/$(echo "$pkg" | tr -c 'A-Za-z0-9\n' _).test
  [ -x "$bin" ] || go test -c -fuzz . -o "$bin" "$pkg"
  ratios=()
  for ((r = 0; r < rounds; r++)); do
    modes=(harness bare); ((r % 2)) && modes=(bare harness)
    declare -A rate=()
    for m in "${modes[@]}"; do
      rm -rf "$tmp/cache"
      env=(); [ "$m" = bare ] && env=(SLUICE_FUZZ_BARE=1)
      (cd "$pkg" && env "${env[@]}" "$bin" -test.run '^$' -test.fuzz "^$name\$" -test.fuzztime "${secs}s" \
        -test.fuzzminimizetime 100x -test.parallel 1 -test.fuzzcachedir "$tmp/cache" >"$tmp/log" 2>&1) || true
      line=$(awk -f "$summ" "$tmp/log")
      echo "$name round $((r + 1)) $m: $line"
      rate[$m]=$(echo "$line" | sed -nE 's/.*\(([0-9]+)\/sec\).*/\1/p')
    done
    ratios+=("$(awk -v h="${rate[harness]:-0}" -v b="${rate[bare]:-0}" 'BEGIN { printf "%.3f", (b > 0 ? h / b : 0) }')")
  done
  med=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }')
  echo "$name: harness rate / bare rate per round: ${ratios[*]}; median $med"
done
