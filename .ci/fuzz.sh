#!/usr/bin/env bash
# fuzz.sh: run every FuzzXxx target of the main module for FUZZTIME each ($1 or env, default 10s).
set -euo pipefail
FUZZTIME="${1:-${FUZZTIME:-10s}}"
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
fuzz() { go test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" "$1" </dev/null 2>&1 | tee "$log"; }
# Go <1.27 can fail a clean run with a bare "context deadline exceeded" (go.dev/issue/75804): retry that once.
flake() { grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written to' "$log"; }

pass=0; failed=()
while read -r pkg name; do
  echo "=== fuzz $pkg $name (fuzztime $FUZZTIME)"
  if fuzz "$pkg" "$name" || { flake && echo "RETRY: $name hit go.dev/issue/75804 (no crasher); retrying once" && fuzz "$pkg" "$name"; }; then
    pass=$((pass + 1))
  else
    echo "FAIL: fuzz target $name in $pkg (crasher, if any, saved in $pkg/testdata/fuzz/$name/)"
    failed+=("$pkg $name")
  fi
done < <(printf '%s\n' "${targets[@]}" | sort -u)

echo "fuzz summary: $((pass + ${#failed[@]})) targets, $pass passed, ${#failed[@]} failed (fuzztime $FUZZTIME)"
for t in "${failed[@]}"; do echo "  failed: $t"; done
[ ${#failed[@]} -eq 0 ]
