// Command benchest is Eddy's side of scripts/bench_estimators_issue5.sh
// (issue 5's speed rows): it builds one case's data, fits the estimator
// reps times and prints one JSON line per fit with the wall and CPU
// seconds of the fit alone (data generation and table building excluded,
// as on the scikit-learn side), the iterations, the final loss or
// inertia and /proc/loadavg.
//
//	go run ./scripts/benchest -case logreg|kmeans|kmeans10|gbt|gbt1|rf|rf1 [-reps 1] [-rows 1000000] [-adult FILE] [-cpuprofile FILE]
//
// Data: logreg the peers' dense set (shared/peers/datagen.py dense_rows,
// bit-exact); kmeans the peers' blobs formula with 50 features instead of
// 20 (same streams 20/21/22, k=10); gbt and rf the numeric columns of
// adult_train.csv.gz (categorical columns dropped, as in the accuracy
// table), all rows.
package main

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/estimators/gbt"
	"github.com/eddyml/eddy/estimators/kmeans"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/estimators/randomforest"
	"github.com/eddyml/eddy/pipeline/table"
)

const (
	gamma     = 0x9E3779B97F4A7C15
	streamMul = 0xD1B54A32D192ED03
	dim       = 50
)

func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

type stream uint64

func newStream(seed, s uint64) stream { return stream(mix64(seed*gamma + s*streamMul)) }

func (s stream) unif(i uint64) float64 { return float64(mix64(uint64(s)+(i+1)*gamma)>>11) * 0x1p-53 }

func (s stream) ih4(i uint64) float64 {
	v := s.unif(4 * i)
	v += s.unif(4*i + 1)
	v += s.unif(4*i + 2)
	v += s.unif(4*i + 3)
	return (v - 2) * 1.7320508075688772
}

// denseRows is the peers' dense set (seed 42): x = ih4(stream 10),
// w = 2*unif(stream 11)-1, label unif(stream 12) < sigmoid(0.25 + x·w).
func denseRows(n int) ([][]float64, []float64) {
	sx, sw, sy := newStream(42, 10), newStream(42, 11), newStream(42, 12)
	var w [dim]float64
	for j := range w {
		w[j] = 2*sw.unif(uint64(j)) - 1
	}
	x := make([][]float64, n)
	y := make([]float64, n)
	flat := make([]float64, n*dim)
	for r := range n {
		row := flat[r*dim : (r+1)*dim : (r+1)*dim]
		z := 0.25
		for j := range dim {
			row[j] = sx.ih4(uint64(r*dim + j))
			z += row[j] * w[j]
		}
		x[r] = row
		if sy.unif(uint64(r)) < 1/(1+math.Exp(-z)) {
			y[r] = 1
		}
	}
	return x, y
}

// blobs50 is the peers' blobs formula with 50 features: center[c,j] =
// (2*unif(stream 20, c*50+j)-1)*5, a[r] = min(floor(10*unif(stream 21, r)), 9),
// x[r,j] = center[a[r],j] + ih4(stream 22, r*50+j).
func blobs50(n int) [][]float64 {
	const k = 10
	sc, sa, sx := newStream(42, 20), newStream(42, 21), newStream(42, 22)
	c := make([]float64, k*dim)
	for i := range c {
		c[i] = (2*sc.unif(uint64(i)) - 1) * 5
	}
	x := make([][]float64, n)
	flat := make([]float64, n*dim)
	for r := range n {
		a := min(int(sa.unif(uint64(r))*k), k-1)
		row := flat[r*dim : (r+1)*dim : (r+1)*dim]
		for j := range dim {
			row[j] = c[a*dim+j] + sx.ih4(uint64(r*dim+j))
		}
		x[r] = row
	}
	return x
}

// readNumeric reads the columns of a gzipped CSV whose every cell parses
// as a number; target is the label.
func readNumeric(path, target string) ([][]float64, []float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	r := csv.NewReader(zr)
	header, err := r.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	var recs [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
		recs = append(recs, rec)
	}
	ti := -1
	var keep []int
	for j, name := range header {
		if name == target {
			ti = j
			continue
		}
		numeric := true
		for _, rec := range recs {
			if _, err := strconv.ParseFloat(strings.TrimSpace(rec[j]), 64); err != nil {
				numeric = false
				break
			}
		}
		if numeric {
			keep = append(keep, j)
		}
	}
	if ti < 0 {
		return nil, nil, fmt.Errorf("%s: no column %q", path, target)
	}
	x := make([][]float64, len(recs))
	y := make([]float64, len(recs))
	for i, rec := range recs {
		x[i] = make([]float64, len(keep))
		for k, j := range keep {
			x[i][k], _ = strconv.ParseFloat(strings.TrimSpace(rec[j]), 64)
		}
		if y[i], err = strconv.ParseFloat(strings.TrimSpace(rec[ti]), 64); err != nil {
			return nil, nil, fmt.Errorf("%s: line %d: label %q: %w", path, i+2, rec[ti], err)
		}
	}
	return x, y, nil
}

