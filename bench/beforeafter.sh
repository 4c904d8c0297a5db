#!/bin/sh
# beforeafter.sh compares two builds of the benchmarks on a noisy machine by
# interleaving them: each round runs both test binaries once, the order
# alternating from round to round, so that load from elsewhere falls on both.
#
# Usage: bench/beforeafter.sh BEFORE.test AFTER.test BENCH-REGEXP ROUNDS
#
# Build the binaries once, e.g.
#   (cd /path/to/old/bench && go test -c -o /tmp/bench-before.test)
#   (cd bench && go test -c -o /tmp/bench-after.test)
# It prints one line per benchmark and run ("round N before|after NAME NS/OP
# B/OP ALLOCS/OP"), then per benchmark the median and the least ns/op of each
# binary and the median over the rounds of the after/before ratio. On a loaded
# machine the least is the run that was disturbed least.
set -eu
if [ $# -ne 4 ]; then
	echo "usage: $0 BEFORE.test AFTER.test BENCH-REGEXP ROUNDS" >&2
	exit 2
fi
before=$1 after=$2 re=$3 rounds=$4
out=$(mktemp)
trap 'rm -f "$out"' EXIT

run() { # run LABEL BINARY ROUND
	"$2" -test.run '^$' -test.bench "$re" -test.count 1 -test.benchmem |
		awk -v label="$1" -v round="$3" '
			/^Benchmark/ {
				name = $1; sub(/-[0-9]+$/, "", name)
				ns = ""; b = ""; a = ""
				for (i = 3; i < NF; i++) {
					if ($(i+1) == "ns/op") ns = $i
					if ($(i+1) == "B/op") b = $i
					if ($(i+1) == "allocs/op") a = $i
				}
				printf "round %d %s %s %s %s %s\n", round, label, name, ns, b, a
			}'
}

r=1
while [ "$r" -le "$rounds" ]; do
	if [ $((r % 2)) -eq 1 ]; then
		run before "$before" "$r" | tee -a "$out"
		run after "$after" "$r" | tee -a "$out"
	else
		run after "$after" "$r" | tee -a "$out"
		run before "$before" "$r" | tee -a "$out"
	fi
	r=$((r + 1))
done

echo
echo "benchmark median-before median-after min-before min-after median-after/before (ns/op)"
sort -k4,4 -k2,2n "$out" | awk '
	function sorted(list, v,    n, i, j, t) {
		n = split(list, v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
		return n
	}
	function median(list,    n, v) {
		n = sorted(list, v)
		return n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2
	}
	function least(list,    v) {
		sorted(list, v)
		return v[1]
	}
	{ key = $4 SUBSEP $2; ns[$3, key] = $5; names[$4] = 1; rnds[$4, $2] = 1 }
	END {
		for (name in names) {
			b = ""; a = ""; q = ""
			for (k in rnds) {
				split(k, p, SUBSEP)
				if (p[1] != name) continue
				key = name SUBSEP p[2]
				if ((("before", key) in ns) && (("after", key) in ns)) {
					b = b " " ns["before", key]; a = a " " ns["after", key]
					q = q " " ns["after", key] / ns["before", key]
				}
			}
			printf "%s %.0f %.0f %.0f %.0f %.3f\n", name, median(b), median(a), least(b), least(a), median(q)
		}
	}' | sort
