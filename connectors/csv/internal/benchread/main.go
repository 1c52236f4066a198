// Command benchread reads a CSV file with connectors/csv and prints the row
// count and the best wall time of -n runs, for scripts/bench_csv.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/eddyml/eddy/connectors/csv"
)

func main() {
	n := flag.Int("n", 3, "runs")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: benchread [-n runs] FILE")
		os.Exit(2)
	}
	best := time.Duration(0)
	var rows int64
	for i := 0; i < *n; i++ {
		start := time.Now()
		var err error
		rows, err = read(flag.Arg(0))
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchread:", err)
			os.Exit(1)
		}
		if d := time.Since(start); best == 0 || d < best {
			best = d
		}
	}
	fmt.Printf("%d %.4f\n", rows, best.Seconds())
}

func read(path string) (int64, error) {
	r, err := csv.Open(context.Background(), path, csv.Options{})
	if err != nil {
		return 0, err
	}
	defer r.Release()
	var rows int64
	for r.Next() {
		rows += r.Record().NumRows()
	}
	return rows, r.Err()
}
