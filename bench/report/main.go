// Command report turns raw `go test -bench -count N` output into the
// tables of docs/performance.md: the median of the N runs of each
// benchmark, per size, and the ratios the targets are about.
//
//	go run ./bench/report bench/results/*.txt
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// samples[key][size][unit] holds every run's value.
type samples map[string]map[string]map[string][]float64

var sizeNames = []string{"tiny", "demo", "mid", "large"}

var procSuffix = regexp.MustCompile(`-(\d+)$`)

// parse reads one file of `go test -bench` output. Go appends -N to every
// benchmark's name when GOMAXPROCS is N > 1, and nothing when it is 1 (a
// pinned run); a name may end in digits of its own. So the suffix is
// dropped only when every line of the file carries the same one.
func parse(r io.Reader, s samples) error {
	var lines [][]string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		lines = append(lines, f)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	suffix := ""
	for i, f := range lines {
		m := procSuffix.FindString(f[0])
		if i == 0 {
			suffix = m
		}
		if m != suffix {
			suffix = ""
			break
		}
	}
	for _, f := range lines {
		name := strings.TrimSuffix(strings.TrimPrefix(f[0], "Benchmark"), suffix)
		var parts []string
		size := ""
		for _, p := range strings.Split(name, "/") {
			if slices.Contains(sizeNames, p) {
				size = p
				continue
			}
			parts = append(parts, p)
		}
		key := strings.Join(parts, "/")
		if s[key] == nil {
			s[key] = map[string]map[string][]float64{}
		}
		if s[key][size] == nil {
			s[key][size] = map[string][]float64{}
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			s[key][size][f[i+1]] = append(s[key][size][f[i+1]], v)
		}
	}
	return nil
}

func median(xs []float64) (float64, bool) {
	if len(xs) == 0 {
		return 0, false
	}
	ys := slices.Clone(xs)
	slices.Sort(ys)
	if len(ys)%2 == 1 {
		return ys[len(ys)/2], true
	}
	return (ys[len(ys)/2-1] + ys[len(ys)/2]) / 2, true
}

func (s samples) get(key, size, unit string) (float64, bool) {
	return median(s[key][size][unit])
}

func (s samples) runs(key, size string) int { return len(s[key][size]["ns/op"]) }

