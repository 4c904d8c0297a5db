# fuzzsummary.awk: one line summing up a `go test -fuzz` run from its progress lines, which Go prints every 3 s:
#   fuzz: elapsed: 1m3s, execs: 7102 (2367/sec), new interesting: 1 (total: 88)
function secs(d,   t, n, u) {
  t = 0
  while (match(d, /^[0-9.]+(h|ms|m|s)/)) {
    n = substr(d, 1, RLENGTH); u = n; gsub(/[0-9.]/, "", u); n += 0
    t += (u == "h") ? n * 3600 : (u == "m") ? n * 60 : (u == "ms") ? n / 1000 : n
    d = substr(d, RLENGTH + 1)
  }
  return t
}
/^fuzz: elapsed: .*gathering baseline coverage: [0-9]+\/[0-9]+ completed, now fuzzing/ {
  split($0, a, "coverage: "); split(a[2], b, "/"); base = b[1] + 0; start = secs(substr($3, 1, length($3) - 1))
}
/^fuzz: elapsed: .*execs: / {
  el = secs(substr($3, 1, length($3) - 1)); execs = $5 + 0
  # An interval is the time since the previous line; the line Go prints at the end may follow the last one within
  # the same second, with "(0/sec)": it is not an interval of its own.
  if (!seen || el > prev_el) { ivals++; if (seen ? execs == prev_execs : execs == 0) stalls++ }
  seen = 1; prev_el = el; prev_execs = execs
  newi = $9 + 0; total = $11; gsub(/\)/, "", total)
}
END {
  if (ivals == 0) { print "no fuzzing progress line (the run ended while gathering baseline coverage)"; exit }
  t = el - start; if (t <= 0) t = el
  printf "%d execs in %.0fs (%.0f/sec), %d new interesting (corpus %d -> %d), %d of %d intervals at 0/sec\n", execs, t, (t > 0 ? execs / t : 0), newi, base, total, stalls + 0, ivals
}
