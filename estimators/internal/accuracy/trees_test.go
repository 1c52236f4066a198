package accuracy

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/decisiontree"
	"github.com/eddyml/eddy/estimators/gbt"
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/estimators/randomforest"
	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// treeModel is one tree estimator of the comparison: the seeds whose
// metrics are averaged and how to build the estimator for a task and a
// seed. Keep in step with MODELS in scripts/accuracy_trees.py.
type treeModel struct {
	name  string
	seeds int
	new   func(task string, seed int64) (pipeline.Estimator, error)
}

var treeModels = []treeModel{
	{"decision_tree", 20, func(task string, seed int64) (pipeline.Estimator, error) {
		if task == "regression" {
			return decisiontree.NewRegressor(map[string]any{"seed": seed})
		}
		return decisiontree.NewClassifier(map[string]any{"seed": seed})
	}},
	{"random_forest", 3, func(task string, seed int64) (pipeline.Estimator, error) {
		if task == "regression" {
			return randomforest.NewRegressor(map[string]any{"seed": seed, "n_estimators": 100})
		}
		return randomforest.NewClassifier(map[string]any{"seed": seed, "n_estimators": 100})
	}},
	{"gbt", 1, func(task string, seed int64) (pipeline.Estimator, error) {
		p := map[string]any{"seed": seed, "max_iter": 100, "early_stopping": "off"}
		if task == "regression" {
			return gbt.NewRegressor(p)
		}
		return gbt.NewClassifier(p)
	}},
}

type treeResult struct {
	Model   string  `json:"model"`
	Dataset string  `json:"dataset"`
	Metric  string  `json:"metric"`
	Value   float64 `json:"value"`
	FitSec  float64 `json:"fit_s"`
}

// runTrees fits every seed of tm on ds and returns the mean held-out
// metrics: accuracy and AUC (binary) or macro F1 (multiclass), RMSE and
// R2 (regression).
func runTrees(t *testing.T, tm treeModel, ds dataset, d *esttest.Dataset) []treeResult {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	var trX, teX [][]float64
	var trY, teY []float64
	for i, row := range d.X {
		if esttest.InTrain(42, i) {
			trX, trY = append(trX, row), append(trY, d.Target[i])
		} else {
			teX, teY = append(teX, row), append(teY, d.Target[i])
		}
	}
	train, err := esttest.Table(mem, trX, trY, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer train.Release()
	test, err := esttest.Table(mem, teX, teY, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer test.Release()
	sums := map[string]float64{}
	var order []string
	var fit float64
	for seed := range tm.seeds {
		est, err := tm.new(ds.task, int64(seed))
		if err != nil {
			t.Fatal(err)
		}
		r := train.Reader()
		start := time.Now()
		model, err := est.Fit(ctx, r)
		fit += time.Since(start).Seconds()
		r.Release()
		if err != nil {
			t.Fatalf("%s %s: %v", tm.name, ds.name, err)
		}
		out, err := model.Transform(ctx, test.Batch(0))
		if err != nil {
			t.Fatal(err)
		}
		scored, err := table.New(out.Schema(), out)
		out.Release()
		if err != nil {
			t.Fatal(err)
		}
		rd := scored.Reader()
		add := func(metric string, v float64) {
			if _, ok := sums[metric]; !ok {
				order = append(order, metric)
			}
			sums[metric] += v
		}
		switch ds.task {
		case "binary":
			m, err := eval.BinaryClassification(rd, "label", "probability")
			if err != nil {
				t.Fatal(err)
			}
			add("accuracy", m.Accuracy)
			add("auc", m.AUC)
		case "multiclass":
			m, err := eval.MulticlassClassification(rd, "label", "prediction")
			if err != nil {
				t.Fatal(err)
			}
			add("accuracy", m.Accuracy)
			add("macro_f1", m.MacroF1)
		case "regression":
			m, err := eval.Regression(rd, "label", "prediction")
			if err != nil {
				t.Fatal(err)
			}
			add("rmse", m.RMSE)
			add("r2", m.R2)
		}
		rd.Release()
		scored.Release()
	}
	var res []treeResult
	for _, metric := range order {
		res = append(res, treeResult{Model: tm.name, Dataset: ds.name, Metric: metric,
			Value: sums[metric] / float64(tm.seeds), FitSec: fit / float64(tm.seeds)})
	}
	return res
}

// treeMiss is miss with R2 compared absolutely, as accuracy: a fully
// grown tree's R2 near 0 (diabetes) makes a relative 1% meaningless.
func treeMiss(metric string, got, want float64) (float64, bool) {
	if metric == "r2" {
		return got - want, math.Abs(got-want) > 0.01
	}
	return miss(metric, got, want)
}

func readTreeResults(t *testing.T, path string) map[string]treeResult {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]treeResult{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r treeResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out[r.Model+"/"+r.Dataset+"/"+r.Metric] = r
	}
	return out
}

// TestTreesVsSklearn compares the held-out metrics of the tree
// estimators (means over seeds) with scikit-learn's: the small datasets
// against testdata/trees_sklearn.jsonl by default; every dataset against
// EDDY_TREES_SKLEARN_RESULTS when set (by scripts/accuracy_trees.sh),
// writing the markdown table to EDDY_TREES_TABLE. EDDY_TREES_MODELS
// (comma-separated) restricts the models.
func TestTreesVsSklearn(t *testing.T) {
	ref := "testdata/trees_sklearn.jsonl"
	full := os.Getenv("EDDY_TREES_SKLEARN_RESULTS") != ""
	if full {
		ref = os.Getenv("EDDY_TREES_SKLEARN_RESULTS")
	}
	want := readTreeResults(t, ref)
	only := os.Getenv("EDDY_TREES_MODELS")
	var sb strings.Builder
	sb.WriteString("| model | dataset | metric | Eddy | scikit-learn | diff | Eddy fit s | sklearn fit s |\n|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, ds := range datasets {
		if !ds.small && !full {
			continue
		}
		d, err := esttest.ReadNumeric(filepath.Join(datasetDir, ds.file+".csv.gz"), ds.target)
		if err != nil {
			if os.IsNotExist(err) && os.Getenv("CI") != "true" {
				t.Skip(err)
			}
			t.Fatal(err)
		}
		for _, tm := range treeModels {
			if only != "" && !strings.Contains(","+only+",", ","+tm.name+",") {
				continue
			}
			for _, r := range runTrees(t, tm, ds, d) {
				w, ok := want[r.Model+"/"+r.Dataset+"/"+r.Metric]
				if !ok {
					t.Errorf("%s %s %s: no scikit-learn value in %s", r.Model, r.Dataset, r.Metric, ref)
					continue
				}
				diff, bad := treeMiss(r.Metric, r.Value, w.Value)
				flag := ""
				if bad {
					flag = " **miss**"
					t.Errorf("%s %s %s: Eddy %.4f, scikit-learn %.4f", r.Model, r.Dataset, r.Metric, r.Value, w.Value)
				}
				fmt.Fprintf(&sb, "| %s | %s | %s | %.4f | %.4f | %+.4f%s | %.3f | %.3f |\n", r.Model, r.Dataset, r.Metric,
					r.Value, w.Value, diff, flag, r.FitSec, w.FitSec)
			}
		}
	}
	t.Log("\n" + sb.String())
	if path := os.Getenv("EDDY_TREES_TABLE"); path != "" {
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