func dur(ns float64) string {
	switch {
	case ns < 1e3:
		return fmt.Sprintf("%.1f ns", ns)
	case ns < 1e6:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.1f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f s", ns/1e9)
}

func ratio(a, b float64, okA, okB bool) string {
	if !okA || !okB || b == 0 {
		return "–"
	}
	r := a / b
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f×", r)
	case r >= 10:
		return fmt.Sprintf("%.1f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func cell(v float64, ok bool, format func(float64) string) string {
	if !ok {
		return "–"
	}
	return format(v)
}

func main() {
	s := samples{}
	files := os.Args[1:]
	if len(files) == 0 {
		if err := parse(os.Stdin, s); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		err = parse(f, s)
		f.Close()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	w := os.Stdout
	targets(w, s)
	checks(w, s)
	pages(w, s)
	screens(w, s)
	rest(w, s)
	all(w, s)
}

// cpu is a benchmark's processor time per op where it reported one
// (cpu-ns/op: the in-memory rows), else its wall time.
func (s samples) cpu(key, size string) (float64, bool) {
	if v, ok := s.get(key, size, "cpu-ns/op"); ok {
		return v, true
	}
	return s.get(key, size, "ns/op")
}

// casbinModels lists the Casbin models the run measured.
func casbinModels(s samples) []string {
	var out []string
	for k := range s {
		if m, ok := strings.CutPrefix(k, "Casbin/"); ok && strings.HasSuffix(m, "/stream") && m != "gatehouse/stream" {
			out = append(out, strings.TrimSuffix(m, "/stream"))
		}
	}
	slices.Sort(out)
	return out
}

// bestCasbin is the fastest model at a size, uncached ("stream") or
// through CachedEnforcer ("cached"): its name and processor time per check.
func bestCasbin(s samples, size, kind string) (string, float64, bool) {
	best, bestV, found := "", 0.0, false
	for _, m := range casbinModels(s) {
		if v, ok := s.cpu("Casbin/"+m+"/"+kind, size); ok && (!found || v < bestV) {
			best, bestV, found = m, v, true
		}
	}
	return best, bestV, found
}

var reportSizes = []string{"demo", "mid", "large"}

// checks: the permission check against the map, the memory floor, SQL
// and every Casbin set-up.
func checks(w io.Writer, s samples) {
	fmt.Fprintln(w, "### Permission checks (median per check; processor time where marked *)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| benchmark | demo | mid | large |")
	fmt.Fprintln(w, "|---|---|---|---|")
	rows := []struct{ key, label string }{
		{"Check/hot", "Gatehouse Checker, same pair (hot) *"},
		{"Check/stream", "Gatehouse Checker, mixed stream *"},
		{"Check/map", "Go map lookup of the precomputed answer *"},
		{"Check/floor", "memory floor: one dependent random read over the access data *"},
		{"Check/cold", "Gatehouse Checker, fresh (first 1,000 checks of the stream)"},
		{"Check/sql", "Service.Check (facts from SQL each call)"},
		{"Casbin/gatehouse/stream", "Gatehouse Checker, mixed stream, in Casbin's run *"},
	}
	for _, m := range casbinModels(s) {
		rows = append(rows, struct{ key, label string }{"Casbin/" + m + "/stream", "Casbin " + m + ", Enforcer *"},
			struct{ key, label string }{"Casbin/" + m + "/cached", "Casbin " + m + ", CachedEnforcer (warm) *"})
	}
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | ", r.label)
		for _, size := range reportSizes {
			v, ok := s.cpu(r.key, size)
			fmt.Fprintf(w, "%s | ", cell(v, ok, dur))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| floor working set (access data) | demo | mid | large |")
	fmt.Fprintln(w, "|---|---|---|---|")
	fmt.Fprint(w, "| MiB | ")
	for _, size := range reportSizes {
		v, ok := s.get("Check/floor", size, "working-set-MiB")
		fmt.Fprintf(w, "%s | ", cell(v, ok, func(x float64) string { return fmt.Sprintf("%.1f", x) }))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Casbin policy | model | demo | mid | large |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, m := range casbinModels(s) {
		for _, u := range []struct{ unit, label string }{{"policy-lines", "policy lines"}, {"load-s", "load time (s)"}, {"heap-MiB", "Go heap (MiB)"}} {
			fmt.Fprintf(w, "| %s | %s | ", u.label, m)
			for _, size := range reportSizes {
				v, ok := s.get("Casbin/"+m+"/stream", size, u.unit)
				fmt.Fprintf(w, "%s | ", cell(v, ok, func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }))
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintln(w)
}

// target is one line of the targets table: a ratio per size and its bound.
type target struct {
	label  string
	ratio  func(size string) (float64, string, bool) // value, what it compares, ok
	atMost bool                                      // the ratio must be at most bound (else at least)
	bound  float64
}

func targets(w io.Writer, s samples) {
	div := func(a, b string, perA float64) func(string) (float64, string, bool) {
		return func(size string) (float64, string, bool) {
			x, okA := s.cpu(a, size)
			y, okB := s.cpu(b, size)
			if !okA || !okB || y == 0 {
				return 0, "", false
			}
			x /= perA
			return x / y, dur(x) + " ÷ " + dur(y), true
		}
	}
	casbin := func(kind string) func(string) (float64, string, bool) {
		return func(size string) (float64, string, bool) {
			m, c, ok := bestCasbin(s, size, kind)
			g, okG := s.cpu("Casbin/gatehouse/stream", size)
			if !ok || !okG || g == 0 {
				return 0, "", false
			}
			return c / g, fmt.Sprintf("%s %s ÷ %s", m, dur(c), dur(g)), true
		}
	}
	growth := func(key, unit string) func(string) (float64, string, bool) {
		return func(size string) (float64, string, bool) {
			if size != "large" {
				return 0, "", false
			}
			l, okL := s.get(key, "large", unit)
			d, okD := s.get(key, "demo", unit)
			if !okL || !okD || d == 0 {
				return 0, "", false
			}
			f := dur
			if unit != "ns/op" {
				f = func(x float64) string { return fmt.Sprintf("%.0f KiB", x) }
			}
			return l / d, f(l) + " ÷ " + f(d), true
		}
	}
	perEntry := func(size string) (float64, string, bool) {
		v, ok := s.get(auditVerifyKey(s), size, "ns/entry")
		if !ok {
			return 0, "", false
		}
		return v / 1000, dur(v) + " per entry", true
	}
	ts := []target{
		{"Check stream ≥ 100× the best uncached Casbin, same stream, same process", casbin("stream"), false, 100},
		{"Check stream ≥ 10× CachedEnforcer (best model), same stream, same process", casbin("cached"), false, 10},
		{"Check stream ≤ 2× the memory floor", div("Check/stream", "Check/floor", 1), true, 2},
		{"audit verify ≤ 2 µs per entry (value in µs)", perEntry, true, 2},
		{"a toggle with its audit entry ≤ 2× SQLite's floor for it", div("Toggle/model", "Toggle/sql", 1), true, 2},
		{"a fresh Checker ≤ 1× Service.Check per check", div("Check/cold", "Check/sql", 1), true, 1},
		{"start-up at large ≤ 1.5× demo", growth("Startup", "ns/op"), true, 1.5},
		{"resident memory (anonymous) at start-up, large ≤ 2× demo", growth("Startup", "rss-anon-KiB"), true, 2},
	}
	fmt.Fprintln(w, "### Targets")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| target | demo | large | met? |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, t := range ts {
		fmt.Fprintf(w, "| %s | ", t.label)
		met, any := true, false
		for _, size := range []string{"demo", "large"} {
			v, what, ok := t.ratio(size)
			if !ok {
				fmt.Fprint(w, "– | ")
				continue
			}
			any = true
			good := v >= t.bound
			if t.atMost {
				good = v <= t.bound
			}
			met = met && good
			fmt.Fprintf(w, "%s (%s) | ", ratioText(v), what)
		}
		switch {
		case !any:
			fmt.Fprintln(w, "not measured |")
		case met:
			fmt.Fprintln(w, "met |")
		default:
			fmt.Fprintln(w, "**missed** |")
		}
	}
	fmt.Fprintln(w)
}

// auditVerifyKey is the benchmark that reports audit verification per
// entry (unit ns/entry), whatever its name.
func auditVerifyKey(s samples) string {
	for k, bySize := range s {
		for _, units := range bySize {
			if _, ok := units["ns/entry"]; ok {
				return k
			}
		}
	}
	return ""
}

func ratioText(r float64) string {
	switch {
	case r >= 100:
		return fmt.Sprintf("%.0f×", r)
	case r >= 10:
		return fmt.Sprintf("%.1f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func pageKeys(s samples) []string {
	var out []string
	for k := range s {
		if q, ok := strings.CutPrefix(k, "Page/"); ok && strings.HasSuffix(q, "/model") {
			out = append(out, strings.TrimSuffix(q, "/model"))
		}
	}
	slices.Sort(out)
	return out
}

// pages: each page query through the model and as bare SQL, per size.
func pages(w io.Writer, s samples) {
	fmt.Fprintln(w, "### Page queries (median per page of 50)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| query | demo model | demo SQL | model÷SQL | large model | large SQL | model÷SQL | large÷demo (model) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, q := range pageKeys(s) {
		fmt.Fprintf(w, "| %s | ", q)
		for _, size := range []string{"demo", "large"} {
			a, okA := s.get("Page/"+q+"/model", size, "ns/op")
			b, okB := s.get("Page/"+q+"/sql", size, "ns/op")
			fmt.Fprintf(w, "%s | %s | %s | ", cell(a, okA, dur), cell(b, okB, dur), ratio(a, b, okA, okB))
		}
		d, okD := s.get("Page/"+q+"/model", "demo", "ns/op")
		l, okL := s.get("Page/"+q+"/model", "large", "ns/op")
		fmt.Fprintf(w, "%s |\n", ratio(l, d, okL, okD))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| audit ratio | demo | large |")
	fmt.Fprintln(w, "|---|---|---|")
	for _, r := range []struct{ label, a, b string }{
		{"deep page ÷ first page (model; target ≤ 1.5×)", "Page/audit-deep-page/model", "Page/audit-first-page/model"},
		{"deep page ÷ first page, filtered by action", "Page/audit-by-action-deep/model", "Page/audit-by-action/model"},
	} {
		fmt.Fprintf(w, "| %s | ", r.label)
		for _, size := range []string{"demo", "large"} {
			a, okA := s.get(r.a, size, "ns/op")
			b, okB := s.get(r.b, size, "ns/op")
			fmt.Fprintf(w, "%s | ", ratio(a, b, okA, okB))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
}

// screens: one keystroke per screen, demo against large.
func screens(w io.Writer, s samples) {
	fmt.Fprintln(w, "### Screens (median per keystroke: Update + View, 120×40)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| screen / keystroke | demo | large | large÷demo (target ≤ 1.5×) | share of a 16.7 ms frame (large) |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	var keys []string
	for k := range s {
		if strings.HasPrefix(k, "Screen/") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		d, okD := s.get(k, "demo", "ns/op")
		l, okL := s.get(k, "large", "ns/op")
		share := "–"
		if okL {
			share = fmt.Sprintf("%.1f%%", l/16.7e6*100)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", strings.TrimPrefix(k, "Screen/"), cell(d, okD, dur), cell(l, okL, dur), ratio(l, d, okL, okD), share)
	}
	fmt.Fprintln(w)
}

// rest: start-up, memory and the two writes.
func rest(w io.Writer, s samples) {
	fmt.Fprintln(w, "### Start-up, memory and writes (medians)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| benchmark | demo | large | large÷demo |")
	fmt.Fprintln(w, "|---|---|---|---|")
	row := func(label, key, unit string, format func(float64) string) {
		d, okD := s.get(key, "demo", unit)
		l, okL := s.get(key, "large", unit)
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", label, cell(d, okD, format), cell(l, okL, format), ratio(l, d, okL, okD))
	}
	kib := func(x float64) string { return fmt.Sprintf("%.0f KiB", x) }
	row("start-up to the Staff screen's first frame (target ≤ 1.5×)", "Startup", "ns/op", dur)
	row("Go heap added by start-up", "Startup", "heap-KiB", kib)
	row("resident memory after start-up, anonymous (own process)", "Startup", "rss-anon-KiB", kib)
	row("resident memory after start-up, file-backed (own process)", "Startup", "rss-file-KiB", kib)
	row("Go heap in use after start-up (own process)", "Startup", "process-heap-KiB", kib)
	row("Go heap of the warm Checker (the stream asked four times)", "Check/stream", "checker-heap-MiB", func(x float64) string { return fmt.Sprintf("%.1f MiB", x) })
	row("one access toggle with its audit entry (model)", "Toggle/model", "ns/op", dur)
	row("the same toggle as bare SQL: toggle, chained audit entry, commit", "Toggle/sql", "ns/op", dur)
	row("a change by another handle seen by the Checker (mean; target < 1 s)", "ChangeVisible", "ns/op", dur)
	row("the same, worst of the run", "ChangeVisible", "worst-ms", func(x float64) string { return fmt.Sprintf("%.0f ms", x) })
	row("offboarding, 1,000 folders (3,000 grants)", "Offboard/folders=1000", "ns/op", dur)
	row("offboarding, 5,000 folders (15,000 grants)", "Offboard/folders=5000", "ns/op", dur)
	fmt.Fprintln(w)
}

// all: every benchmark with its number of runs, for the record.
func all(w io.Writer, s samples) {
	fmt.Fprintln(w, "<details><summary>Every benchmark: median ns/op (runs)</summary>")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| benchmark | tiny | demo | mid | large |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	var keys []string
	for k := range s {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "| %s | ", k)
		for _, size := range sizeNames {
			v, ok := s.get(k, size, "ns/op")
			c := cell(v, ok, dur)
			if ok {
				c += fmt.Sprintf(" (%d)", s.runs(k, size))
			}
			fmt.Fprintf(w, "%s | ", c)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "</details>")
}
