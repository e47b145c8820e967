package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startupChildEnv names the database a re-executed test binary starts up
// on, as a process of its own, to report its memory (startupMemory).
const startupChildEnv = "GATEHOUSE_BENCH_STARTUP_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(startupChildEnv); path != "" {
		os.Exit(startupChild(path))
	}
	os.Exit(m.Run())
}

// startupChild starts up on the database (as BenchmarkStartup does) and
// prints the process's resident memory, anonymous and file-backed, and the
// Go heap in use, in KiB; then it starts up again and again for the
// benchtime it is given (at least 20 times) and prints the median time of
// one start-up. A process of its own, so that no other benchmark's heap is
// in the way: on one processor, a start-up in a process that holds a large
// organisation's caches pays for the collector walking them.
func startupChild(arg string) int {
	parts := strings.Split(arg, "|")
	if len(parts) != 3 {
		fmt.Fprintln(os.Stderr, "startup child: want path|staff|benchtime")
		return 2
	}
	id, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup child:", err)
		return 2
	}
	benchtime, err := time.ParseDuration(parts[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup child:", err)
		return 2
	}
	ctx := context.Background()
	svc, frame, err := startStaff(ctx, parts[0], id)
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup child:", err)
		return 1
	}
	sinkView = frame
	anon, file, err := residentKiB()
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup child:", err)
		return 1
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	svc.Close()
	var times []time.Duration
	for end := time.Now().Add(benchtime); len(times) < 20 || time.Now().Before(end); {
		start := time.Now()
		svc, frame, err := startStaff(ctx, parts[0], id)
		if err != nil {
			fmt.Fprintln(os.Stderr, "startup child:", err)
			return 1
		}
		times = append(times, time.Since(start))
		sinkView = frame
		svc.Close()
	}
	slices.Sort(times)
	fmt.Printf("rss-anon-KiB %d rss-file-KiB %d heap-KiB %d startup-ns %d runs %d\n", anon, file, ms.HeapInuse/1024,
		times[len(times)/2].Nanoseconds(), len(times))
	return 0
}

// residentKiB reads the process's resident memory from /proc/self/status:
// anonymous (heaps, Go's and SQLite's page cache among them) and
// file-backed (the binary, and the database's pages mapped by the read
// connections).
func residentKiB() (anon, file int64, err error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "RssAnon":
			anon = n
		case "RssFile":
			file = n
		}
	}
	return anon, file, sc.Err()
}

// startupMemory runs start-up in a fresh process (this test binary run
// again) and returns what it reports: metric name -> KiB.
func startupMemory(path string, staffID int64, benchtime time.Duration) (map[string]float64, error) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%d|%s", startupChildEnv, path, staffID, benchtime))
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("start-up in a process of its own: %w", err)
	}
	f := strings.Fields(string(out))
	m := map[string]float64{}
	for i := 0; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i+1], 64)
		if err != nil {
			return nil, fmt.Errorf("start-up memory: %q", out)
		}
		m[f[i]] = v
	}
	if len(m) != 5 {
		return nil, fmt.Errorf("start-up memory: %q", out)
	}
	return m, nil
}

func TestStartupMemoryIsMeasured(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this system")
	}
	e := tinyEnv(t)
	m, err := startupMemory(e.path, e.owner.StaffID, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if m["rss-anon-KiB"] <= 0 || m["rss-file-KiB"] <= 0 || m["heap-KiB"] <= 0 || m["startup-ns"] <= 0 || m["runs"] < 20 {
		t.Fatalf("start-up memory %v: every figure should be positive", m)
	}
}
