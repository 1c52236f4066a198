// Package esttest holds helpers for estimator tests and the accuracy
// harness: reading the shared CSV datasets (numeric columns), building
// feature tables, standardising and the deterministic train/test split
// shared with scripts/accuracy_vs_sklearn.py.
package esttest

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// DatasetDir is the shared datasets directory relative to a package
// directory estimators/<name>.
const DatasetDir = "../../../shared/datasets"

// Dataset is a numeric dataset: the numeric columns of a CSV file.
type Dataset struct {
	Names      []string    // feature names
	X          [][]float64 // rows; NaN for empty cells
	Target     []float64
	TargetName string
}

// ReadNumeric reads a gzipped CSV with a header, keeping the columns whose
// every non-empty cell parses as a number (except target, which must).
// Empty cells read as NaN. drop names columns to leave out.
func ReadNumeric(path, target string, drop ...string) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r := csv.NewReader(zr)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var rows [][]string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, rec)
	}
	ti := slices.Index(header, target)
	if ti < 0 {
		return nil, fmt.Errorf("%s: no column %q", path, target)
	}
	numeric := make([]bool, len(header))
	for j, name := range header {
		if j == ti || slices.Contains(drop, name) {
			continue
		}
		numeric[j] = true
		for _, rec := range rows {
			if rec[j] == "" {
				continue
			}
			if _, err := strconv.ParseFloat(rec[j], 64); err != nil {
				numeric[j] = false
				break
			}
		}
	}
	d := &Dataset{}
	for j, ok := range numeric {
		if ok {
			d.Names = append(d.Names, header[j])
		}
	}
	for i, rec := range rows {
		row := make([]float64, 0, len(d.Names))
		for j, ok := range numeric {
			if !ok {
				continue
			}
			v := math.NaN()
			if rec[j] != "" {
				v, _ = strconv.ParseFloat(rec[j], 64)
			}
			row = append(row, v)
		}
		y, err := strconv.ParseFloat(rec[ti], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: row %d: target %q: %w", path, i, rec[ti], err)
		}
		d.X = append(d.X, row)
		d.Target = append(d.Target, y)
		d.TargetName = target
	}
	return d, nil
}

// Standardize returns a copy of x with each column centred and divided by
// its population standard deviation (1 when 0), as scikit-learn's
// StandardScaler.
func Standardize(x [][]float64) [][]float64 {
	if len(x) == 0 {
		return nil
	}
	d, n := len(x[0]), float64(len(x))
	mean, sd := make([]float64, d), make([]float64, d)
	for _, r := range x {
		for j, v := range r {
			mean[j] += v / n
		}
	}
	for _, r := range x {
		for j, v := range r {
			sd[j] += (v - mean[j]) * (v - mean[j]) / n
		}
	}
	out := make([][]float64, len(x))
	for i, r := range x {
		out[i] = make([]float64, d)
		for j, v := range r {
			s := math.Sqrt(sd[j])
			if s < 10*2.220446049250313e-16 {
				s = 1
			}
			out[i][j] = (v - mean[j]) / s
		}
	}
	return out
}

// Table builds a one-batch table with a dense "features" column, a float64
// "label" column and, when w is not nil, a float64 "weight" column. The
// caller releases it.
func Table(mem memory.Allocator, x [][]float64, y, w []float64) (*table.Table, error) {
	cols := []table.Column{table.DenseCol("features", len(x[0]), x), table.Col("label", y)}
	if w != nil {
		cols = append(cols, table.Col("weight", w))
	}
	rec, err := table.Build(mem, cols...)
	if err != nil {
		return nil, err
	}
	defer rec.Release()
	return table.New(rec.Schema(), rec)
}

// mix64 is SplitMix64's finaliser.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// InTrain reports whether row i belongs to the training part of the
// deterministic 75/25 split with seed: u = (mix64(seed<<32 + i +
// 0x9E3779B97F4A7C15) >> 11) / 2^53 <
// 0.75. scripts/accuracy_vs_sklearn.py implements the same function.
func InTrain(seed uint64, i int) bool {
	h := mix64(seed<<32 + uint64(i) + 0x9E3779B97F4A7C15)
	return float64(h>>11)/(1<<53) < 0.75
}
