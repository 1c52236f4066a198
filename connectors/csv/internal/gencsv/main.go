// Command gencsv writes the synthetic CSV used by scripts/bench_csv.sh:
//
//	go run ./connectors/csv/internal/gencsv -rows 1000000 -cols 20 -o /tmp/x.csv
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/eddyml/eddy/connectors/csv/internal/csvgen"
)

func main() {
	rows := flag.Int("rows", 1000000, "data rows")
	cols := flag.Int("cols", 20, "float64 columns")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("o", "", "output file")
	flag.Parse()
	if err := run(*out, *rows, *cols, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gencsv:", err)
		os.Exit(1)
	}
}

func run(path string, rows, cols int, seed uint64) error {
	if path == "" {
		return fmt.Errorf("-o is required")
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := csvgen.Write(f, rows, cols, seed); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
