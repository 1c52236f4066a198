package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/table"
)

const specDir = "../spec/testdata"

// metricOf returns the value of a metric row of train's output.
func metricOf(t *testing.T, out, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + name + `\s+(\S+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %s in output:\n%s", name, out)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return v
}

func TestTrainBreastCancer(t *testing.T) {
	data := filepath.Join(datasetsDir(t), "breast_cancer.csv.gz")
	dir := t.TempDir()
	args := func(model string, extra ...string) []string {
		return append([]string{"train", "--pipeline", filepath.Join(specDir, "breast_cancer.yaml"), "--input", data, "--model", model}, extra...)
	}
	out, errOut, code := run(t, args(filepath.Join(dir, "m1"))...)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	if !regexp.MustCompile(`^task\s+binary\n`).MatchString(out) {
		t.Errorf("output:\n%s", out)
	}
	if acc := metricOf(t, out, "accuracy"); acc < 0.95 {
		t.Errorf("held-out accuracy %.4f < 0.95", acc)
	}
	if auc := metricOf(t, out, "auc"); auc < 0.98 {
		t.Errorf("held-out AUC %.4f < 0.98", auc)
	}
	if n := metricOf(t, out, "rows"); n < 100 || n > 190 {
		t.Errorf("held-out rows %v, want about a quarter of 569", n)
	}
	for _, want := range []string{
		"read 569 rows", "held out (test fraction 0.25, seed 42)",
		"stage 1/3: vector_assembler (transformer): transformed", "stage 2/3: standard_scaler (estimator): fit on",
		"stage 3/3: logistic_regression (estimator): fit on", "saved model (3 stages) to " + filepath.Join(dir, "m1"),
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if md, err := modelio.ReadMetadata(filepath.Join(dir, "m1")); err != nil || md.Kind != pipeline.KindPipelineModel {
		t.Errorf("saved model: %+v %v", md, err)
	}

	// Reproducible: the same seed gives the same metrics; the seed flag
	// overrides the file's.
	out2, errOut2, code := run(t, args(filepath.Join(dir, "m2"))...)
	if code != 0 || out2 != out {
		t.Errorf("second run (code %d, %s) differs:\n%s\nvs\n%s", code, errOut2, out2, out)
	}
	out3, errOut3, code := run(t, args(filepath.Join(dir, "m3"), "--seed", "5", "--test-fraction", "0.4")...)
	if code != 0 || !strings.Contains(errOut3, "(test fraction 0.4, seed 5)") {
		t.Errorf("flags not applied: code %d\n%s", code, errOut3)
	}
	if n := metricOf(t, out3, "rows"); n < 180 {
		t.Errorf("test fraction 0.4: %v held-out rows", n)
	}

	// An existing model is not replaced without --force.
	_, errOut, code = run(t, args(filepath.Join(dir, "m1"))...)
	if code != 1 || !strings.Contains(errOut, "already exists (use --force") {
		t.Errorf("existing model: code %d, %s", code, errOut)
	}
	if _, errOut, code = run(t, args(filepath.Join(dir, "m1"), "--force")...); code != 0 {
		t.Errorf("--force: code %d, %s", code, errOut)
	}
}

// TestTrainModelRoundTrip fits in-process with a checked allocator, saves
// the model as a directory and as a tar file, loads both back and checks
// that they score the held-out rows exactly as the fitted model did.
func TestTrainModelRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	data := filepath.Join(datasetsDir(t), "breast_cancer.csv.gz")
	ps, err := readPipeline(filepath.Join(specDir, "breast_cancer.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := connectors.Open(ctx, data, connectors.ReadOptions{Allocator: mem, BatchSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	res, err := trainPipeline(ctx, ps, src, &log)
	src.Release()
	if err != nil {
		t.Fatal(err)
	}
	defer res.Release()
	if res.Task != "binary" {
		t.Errorf("task %q", res.Task)
	}
	for _, m := range res.Metrics {
		if m.Name == "accuracy" && m.Value < 0.95 {
			t.Errorf("accuracy %.4f < 0.95", m.Value)
		}
	}
	dir := t.TempDir()
	for _, path := range []string{filepath.Join(dir, "model"), filepath.Join(dir, "model.tar")} {
		if err := modelio.Save(res.Model, path, nil); err != nil {
			t.Fatal(err)
		}
		loaded, err := modelio.Load(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		tr, ok := loaded.(pipeline.Transformer)
		if !ok {
			t.Fatalf("%s: loaded %T", path, loaded)
		}
		scored, err := pipeline.TransformTable(ctx, tr, res.Test)
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range []string{"prediction", "probability", "raw_prediction", "scaled"} {
			a, b := columnValues(t, res.Scored, col), columnValues(t, scored, col)
			if len(a) == 0 || len(a) != len(b) {
				t.Fatalf("%s: column %s: %d vs %d values", path, col, len(a), len(b))
			}
			for i := range a {
				if a[i] != b[i] {
					t.Fatalf("%s: column %s value %d: fitted %v, loaded %v", path, col, i, a[i], b[i])
				}
			}
		}
		scored.Release()
	}
}

// columnValues returns every float64 of a column of tbl (vector columns
// flattened).
func columnValues(t *testing.T, tbl *table.Table, col string) []float64 {
	t.Helper()
	idx := tbl.Schema().FieldIndices(col)
	if len(idx) != 1 {
		t.Fatalf("no column %q", col)
	}
	var out []float64
	for i := 0; i < tbl.NumBatches(); i++ {
		arr := tbl.Batch(i).Column(idx[0])
		if l, ok := arr.(*array.FixedSizeList); ok {
			arr = l.ListValues()
		}
		f, ok := arr.(*array.Float64)
		if !ok {
			t.Fatalf("column %q has type %s", col, arr.DataType())
		}
		out = append(out, f.Float64Values()...)
	}
	return out
}

func TestTrainIrisMulticlass(t *testing.T) {
	data := filepath.Join(datasetsDir(t), "iris.csv.gz")
	out, errOut, code := run(t, "train", "--pipeline", filepath.Join(specDir, "iris.yaml"), "--input", data, "--model", filepath.Join(t.TempDir(), "iris"))
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	if !regexp.MustCompile(`(?m)^task\s+multiclass$`).MatchString(out) {
		t.Errorf("task not multiclass:\n%s", out)
	}
	if acc := metricOf(t, out, "accuracy"); acc < 0.9 {
		t.Errorf("iris accuracy %.4f < 0.9", acc)
	}
	if ll := metricOf(t, out, "log_loss"); !(ll > 0 && ll < 0.5) {
		t.Errorf("iris log loss %v", ll)
	}
}

func TestTrainDiabetesRegression(t *testing.T) {
	data := filepath.Join(datasetsDir(t), "diabetes.csv.gz")
	model := filepath.Join(t.TempDir(), "diabetes.tar")
	out, errOut, code := run(t, "train", "--pipeline", filepath.Join(specDir, "diabetes.yaml"), "--input", data, "--model", model)
	if code != 0 {
		t.Fatalf("code %d: %s", code, errOut)
	}
	if !regexp.MustCompile(`(?m)^task\s+regression$`).MatchString(out) {
		t.Errorf("task not regression:\n%s", out)
	}
	// OLS on diabetes: R2 about 0.5 on held-out rows, RMSE about 54.
	if r2 := metricOf(t, out, "r2"); r2 < 0.35 || r2 > 0.7 {
		t.Errorf("diabetes R2 %.4f", r2)
	}
	if rmse := metricOf(t, out, "rmse"); rmse < 40 || rmse > 70 {
		t.Errorf("diabetes RMSE %.4f", rmse)
	}
	if st, err := os.Stat(model); err != nil || !st.Mode().IsRegular() {
		t.Fatalf("model file: %v", err)
	}
	if _, err := modelio.Load(model, nil); err != nil {
		t.Errorf("load %s: %v", model, err)
	}
}

func TestTrainBadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	csv := write("nolabel.csv", "a,b,y\n1,2,0\n2,1,1\n3,3,0\n4,0,1\n5,2,0\n6,1,1\n7,3,0\n8,1,1\n")
	good := write("p.yaml", `stages:
  - kind: vector_assembler
    params: {input_cols: [a, b], output_col: features}
  - kind: logistic_regression
    params: {features_col: features}
`)
	bad := write("bad.yaml", `task: classify
stages:
  - kind: vector_assembler
    params: {input_cols: [a, b], output: features}
  - kind: logistic_regresion
`)
	oneClass := write("one.csv", "a,b,label\n1,2,1\n2,1,1\n3,3,1\n4,0,1\n5,2,1\n6,1,1\n7,3,1\n8,1,1\n")
	model := filepath.Join(dir, "m")
	for i, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--pipeline", good, "--input", csv, "--model", model},
			[]string{good + `:1:1: label column "label" is not in the input; input columns: a, b, y`}},
		{[]string{"--pipeline", bad, "--input", csv, "--model", model}, []string{
			bad + `:1:7: task: want one of auto, binary, multiclass, regression, clustering, got str "classify"`,
			bad + `:4:34: stage 1 (vector_assembler): unknown param "output"; did you mean output_col?`,
			bad + `:5:11: stage 2 (logistic_regresion): unknown kind "logistic_regresion"; did you mean logistic_regression?`}},
		{[]string{"--pipeline", good, "--input", oneClass, "--model", model, "--test-fraction", "0"},
			[]string{`stage 2 (logistic_regression): fit:`, `label column "label" has only one class`}},
		{[]string{"--pipeline", good, "--input", filepath.Join(dir, "missing.csv"), "--model", model}, []string{"missing.csv"}},
		{[]string{"--pipeline", filepath.Join(dir, "nope.yaml"), "--input", csv, "--model", model}, []string{"pipeline: open", "nope.yaml"}},
		{[]string{"--input", csv, "--model", model}, []string{"--pipeline is required"}},
		{[]string{"--pipeline", good, "--input", csv, "--model", model, "--test-fraction", "1.5"}, []string{"--test-fraction: want a fraction in [0, 1), got 1.5"}},
	} {
		_, errOut, code := run(t, append([]string{"train"}, tc.args...)...)
		if code != 1 {
			t.Errorf("%d: code %d, stderr %s", i, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(errOut, w) {
				t.Errorf("%d: stderr lacks %q:\n%s", i, w, errOut)
			}
		}
	}
	if _, err := os.Stat(model); !os.IsNotExist(err) {
		t.Errorf("a failed train left a model: %v", err)
	}
	// With label_col pointing at y the same data trains (no held-out
	// split: 8 rows), and says there was nothing to evaluate.
	relabel := write("y.yaml", `label_col: y
split: {test: 0}
stages:
  - kind: vector_assembler
    params: {input_cols: [a, b], output_col: features}
  - kind: logistic_regression
    params: {features_col: features}
`)
	out, errOut, code := run(t, "train", "--pipeline", relabel, "--input", csv, "--model", model)
	if code != 0 || !strings.Contains(out, "no held-out split") || !strings.Contains(errOut, "all to train") {
		t.Errorf("label y: code %d\n%s\n%s", code, out, errOut)
	}
}

func TestPipelineValidate(t *testing.T) {
	bc := filepath.Join(specDir, "breast_cancer.yaml")
	out, errOut, code := run(t, "pipeline", "validate", bc)
	if code != 0 || !strings.Contains(out, "ok: 3 stages (vector_assembler, standard_scaler, logistic_regression), task auto, label label") {
		t.Errorf("validate: code %d\n%s%s", code, out, errOut)
	}
	ds := datasetsDir(t)
	if _, errOut, code = run(t, "pipeline", "validate", bc, "--input", filepath.Join(ds, "breast_cancer.csv.gz")); code != 0 {
		t.Errorf("validate with its input: code %d %s", code, errOut)
	}
	_, errOut, code = run(t, "pipeline", "validate", bc, "--input", filepath.Join(ds, "iris.csv.gz"))
	if code != 1 || !strings.Contains(errOut, bc+`:17:20: stage 1 (vector_assembler): param "input_cols": 30 of its 30 columns are not in the input`) {
		t.Errorf("validate against iris: code %d %s", code, errOut)
	}
}
