package accuracy

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/bisectingkmeans"
	"github.com/eddyml/eddy/estimators/gaussianmixture"
	"github.com/eddyml/eddy/estimators/internal/blobs"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/estimators/isotonicregression"
	"github.com/eddyml/eddy/estimators/kmeans"
	"github.com/eddyml/eddy/estimators/knn"
	"github.com/eddyml/eddy/estimators/linearsvc"
	"github.com/eddyml/eddy/estimators/naivebayes"
	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// miscResult is one line of scripts/accuracy_misc.py.
type miscResult struct {
	Estimator string  `json:"estimator"`
	Dataset   string  `json:"dataset"`
	Metric    string  `json:"metric"`
	Value     float64 `json:"value"`
	FitSec    float64 `json:"fit_s"`
}

func (r miscResult) key() string { return r.Estimator + "/" + r.Dataset + "/" + r.Metric }

// miscClassifiers are the classifiers of the misc table, by the name
// scripts/accuracy_misc.py uses.
var miscClassifiers = []struct {
	name string
	make func(label string) (pipeline.Estimator, error)
}{
	{"gaussian_nb", func(l string) (pipeline.Estimator, error) {
		return naivebayes.NewGaussian(map[string]any{"label_col": l})
	}},
	{"bernoulli_nb", func(l string) (pipeline.Estimator, error) {
		return naivebayes.NewBernoulli(map[string]any{"label_col": l})
	}},
	// LinearSVC has no probabilities in scikit-learn: no log loss row; the
	// AUC ranks by the margin (Eddy's probability is sigmoid(margin)).
	{"linear_svc", func(l string) (pipeline.Estimator, error) {
		return linearsvc.New(map[string]any{"label_col": l})
	}},
	{"knn_classifier", func(l string) (pipeline.Estimator, error) {
		return knn.New(map[string]any{"label_col": l})
	}},
}

const miscBlobRows = 20000