// cpuSeconds returns the process's user and system CPU seconds.
func cpuSeconds() (user, sys float64) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()) / 1e9, float64(ru.Stime.Nano()) / 1e9
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

type result struct {
	Case    string  `json:"case"`
	Rows    int     `json:"rows"`
	Dim     int     `json:"dim"`
	WallS   float64 `json:"wall_s"`
	CPUS    float64 `json:"cpu_s"`
	SysS    float64 `json:"sys_s"`
	Iters   int     `json:"iters,omitempty"`
	Loss    float64 `json:"loss,omitempty"`
	Inertia float64 `json:"inertia,omitempty"`
	Load    string  `json:"loadavg"`
}

func main() {
	name := flag.String("case", "", "logreg, kmeans, kmeans10, gbt, gbt1 (the same as gbt), rf or rf1")
	reps := flag.Int("reps", 1, "fits to time")
	rows := flag.Int("rows", 1_000_000, "rows of the generated sets")
	adult := flag.String("adult", "../shared/datasets/adult_train.csv.gz", "adult training CSV")
	prof := flag.String("cpuprofile", "", "write a CPU profile of the fits to this file")
	flag.Parse()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchest:", err)
			os.Exit(1)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "benchest:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*name, *reps, *rows, *adult); err != nil {
		fmt.Fprintln(os.Stderr, "benchest:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(name string, reps, rows int, adult string) error {
	var x [][]float64
	var y []float64
	switch name {
	case "logreg":
		x, y = denseRows(rows)
	case "kmeans", "kmeans10":
		x = blobs50(rows)
	case "gbt", "gbt1", "rf", "rf1":
		var err error
		if x, y, err = readNumeric(adult, "label"); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown case %q", name)
	}
	d := len(x[0])
	cols := []table.Column{table.DenseCol("features", d, x)}
	if y != nil {
		cols = append(cols, table.Col("label", y))
	}
	rec, err := table.Build(memory.NewGoAllocator(), cols...)
	if err != nil {
		return err
	}
	tbl, err := table.New(rec.Schema(), rec)
	rec.Release()
	if err != nil {
		return err
	}
	defer tbl.Release()
	ctx := context.Background()
	fit, err := fitter(name)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	for range reps {
		res := result{Case: name, Rows: len(x), Dim: d, Load: loadavg()}
		r := tbl.Reader()
		u0, s0 := cpuSeconds()
		t0 := time.Now()
		err := fit(ctx, r, &res)
		res.WallS = time.Since(t0).Seconds()
		u1, s1 := cpuSeconds()
		res.CPUS, res.SysS = u1-u0+s1-s0, s1-s0
		r.Release()
		if err != nil {
			return err
		}
		if err := enc.Encode(res); err != nil {
			return err
		}
	}
	return nil
}

func fitter(name string) (func(context.Context, table.Reader, *result) error, error) {
	switch name {
	case "logreg":
		est, err := logreg.New(map[string]any{"max_iter": 1000, "tol": 1e-4, "reg_param": 1.0})
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, r table.Reader, res *result) error {
			_, rep, err := est.FitReport(ctx, r)
			res.Iters, res.Loss = rep.Iter, rep.F
			return err
		}, nil
	case "kmeans", "kmeans10":
		nInit := 1
		if name == "kmeans10" {
			nInit = 10
		}
		est, err := kmeans.New(map[string]any{"k": 10, "init": "k-means++", "n_init": nInit, "max_iter": 300, "tol": 1e-4})
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, r table.Reader, res *result) error {
			_, rep, err := est.FitReport(ctx, r)
			res.Iters, res.Inertia = rep.Iter, rep.Inertia
			return err
		}, nil
	case "gbt", "gbt1":
		est, err := gbt.NewClassifier(map[string]any{"max_iter": 100, "max_leaf_nodes": 31, "learning_rate": 0.1,
			"max_bins": 255, "min_samples_leaf": 20, "l2_regularization": 0.0, "early_stopping": "off"})
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, r table.Reader, res *result) error {
			_, rep, err := est.FitReport(ctx, r)
			res.Iters = rep.Iterations
			if n := len(rep.TrainLoss); n > 0 {
				res.Loss = rep.TrainLoss[n-1]
			}
			return err
		}, nil
	case "rf", "rf1":
		par := 2
		if name == "rf1" {
			par = 1
		}
		est, err := randomforest.NewClassifier(map[string]any{"n_estimators": 100, "max_depth": 0,
			"min_samples_split": 2, "min_samples_leaf": 1, "max_features": "sqrt", "bootstrap": true,
			"criterion": "gini", "parallelism": par})
		if err != nil {
			return nil, err
		}
		return func(ctx context.Context, r table.Reader, _ *result) error {
			_, err := est.Fit(ctx, r)
			return err
		}, nil
	}
	return nil, fmt.Errorf("unknown case %q", name)
}
