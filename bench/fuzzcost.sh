#!/usr/bin/env bash
# fuzzcost.sh: each harness fuzz target's body against a bare parse of the same inputs, outside the fuzzer
# (BenchmarkFuzzCost/<target>/{bare,harness} in the target's package), in interleaved rounds with rounds.sh. The
# ratio printed is the harness's time per execution / the bare parse's. bench/fuzzrate.sh measures the same under
# the fuzzer, whose own work per execution is in both.
#
#   bench/fuzzcost.sh [-r ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=6
while getopts r: o; do
  case $o in
    r) rounds=$OPTARG ;;
    *) exit 2 ;;
  esac
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for spec in parse:Reader combinators:Stomp examples/kv:Decoder examples/kv:RoundTrip \
  internal/grammars:RESP framing/http1:Chunked framing:LengthField; do
  pkg=${spec%%:*} name=${spec#*:}
  bin=$tmp/$(echo "$pkg" | tr / _).test
  [ -x "$bin" ] || go test -c -o "$bin" "./$pkg"
  echo "== $pkg $name"
  BIN=$bin DIR=$pkg bench/rounds.sh -r "$rounds" "FuzzCost/$name" bare harness | sed -n '/^median/,$p'
done
