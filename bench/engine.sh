#!/usr/bin/env bash
# engine.sh: every side-by-side measurement of the combinator engine's targets (docs/benchmarks.md), each with
# rounds.sh in interleaved rounds on one test binary built first. The ratio printed is time / the first contender's.
#
#   bench/engine.sh [-r ROUNDS]
set -euo pipefail
cd "$(dirname "$0")"
rounds=6
while getopts r: o; do
  case $o in
    r) rounds=$OPTARG ;;
    *) exit 2 ;;
  esac
done
export BIN=${BIN:-/tmp/sluice-engine.test}
go test -c -o "$BIN" .
run() { ./rounds.sh -r "$rounds" "$@" | sed -n '/^median/,$p'; }
echo "== Grammar/resp (target: combinators <= 1.3x hand, <= 0.8x redcon)"; run 'Grammar/resp' hand combinators redcon
echo "== Grammar/lenfield (target: combinators <= 1.3x hand)"; run 'Grammar/lenfield' hand combinators
for s in chunks trailer nginx; do
  echo "== Grammar/chunked/$s (target: combinators <= 1.3x hand, <= 0.8x nethttp)"; run "Grammar/chunked/$s" hand combinators nethttp
done
echo "== Lines/len=var (target: parse <= scanner, >= 0.85x hand's speed)"; run 'Lines/len=var' hand parse scanner sluice
echo "== Frames/len=100 (target: parse >= 1.8x bufio's speed)"; run 'Frames/len=100' bufio parse sluice
echo "== ReadCost/4KiB (target: pipe <= 4x io)"; run 'ReadCost/4KiB' io pipe pipepair
