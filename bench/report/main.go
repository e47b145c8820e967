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

var procSuffix = regexp.MustCompile(`-\d+$`)

func parse(r io.Reader, s samples) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := procSuffix.ReplaceAllString(strings.TrimPrefix(f[0], "Benchmark"), "")
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
	return sc.Err()
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
	checks(w, s)
	pages(w, s)
	screens(w, s)
	rest(w, s)
	all(w, s)
}

// checks: the permission check, Gatehouse against the map floor and Casbin.
func checks(w io.Writer, s samples) {
	fmt.Fprintln(w, "### Permission checks (median time per check)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| benchmark | demo | mid | large |")
	fmt.Fprintln(w, "|---|---|---|---|")
	rows := []struct{ key, label string }{
		{"Check/hot", "Gatehouse Checker, same pair (hot)"},
		{"Check/stream", "Gatehouse Checker, mixed stream"},
		{"Check/map", "Go map lookup of the precomputed answer"},
		{"Check/cold-1000", "Gatehouse Checker, fresh cache (per 1,000 checks)"},
		{"Check/sql", "Service.Check (facts from SQL each call)"},
		{"GatehouseStream", "Gatehouse Checker, mixed stream (Casbin's run)"},
		{"CasbinStream", "Casbin Enforce, mixed stream"},
		{"CasbinHot", "Casbin Enforce, same request"},
	}
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | ", r.label)
		for _, size := range []string{"demo", "mid", "large"} {
			v, ok := s.get(r.key, size, "ns/op")
			fmt.Fprintf(w, "%s | ", cell(v, ok, dur))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| ratio | demo | mid | large |")
	fmt.Fprintln(w, "|---|---|---|---|")
	type rr struct{ label, a, b string }
	for _, r := range []rr{
		{"Checker stream ÷ map lookup (target ≤ 5×)", "Check/stream", "Check/map"},
		{"Checker hot ÷ map lookup", "Check/hot", "Check/map"},
		{"Casbin stream ÷ Gatehouse stream, same process (target ≥ 1,000×)", "CasbinStream", "GatehouseStream"},
		{"Casbin same request ÷ Gatehouse hot", "CasbinHot", "Check/hot"},
	} {
		fmt.Fprintf(w, "| %s | ", r.label)
		for _, size := range []string{"demo", "mid", "large"} {
			a, okA := s.get(r.a, size, "ns/op")
			b, okB := s.get(r.b, size, "ns/op")
			fmt.Fprintf(w, "%s | ", ratio(a, b, okA, okB))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Casbin policy | demo | mid | large |")
	fmt.Fprintln(w, "|---|---|---|---|")
	for _, m := range []struct{ unit, label string }{{"policy-lines", "policy lines"}, {"load-s", "load time (s)"}, {"heap-MiB", "heap (MiB)"}} {
		fmt.Fprintf(w, "| %s | ", m.label)
		for _, size := range []string{"demo", "mid", "large"} {
			v, ok := s.get("CasbinStream", size, m.unit)
			fmt.Fprintf(w, "%s | ", cell(v, ok, func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
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
	row("Go heap held after start-up (target ≤ 2×)", "Startup", "heap-KiB", kib)
	row("one access toggle with its audit entry", "Toggle", "ns/op", dur)
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
