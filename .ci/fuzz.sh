#!/usr/bin/env bash
# fuzz.sh: run every FuzzXxx target of the main module for FUZZTIME each ($1 or env, default 10s), with
# minimization bounded to FUZZMINIMIZETIME (default 100x: Go's default of 60 s per new input leaves most of a short
# run minimizing, at 0 execs/sec; docs/fuzzing.md has the measurements), and a summary line per target.
set -euo pipefail
FUZZTIME="${1:-${FUZZTIME:-10s}}"
FUZZMINIMIZETIME="${FUZZMINIMIZETIME:-100x}"
cd "$(dirname "$0")/.."
root="$(dirname "$(go env GOMOD)")"

# Test files of main-module packages only (go list skips nested modules such as bench/, and testdata).
files=$(go list -e -f '{{$d := .Dir}}{{range .TestGoFiles}}{{$d}}/{{.}}
{{end}}{{range .XTestGoFiles}}{{$d}}/{{.}}
{{end}}' ./... | sed '/^$/d')

# One "pkgdir name" line per target: -fuzz may match only one target per go test run.
targets=()
for f in $files; do
  dir=$(dirname "$f"); rel=${dir#"$root"}; pkg=".${rel:-}"
  for name in $(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\([A-Za-z_][A-Za-z0-9_]* \*testing\.F\).*/\1/p' "$f"); do
    targets+=("$pkg $name")
  done
done

if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets found"; exit 0
fi

log=$(mktemp); trap 'rm -f "$log"' EXIT
fuzz() {
  go test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$1" </dev/null 2>&1 | tee "$log"
}
summaries=()
summarize() { summaries+=("$(printf '%-40s %s' "$1 $2:" "$(awk -f .ci/fuzzsummary.awk "$log")")"); echo "fuzz summary: ${summaries[-1]}"; }
# Go <1.27 can fail a clean run with a bare "context deadline exceeded" (go.dev/issue/75804): retry that once.
flake() { grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written to' "$log"; }

pass=0; failed=()
while read -r pkg name; do
  echo "=== fuzz $pkg $name (fuzztime $FUZZTIME, fuzzminimizetime $FUZZMINIMIZETIME)"
  if fuzz "$pkg" "$name" || { flake && echo "RETRY: $name hit go.dev/issue/75804 (no crasher); retrying once" && fuzz "$pkg" "$name"; }; then
    pass=$((pass + 1))
    summarize "$pkg" "$name"
  else
    summarize "$pkg" "$name"
    echo "FAIL: fuzz target $name in $pkg (crasher, if any, saved in $pkg/testdata/fuzz/$name/)"
    failed+=("$pkg $name")
  fi
done < <(printf '%s\n' "${targets[@]}" | sort -u)

echo; echo "fuzz summaries (fuzztime $FUZZTIME, fuzzminimizetime $FUZZMINIMIZETIME):"
printf '  %s\n' "${summaries[@]}"
echo "fuzz summary: $((pass + ${#failed[@]})) targets, $pass passed, ${#failed[@]} failed (fuzztime $FUZZTIME)"
for t in "${failed[@]}"; do echo "  failed: $t"; done
[ ${#failed[@]} -eq 0 ]
