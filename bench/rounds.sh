#!/usr/bin/env bash
# rounds.sh: measure contenders of one benchmark side by side in interleaved
# rounds, as docs/benchmarks.md asks. The test binary is built once; each round
# runs every contender once (-test.count 1), rotating the order, so that a busy
# minute on a noisy machine slows all contenders of a round alike. It prints
# each round's ns/op, then per contender the median over rounds of its ratio
# to the reference contender (the first one named), and keeps the raw output
# (benchstat's format) in $OUT.
#
#   bench/rounds.sh [-r ROUNDS] [-t BENCHTIME] BENCH CONTENDER...
#   bench/rounds.sh -r 8 'Lines/len=var' hand parse sluice scanner
#
# BENCH is the benchmark path without the contender (Benchmark prefix
# dropped); the ratio printed is contender time / first contender time.
# BIN=binary runs a test binary built elsewhere, in the directory DIR (default:
# bench/), e.g. BIN=/tmp/g.test DIR=internal/grammars for a package that reads
# its testdata.
set -euo pipefail
start=$PWD
cd "$(dirname "$0")"
rounds=6 benchtime=1s
while getopts r:t: o; do
  case $o in
    r) rounds=$OPTARG ;;
    t) benchtime=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 3 ] || { sed -n '2,19p' "$0"; exit 2; }
bench=$1; shift
contenders=("$@")
bin=${BIN:-/tmp/sluice-bench.test}
OUT=${OUT:-/tmp/rounds-$(echo "$bench" | tr -c 'A-Za-z0-9=\n' _).txt}
[ -n "${BIN:-}" ] || go test -c -o "$bin" .
if [ -n "${DIR:-}" ]; then cd "$start" && cd "$DIR"; fi
: >"$OUT"
n=${#contenders[@]}
for ((r = 0; r < rounds; r++)); do
  line="round $((r + 1)):"
  for ((i = 0; i < n; i++)); do
    c=${contenders[$(((i + r) % n))]}
    res=$("$bin" -test.run '^$' -test.bench "^Benchmark${bench%%/*}\$/${bench#*/}/^${c}\$" \
      -test.count 1 -test.benchtime "$benchtime" -test.benchmem | grep '^Benchmark' || true)
    [ -n "$res" ] || { echo "no result for $bench/$c" >&2; exit 1; }
    echo "$res" >>"$OUT"
    line+=" $c=$(echo "$res" | awk '{for (i = 1; i < NF; i++) if ($(i+1) == "ns/op") print $i}')"
  done
  echo "$line"
done
echo "median ratio to ${contenders[0]} over $rounds rounds (raw: $OUT):"
for c in "${contenders[@]}"; do
  awk -v ref="/${contenders[0]}-" -v c="/${c}-" '
    function ns(   i) { for (i = 1; i < NF; i++) if ($(i+1) == "ns/op") return $i }
    index($1, ref) { r[nr++] = ns() }
    index($1, c)   { v[nc++] = ns() }
    END {
      n = nc
      for (i = 1; i <= n; i++) { q[i] = v[i-1] / r[i-1]; s[i] = q[i] }
      for (i = 2; i <= n; i++)  # insertion sort: mawk has no asort
        for (j = i; j > 1 && s[j-1] > s[j]; j--) { t = s[j]; s[j] = s[j-1]; s[j-1] = t }
      med = (n % 2) ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
      printf "  %-12s %.3f  (rounds:", substr(c, 2, length(c) - 2), med
      for (i = 1; i <= n; i++) printf " %.3f", q[i]
      print ")"
    }' "$OUT"
done
