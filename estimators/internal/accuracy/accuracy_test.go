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
	"github.com/eddyml/eddy/estimators/internal/esttest"
	"github.com/eddyml/eddy/estimators/linreg"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/standardscaler"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

const datasetDir = "../../../../shared/datasets"

type dataset struct {
	name, file, target, task string // task: binary, multiclass, regression
	small                    bool
}

var datasets = []dataset{
	{"iris", "iris", "label", "multiclass", true},
	{"wine", "wine", "label", "multiclass", true},
	{"breast_cancer", "breast_cancer", "label", "binary", true},
	{"adult (numeric)", "adult_train", "label", "binary", false},
	{"magic_telescope", "magic_telescope", "label", "binary", false},
	{"elec2", "elec2", "label", "binary", false},
	{"diabetes", "diabetes", "target", "regression", true},
	{"nyc_taxis (numeric)", "nyc_taxis", "target", "regression", false},
}

type result struct {
	Dataset string  `json:"dataset"`
	Metric  string  `json:"metric"`
	Value   float64 `json:"value"`
	FitSec  float64 `json:"fit_s,omitempty"`
}

func run(t *testing.T, ds dataset) []result {
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
	var est pipeline.Estimator
	if ds.task == "regression" {
		est, err = linreg.New(map[string]any{"label_col": ds.target})
	} else {
		est, err = logreg.New(map[string]any{"label_col": ds.target, "max_iter": 1000})
	}
	if err != nil {
		t.Fatal(err)
	}
	model, fit := fitScaled(ctx, t, train, d.Names, nil, est)
	var res []result
	heldOut(ctx, t, model, test, ds, func(metric string, v float64) {
		res = append(res, result{Dataset: ds.name, Metric: metric, Value: v, FitSec: fit})
	})
	return res
}

// heldOut scores the test table with model and passes each held-out
// metric of ds's task to add: accuracy, AUC and log loss (binary),
// accuracy, macro F1 and log loss (multiclass), RMSE and R2 (regression).
func heldOut(ctx context.Context, t *testing.T, model pipeline.Model, test *table.Table, ds dataset, add func(metric string, v float64)) {
	t.Helper()
	out, err := model.Transform(ctx, test.Batch(0))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	scored, err := table.New(out.Schema(), out)
	if err != nil {
		t.Fatal(err)
	}
	defer scored.Release()
	rd := scored.Reader()
	defer rd.Release()
	switch ds.task {
	case "binary":
		m, err := eval.BinaryClassification(rd, ds.target, "probability")
		if err != nil {
			t.Fatal(err)
		}
		add("accuracy", m.Accuracy)
		add("auc", m.AUC)
		add("log_loss", m.LogLoss)
	case "multiclass":
		m, err := eval.MulticlassClassification(rd, ds.target, "prediction", eval.WithProbabilityCol("probability"))
		if err != nil {
			t.Fatal(err)
		}
		add("accuracy", m.Accuracy)
		add("macro_f1", m.MacroF1)
		add("log_loss", m.LogLoss)
	case "regression":
		m, err := eval.Regression(rd, ds.target, "prediction")
		if err != nil {
			t.Fatal(err)
		}
		add("rmse", m.RMSE)
		add("r2", m.R2)
	default:
		t.Fatalf("dataset %s: unknown task %q", ds.name, ds.task)
	}
}

