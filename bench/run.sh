#!/usr/bin/env bash
# Reproduces every number of docs/performance.md on a fresh clone:
#   bench/run.sh            # demo and large, Casbin at demo, mid and large, 6 runs each (benchstat wants 6 for a confidence interval)
#   COUNT=10 bench/run.sh   # more runs
#   SIZES=demo bench/run.sh # the quick version (no large build)
#
# The generated databases are cached in $GATEHOUSE_BENCH_DIR (default
# $TMPDIR/gatehouse-bench); the large one takes several minutes to build
# the first time and about 2.3 GB of disk. Raw results, benchstat's view
# and the tables go to bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."

COUNT=${COUNT:-6}
SIZES=${SIZES:-demo,large}
CASBIN_SIZES=${CASBIN_SIZES:-demo,mid,large}
OUT=bench/results
mkdir -p "$OUT"

machine() {
	echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "go: $(go version)"
	echo "cpus: $(nproc)"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
	echo "memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
}
machine | tee "$OUT/machine.txt"

echo "== building or finding the databases ($SIZES and Casbin's $CASBIN_SIZES)"
go run ./bench/build $(echo "$SIZES,$CASBIN_SIZES" | tr ',' '\n' | sort -u | tr '\n' ' ') | tee "$OUT/build.txt"

echo "== Gatehouse benchmarks at $SIZES, $COUNT runs"
GATEHOUSE_BENCH_SIZES=$SIZES go test -run '^$' -bench . -count "$COUNT" -timeout 0 ./bench/ | tee "$OUT/gatehouse.txt"

echo "== Casbin against Gatehouse at $CASBIN_SIZES, $COUNT runs"
(cd bench/casbin && GATEHOUSE_CASBIN_SIZES=$CASBIN_SIZES go test -run '^$' -bench . -count "$COUNT" -timeout 0 .) | tee "$OUT/casbin.txt"

echo "== benchstat"
go run golang.org/x/perf/cmd/benchstat@latest "$OUT/gatehouse.txt" > "$OUT/benchstat-gatehouse.txt"
go run golang.org/x/perf/cmd/benchstat@latest "$OUT/casbin.txt" > "$OUT/benchstat-casbin.txt"

echo "== tables"
{
	echo '```'
	cat "$OUT/machine.txt"
	echo '```'
	echo
	go run ./bench/report "$OUT/gatehouse.txt" "$OUT/casbin.txt"
} > "$OUT/tables.md"
cat "$OUT/tables.md"
echo
echo "Tables in $OUT/tables.md; benchstat's view in $OUT/benchstat-*.txt."
