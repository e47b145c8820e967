// Command build generates (or finds cached) the benchmark databases, so
// that bench/run.sh can build them once, with progress, before timing.
//
//	go run ./bench/build demo large
package main

import (
	"context"
	"fmt"
	"os"

	"gatehouse/bench"
)

func main() {
	names := os.Args[1:]
	if len(names) == 0 {
		names = []string{"demo", "large"}
	}
	ctx := context.Background()
	for _, n := range names {
		s, err := bench.SizeByName(n)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		path, info, err := bench.Ensure(ctx, s, func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) })
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Printf("%s\t%s\t%d rows\tgenerated in %s\t%.0f rows/s\n", s.Name, path, info.Rows, info.Elapsed, info.RowsPerSecond)
	}
}
