package bench

import (
	"testing"
	"time"
)

// CPUMeter measures the processor time the benchmark process spent, user
// and system, over a benchmark's loop. On a machine other work shares,
// wall time per op counts whatever ran in between; processor time counts
// only this process's own. Benchmarks that never wait for a disk (checks,
// the map, the memory floor, Casbin) report it beside ns/op as
// cpu-ns/op, and the report compares those rows by it. Run pinned to one
// processor (bench/run.sh does), the process's time is the benchmark's:
// the collector and the Checker's poller run on that processor too, inside
// the wall time as well.
type CPUMeter struct{ start time.Duration }

// StartCPU starts a meter; call it right after b.ResetTimer.
func StartCPU() CPUMeter { return CPUMeter{start: processCPU()} }

// Report records cpu-ns/op; call it right after the loop. It reports
// nothing where the platform does not tell the process's time.
func (m CPUMeter) Report(b *testing.B) {
	if m.start < 0 || b.N == 0 {
		return
	}
	end := processCPU()
	if end < 0 {
		return
	}
	b.ReportMetric(float64(end-m.start)/float64(b.N), "cpu-ns/op")
}
