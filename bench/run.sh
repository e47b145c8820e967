#!/usr/bin/env bash
# Reproduces every number of docs/performance.md on a fresh clone:
#   bench/run.sh                    # demo and large, ROUNDS=6 rounds
#   ROUNDS=3 bench/run.sh           # fewer rounds
#   SIZES=demo bench/run.sh         # the quick version (no large build)
#   CASBIN_SIZES=demo,mid,large     # Casbin's sizes (default: SIZES)
#
# Each round runs every Gatehouse benchmark once, then every Casbin
# benchmark once, each in a process of its own; rounds repeat. So the two
# sides of every ratio (the Checker and the floor, the model and its bare
# SQL, Gatehouse and Casbin) alternate through the run instead of one side
# running all its repetitions before the other: a slow minute on a shared
# machine lands on both. The run is pinned to one processor when taskset
# exists (PIN=no to not pin; CPU=n to choose it, default the last one).
#
# The generated databases are cached in $GATEHOUSE_BENCH_DIR (default
# $TMPDIR/gatehouse-bench); the large one takes several minutes to build
# the first time and about 2.3 GB of disk. Raw results, benchstat's view
# and the tables go to bench/results/. benchstat's version is pinned in
# bench/casbin/go.mod (a tool dependency), so once the module cache holds
# it the run needs no network.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-6}
SIZES=${SIZES:-demo,large}
CASBIN_SIZES=${CASBIN_SIZES:-$SIZES}
BENCHTIME=${BENCHTIME:-1s}
OUT=bench/results
mkdir -p "$OUT"

pin=()
if [[ ${PIN:-yes} != no ]] && command -v taskset >/dev/null; then
	cpu=${CPU:-$(($(nproc) - 1))}
	pin=(taskset -c "$cpu")
fi

machine() {
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "go: $(go version)"
	echo "cpus: $(nproc) (benchmarks: ${pin[*]:-not pinned})"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
	echo "rounds: $ROUNDS, benchtime $BENCHTIME, sizes $SIZES, Casbin at $CASBIN_SIZES"
}
machine | tee "$OUT/machine.txt"

echo "== building or finding the databases"
go run ./bench/build $(echo "$SIZES,$CASBIN_SIZES" | tr ',' '\n' | sort -u | tr '\n' ' ') | tee "$OUT/build.txt"

echo "== compiling the benchmarks"
go test -c -o "$OUT/.gatehouse.test" ./bench/
(cd bench/casbin && go test -c -o "../../$OUT/.casbin.test" .)

: >"$OUT/gatehouse.txt"
: >"$OUT/casbin.txt"
for round in $(seq 1 "$ROUNDS"); do
	echo "== round $round of $ROUNDS: Gatehouse at $SIZES"
	(cd bench && GATEHOUSE_BENCH_SIZES=$SIZES "${pin[@]}" "../$OUT/.gatehouse.test" -test.run '^$' -test.bench . \
		-test.benchtime "$BENCHTIME" -test.count 1 -test.timeout 0) | tee -a "$OUT/gatehouse.txt"
	echo "== round $round of $ROUNDS: Casbin and Gatehouse at $CASBIN_SIZES"
	(cd bench/casbin && GATEHOUSE_CASBIN_SIZES=$CASBIN_SIZES "${pin[@]}" "../../$OUT/.casbin.test" -test.run '^$' -test.bench . \
		-test.benchtime "$BENCHTIME" -test.count 1 -test.timeout 0) | tee -a "$OUT/casbin.txt"
	echo "load average after round $round: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/machine.txt"
done
rm -f "$OUT/.gatehouse.test" "$OUT/.casbin.test"

echo "== benchstat"
(cd bench/casbin && go tool benchstat "../../$OUT/gatehouse.txt") >"$OUT/benchstat-gatehouse.txt"
(cd bench/casbin && go tool benchstat "../../$OUT/casbin.txt") >"$OUT/benchstat-casbin.txt"

echo "== tables"
{
	echo '```'
	cat "$OUT/machine.txt"
	echo '```'
	echo
	go run ./bench/report "$OUT/gatehouse.txt" "$OUT/casbin.txt"
} >"$OUT/tables.md"
cat "$OUT/tables.md"
echo
echo "Tables in $OUT/tables.md; benchstat's view in $OUT/benchstat-*.txt."
