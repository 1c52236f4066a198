package accuracy

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// sgdAlpha is scripts/accuracy_sgd.py's alpha.
const sgdAlpha = 1e-4

// sgdSeeds is the number of seeds averaged per dataset, as
// scripts/accuracy_sgd.py: 100 on the small sets, where one run's
// held-out accuracy varies by a few test rows (breast_cancer: standard
// deviation 0.015 over seeds), 20 on the others.
func sgdSeeds(ds dataset) int {
	if ds.small {
		return 100
	}
	return 20
}

// runSGD fits logistic_regression with solver sgd as scikit-learn's
// SGDClassifier(loss="log_loss", alpha=1e-4, max_iter=1000, tol=1e-3)
// after a standard scaler: reg_param is alpha times the training rows
// (Eddy sums the loss where scikit-learn averages it). Each metric is the
// mean over seeds 0..sgdSeeds(ds)-1.
func runSGD(t *testing.T, ds dataset) []miscResult {
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
	seeds := sgdSeeds(ds)
	var sum []miscResult
	for seed := range seeds {
		est, err := logreg.New(map[string]any{"label_col": ds.target, "solver": "sgd",
			"reg_param": sgdAlpha * float64(train.NumRows()), "max_iter": 1000, "tol": 1e-3, "seed": int64(seed)})
		if err != nil {
			t.Fatal(err)
		}
		model, fit := fitScaled(ctx, t, train, d.Names, nil, est)
		res := scoreSGD(t, ctx, ds, model, test, fit)
		if sum == nil {
			sum = res
			continue
		}
		for i := range res {
			sum[i].Value += res[i].Value
			sum[i].FitSec += res[i].FitSec
		}
	}
	for i := range sum {
		sum[i].Value /= float64(seeds)
		sum[i].FitSec /= float64(seeds)
	}
	return sum
}

// scoreSGD computes the held-out metrics of one fitted pipeline.
func scoreSGD(t *testing.T, ctx context.Context, ds dataset, model pipeline.Model, test *table.Table, fit float64) []miscResult {
	var res []miscResult
	heldOut(ctx, t, model, test, ds, func(metric string, v float64) {
		res = append(res, miscResult{Estimator: "sgd_logistic_regression", Dataset: ds.name, Metric: metric, Value: v, FitSec: fit})
	})
	return res
}

// sgdMiss checks accuracy, AUC and macro F1 at the 1% absolute,
// one-sided ("within 1% of scikit-learn or better"): on iris and wine
// Eddy fits a multinomial model where SGDClassifier fits one-vs-rest,
// which is better on iris. The log loss of an SGD run depends on where
// the last epochs leave it (on breast_cancer single runs range over a
// factor of several, and on wine one confident error among 100 runs moves
// a mean of 0.003 to 0.03), so it is checked one-sided at 25% relative or
// 0.05 absolute, whichever is larger.
func sgdMiss(r miscResult, want float64) (float64, bool) {
	d := r.Value - want
	if r.Metric == "log_loss" {
		return d, d > math.Max(0.25*math.Abs(want), 0.05)
	}
	return d, d < -0.01
}

// TestAccuracySGD compares logistic regression with solver sgd with
// scikit-learn's SGDClassifier(loss="log_loss"): small datasets against
// testdata/sklearn_sgd.jsonl by default; every classification dataset
// against EDDY_SGD_SKLEARN_RESULTS when set (by scripts/accuracy_sgd.sh),
// writing the markdown table to EDDY_SGD_ACCURACY_TABLE.
func TestAccuracySGD(t *testing.T) {
	ref := "testdata/sklearn_sgd.jsonl"
	full := os.Getenv("EDDY_SGD_SKLEARN_RESULTS") != ""
	if full {
		ref = os.Getenv("EDDY_SGD_SKLEARN_RESULTS")
	}
	want := readMisc(t, ref)
	var got []miscResult
	for _, ds := range datasets {
		if ds.task == "regression" || (!ds.small && !full) {
			continue
		}
		got = append(got, runSGD(t, ds)...)
	}
	compareTable(t, got, want, ref, "Eddy (mean over seeds)", "scikit-learn (mean over seeds)", "EDDY_SGD_ACCURACY_TABLE", sgdMiss)
}
