package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
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
// Go heap in use, in KiB.
func startupChild(arg string) int {
	path, staff, _ := strings.Cut(arg, "|")
	id, err := strconv.ParseInt(staff, 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup child:", err)
		return 2
	}
	svc, frame, err := startStaff(context.Background(), path, id)
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup child:", err)
		return 1
	}
	defer svc.Close()
	sinkView = frame
	anon, file, err := residentKiB()
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup child:", err)
		return 1
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("rss-anon-KiB %d rss-file-KiB %d heap-KiB %d\n", anon, file, ms.HeapInuse/1024)
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
func startupMemory(path string, staffID int64) (map[string]float64, error) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s|%d", startupChildEnv, path, staffID))
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
	if len(m) != 3 {
		return nil, fmt.Errorf("start-up memory: %q", out)
	}
	return m, nil
}

func TestStartupMemoryIsMeasured(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc on this system")
	}
	e := tinyEnv(t)
	m, err := startupMemory(e.path, e.owner.StaffID)
	if err != nil {
		t.Fatal(err)
	}
	if m["rss-anon-KiB"] <= 0 || m["rss-file-KiB"] <= 0 || m["heap-KiB"] <= 0 {
		t.Fatalf("start-up memory %v: every figure should be positive", m)
	}
}