// fitScaled fits vector_assembler (names -> "raw"), a scaler ("raw" ->
// "features"; nil: standard_scaler) and est on train, and returns the
// model and the fit's wall seconds.
func fitScaled(ctx context.Context, t *testing.T, train *table.Table, names []string, scaler pipeline.Stage, est pipeline.Stage) (pipeline.Model, float64) {
	t.Helper()
	va, err := vectorassembler.New(map[string]any{"input_cols": names, "output_col": "raw"})
	if err != nil {
		t.Fatal(err)
	}
	if scaler == nil {
		if scaler, err = standardscaler.New(map[string]any{"input_col": "raw", "output_col": "features"}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := pipeline.NewPipeline(va, scaler, est)
	if err != nil {
		t.Fatal(err)
	}
	r := train.Reader()
	defer r.Release()
	start := time.Now()
	model, err := p.Fit(ctx, r)
	fit := time.Since(start).Seconds()
	if err != nil {
		t.Fatalf("%s: %v", est.Kind(), err)
	}
	return model, fit
}

// compareTable checks each of got against scikit-learn's value in want
// (read from ref) with miss, failing the test on a miss or a missing
// value, logs the markdown table (the Eddy and scikit-learn column titles
// given) and writes it to the file named by the environment variable
// tableEnv when set.
func compareTable(t *testing.T, got []miscResult, want map[string]miscResult, ref, eddyCol, sklearnCol, tableEnv string, miss func(r miscResult, want float64) (float64, bool)) {
	t.Helper()
	var sb strings.Builder
	fmt.Fprintf(&sb, "| estimator | dataset | metric | %s | %s | diff | Eddy fit s | sklearn fit s |\n|---|---|---|---:|---:|---:|---:|---:|\n", eddyCol, sklearnCol)
	for _, r := range got {
		w, ok := want[r.key()]
		if !ok {
			t.Errorf("%s: no scikit-learn value in %s", r.key(), ref)
			continue
		}
		diff, bad := miss(r, w.Value)
		flag := ""
		if bad {
			flag = " **miss**"
			t.Errorf("%s: Eddy %.4f, scikit-learn %.4f", r.key(), r.Value, w.Value)
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %.4f | %.4f | %+.4f%s | %.3f | %.3f |\n", r.Estimator, r.Dataset, r.Metric, r.Value, w.Value, diff, flag, r.FitSec, w.FitSec)
	}
	t.Log("\n" + sb.String())
	if path := os.Getenv(tableEnv); path != "" {
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// split builds the train and test tables: one float64 column per feature
// and the target, rows assigned by esttest.InTrain(42, i).
func split(mem memory.Allocator, t *testing.T, d *esttest.Dataset) (train, test *table.Table) {
	build := func(want bool) *table.Table {
		cols := make([][]float64, len(d.Names))
		var y []float64
		for i, row := range d.X {
			if esttest.InTrain(42, i) != want {
				continue
			}
			for j, v := range row {
				cols[j] = append(cols[j], v)
			}
			y = append(y, d.Target[i])
		}
		var cs []table.Column
		for j, name := range d.Names {
			cs = append(cs, table.Col(name, cols[j]))
		}
		cs = append(cs, table.Col("label", y))
		if d.TargetName != "label" {
			cs[len(cs)-1] = table.Col(d.TargetName, y)
		}
		rec, err := table.Build(mem, cs...)
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
	return build(true), build(false)
}

func readResults(t *testing.T, path string) map[string]result {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]result{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out[r.Dataset+"/"+r.Metric] = r
	}
	return out
}

// miss reports whether got is more than 1% away from want.
func miss(metric string, got, want float64) (diff float64, bad bool) {
	diff = got - want
	switch metric {
	case "accuracy", "auc", "macro_f1":
		return diff, math.Abs(diff) > 0.01
	}
	return diff, math.Abs(diff) > 0.01*math.Abs(want)
}

// TestAccuracyVsSklearn compares held-out metrics with scikit-learn's:
// the small datasets against testdata/sklearn.jsonl by default; every
// dataset against EDDY_SKLEARN_RESULTS when set (by the script), writing
// the markdown table to EDDY_ACCURACY_TABLE.
func TestAccuracyVsSklearn(t *testing.T) {
	ref := "testdata/sklearn.jsonl"
	full := os.Getenv("EDDY_SKLEARN_RESULTS") != ""
	if full {
		ref = os.Getenv("EDDY_SKLEARN_RESULTS")
	}
	want := readResults(t, ref)
	var sb strings.Builder
	sb.WriteString("| dataset | metric | Eddy | scikit-learn | diff | Eddy fit s | sklearn fit s |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, ds := range datasets {
		if !ds.small && !full {
			continue
		}
		for _, r := range run(t, ds) {
			w, ok := want[r.Dataset+"/"+r.Metric]
			if !ok {
				t.Errorf("%s %s: no scikit-learn value in %s", r.Dataset, r.Metric, ref)
				continue
			}
			diff, bad := miss(r.Metric, r.Value, w.Value)
			flag := ""
			if bad {
				flag = " **miss**"
				t.Errorf("%s %s: Eddy %.4f, scikit-learn %.4f", r.Dataset, r.Metric, r.Value, w.Value)
			}
			fmt.Fprintf(&sb, "| %s | %s | %.4f | %.4f | %+.4f%s | %.3f | %.3f |\n", r.Dataset, r.Metric, r.Value, w.Value, diff, flag, r.FitSec, w.FitSec)
		}
	}
	t.Log("\n" + sb.String())
	if path := os.Getenv("EDDY_ACCURACY_TABLE"); path != "" {
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
