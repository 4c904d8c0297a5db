#!/usr/bin/env bash
# framing.sh: every BenchmarkFraming case against its peers (docs/benchmarks.md, "Framing against the libraries users
# pick"), each with rounds.sh in interleaved rounds on one test binary built first. The ratio printed is time / the
# first contender's (sluice). A case that does not exist in this tree prints no result.
#
#   bench/framing.sh [-r ROUNDS] [CASE...]
set -euo pipefail
cd "$(dirname "$0")"
rounds=6
while getopts r: o; do
  case $o in
    r) rounds=$OPTARG ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
export BIN=${BIN:-/tmp/sluice-framing.test}
go test -c -o "$BIN" .
declare -A peers=(
  [resp-commands]="sluice redcon" [resp-replies]="sluice radix" [http1]="sluice nethttp fasthttp"
  [lines]="sluice scanner" [ndjson]="sluice scanner" [lenfield]="sluice bufio" [uvarint]="sluice protodelim"
  [ws]="sluice gobwas" [mqtt]="sluice paho" [pgwire]="sluice pgproto3" [dns]="sluice miekg" [http2]="sluice xnet"
  [grpc]="sluice bufio"
)
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(resp-commands resp-replies http1 lines ndjson lenfield uvarint ws mqtt pgwire dns http2 grpc)
for c in "${cases[@]}"; do
  echo "== Framing/$c (target: sluice <= 0.8x each peer)"
  # shellcheck disable=SC2086
  ./rounds.sh -r "$rounds" "Framing/$c" ${peers[$c]} | sed -n '/^median/,$p' || true
done