func runMiscClassifier(t *testing.T, ds dataset, name string, make func(string) (pipeline.Estimator, error)) []miscResult {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d, err := esttest.ReadNumeric(filepath.Join(datasetDir, ds.file+".csv.gz"), ds.target)
	if err != nil {
		if os.IsNotExist(err) && os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	train, test := split(mem, t, d)
	defer train.Release()
	defer test.Release()
	est, err := make(ds.target)
	if err != nil {
		t.Fatal(err)
	}
	model, fit := fitScaled(ctx, t, train, d.Names, nil, est)
	var res []miscResult
	heldOut(ctx, t, model, test, ds, func(metric string, v float64) {
		if name == "linear_svc" && metric == "log_loss" {
			return
		}
		res = append(res, miscResult{Estimator: name, Dataset: ds.name, Metric: metric, Value: v, FitSec: fit})
	})
	return res
}

// runMiscClustering fits kmeans (n_init 10) and mini_batch_kmeans (n_init
// 3, batch 1024) with seed 0 on all rows, as scikit-learn with
// random_state 0, and reports the training inertia.
func runMiscClustering(t *testing.T) []miscResult {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d, err := esttest.ReadNumeric(filepath.Join(datasetDir, "iris.csv.gz"), "label")
	if err != nil {
		if os.IsNotExist(err) && os.Getenv("CI") != "true" {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	bx, _ := blobs.Rows(42, miscBlobRows)
	sets := []struct {
		name string
		x    [][]float64
		k    int
	}{{"iris", d.X, 3}, {fmt.Sprintf("blobs (%d rows)", miscBlobRows), nil, blobs.K}}
	for i := range miscBlobRows {
		sets[1].x = append(sets[1].x, bx[i*blobs.Dim:(i+1)*blobs.Dim])
	}
	var res []miscResult
	for _, s := range sets {
		rec, err := table.Build(mem, table.DenseCol("features", len(s.x[0]), s.x))
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := table.New(rec.Schema(), rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		km, _ := kmeans.New(map[string]any{"k": s.k, "n_init": 10})
		mb, _ := kmeans.NewMiniBatch(map[string]any{"k": s.k, "n_init": 3})
		for _, est := range []interface {
			Kind() string
			FitReport(context.Context, table.Reader) (*kmeans.Model, kmeans.Report, error)
		}{km, mb} {
			r := tbl.Reader()
			start := time.Now()
			_, rep, err := est.FitReport(ctx, r)
			fit := time.Since(start).Seconds()
			r.Release()
			if err != nil {
				t.Fatal(err)
			}
			res = append(res, miscResult{Estimator: est.Kind(), Dataset: s.name, Metric: "inertia", Value: rep.Inertia, FitSec: fit})
		}
		tbl.Release()
	}
	return res
}

// runMiscMixtures fits gaussian_mixture (full covariances; n_init 5,
// blobs 1) and bisecting_kmeans (n_init 5 per split) with seed 0 on all
// rows of iris, standardised wine (mixture only) and the blobs, as
// scikit-learn with random_state 0, reporting the lower bound (mean
// log-likelihood per row) and the inertia; and isotonic_regression of the
// diabetes target on bmi (train split, out_of_bounds clip), reporting
// the held-out RMSE.
func runMiscMixtures(t *testing.T) []miscResult {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	read := func(name, target string) *esttest.Dataset {
		d, err := esttest.ReadNumeric(filepath.Join(datasetDir, name+".csv.gz"), target)
		if err != nil {
			if os.IsNotExist(err) && os.Getenv("CI") != "true" {
				t.Skip(err)
			}
			t.Fatal(err)
		}
		return d
	}
	bx, _ := blobs.Rows(42, miscBlobRows)
	var blobRows [][]float64
	for i := range miscBlobRows {
		blobRows = append(blobRows, bx[i*blobs.Dim:(i+1)*blobs.Dim])
	}
	sets := []struct {
		name      string
		x         [][]float64
		k, nInit  int
		bisecting bool
	}{
		{"iris", read("iris", "label").X, 3, 5, true},
		{"wine (standardised)", esttest.Standardize(read("wine", "label").X), 3, 5, false},
		{fmt.Sprintf("blobs (%d rows)", miscBlobRows), blobRows, blobs.K, 1, true},
	}
	var res []miscResult
	timed := func(est interface {
		Fit(context.Context, table.Reader) (pipeline.Model, error)
	}, tbl *table.Table) (pipeline.Model, float64) {
		r := tbl.Reader()
		defer r.Release()
		start := time.Now()
		m, err := est.Fit(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		return m, time.Since(start).Seconds()
	}
	for _, s := range sets {
		rec, err := table.Build(mem, table.DenseCol("features", len(s.x[0]), s.x))
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := table.New(rec.Schema(), rec)
		rec.Release()
		if err != nil {
			t.Fatal(err)
		}
		gm, _ := gaussianmixture.New(map[string]any{"k": s.k, "n_init": s.nInit})
		r := tbl.Reader()
		start := time.Now()
		_, rep, err := gm.FitReport(ctx, r)
		fit := time.Since(start).Seconds()
		r.Release()
		if err != nil {
			t.Fatal(err)
		}
		res = append(res, miscResult{Estimator: gaussianmixture.Kind, Dataset: s.name, Metric: "lower_bound", Value: rep.LowerBound, FitSec: fit})
		if s.bisecting {
			bk, _ := bisectingkmeans.New(map[string]any{"k": s.k, "n_init": 5})
			r := tbl.Reader()
			start := time.Now()
			_, rep, err := bk.FitReport(ctx, r)
			fit := time.Since(start).Seconds()
			r.Release()
			if err != nil {
				t.Fatal(err)
			}
			res = append(res, miscResult{Estimator: bisectingkmeans.Kind, Dataset: s.name, Metric: "inertia", Value: rep.Inertia, FitSec: fit})
		}
		tbl.Release()
	}
	// Isotonic regression: diabetes target on bmi.
	d := read("diabetes", "target")
	bmi := slices.Index(d.Names, "bmi")
	var trX, trY, teX, teY []float64
	for i, row := range d.X {
		if esttest.InTrain(42, i) {
			trX, trY = append(trX, row[bmi]), append(trY, d.Target[i])
		} else {
			teX, teY = append(teX, row[bmi]), append(teY, d.Target[i])
		}
	}
	train := func(x, y []float64) *table.Table {
		rec, err := table.Build(mem, table.Col("bmi", x), table.Col("target", y))
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Release()
		tbl, err := table.New(rec.Schema(), rec)
		if err != nil {
			t.Fatal(err)
		}
		return tbl
	}
	trTbl, teTbl := train(trX, trY), train(teX, teY)
	defer trTbl.Release()
	defer teTbl.Release()
	iso, _ := isotonicregression.New(map[string]any{"features_col": "bmi", "label_col": "target", "out_of_bounds": "clip"})
	m, fit := timed(iso, trTbl)
	out, err := m.Transform(ctx, teTbl.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	pred, _ := table.Float64s(out.Column(2))
	rmse, err := eval.RMSE(teY, pred, nil)
	if err != nil {
		t.Fatal(err)
	}
	res = append(res, miscResult{Estimator: isotonicregression.Kind, Dataset: "diabetes (bmi)", Metric: "rmse", Value: rmse, FitSec: fit})
	return res
}

func readMisc(t *testing.T, path string) map[string]miscResult {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]miscResult{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r miscResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out[r.key()] = r
	}
	return out
}

// miscTolerance: mini-batch k-means is stochastic and its generator
// cannot match numpy's: one run of each lands on different local optima
// within a few percent, so it is compared at 5% (documented in the
// report); everything else at the 1%.
func miscMiss(r miscResult, want float64) (float64, bool) {
	if r.Estimator == "mini_batch_kmeans" {
		d := r.Value - want
		return d, math.Abs(d) > 0.05*math.Abs(want)
	}
	return miss(r.Metric, r.Value, want)
}

// TestAccuracyMisc compares the misc estimators (naive Bayes, k-means,
// Gaussian mixture, bisecting k-means, isotonic regression...)
// with scikit-learn: small datasets against testdata/sklearn_misc.jsonl by
// default; every dataset against EDDY_MISC_SKLEARN_RESULTS when set (by
// scripts/accuracy_misc.sh), writing the markdown table to
// EDDY_MISC_ACCURACY_TABLE.
func TestAccuracyMisc(t *testing.T) {
	ref := "testdata/sklearn_misc.jsonl"
	full := os.Getenv("EDDY_MISC_SKLEARN_RESULTS") != ""
	if full {
		ref = os.Getenv("EDDY_MISC_SKLEARN_RESULTS")
	}
	want := readMisc(t, ref)
	var got []miscResult
	for _, ds := range datasets {
		if ds.task == "regression" || (!ds.small && !full) {
			continue
		}
		for _, c := range miscClassifiers {
			got = append(got, runMiscClassifier(t, ds, c.name, c.make)...)
		}
	}
	got = append(got, runMiscClustering(t)...)
	got = append(got, runMiscMixtures(t)...)
	compareTable(t, got, want, ref, "Eddy", "scikit-learn", "EDDY_MISC_ACCURACY_TABLE", miscMiss)
}
