package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/modelstore"
	"github.com/eddyml/eddy/transformers/vectorassembler"
)

// registryWithModel stores two versions of a vectorassembler+logreg
// model "ctr" over columns a, b (label: a > b) in a file registry.
func registryWithModel(t *testing.T) string {
	t.Helper()
	mem := memory.NewGoAllocator()
	a := []float64{1, 2, 3, 4, -1, -2, -3, -4, 0.5, -0.5}
	b := []float64{-1, -2, -3, -4, 1, 2, 3, 4, -0.5, 0.5}
	label := make([]int64, len(a))
	for i := range a {
		if a[i] > b[i] {
			label[i] = 1
		}
	}
	rec, err := table.Build(mem, table.Col("a", a), table.Col("b", b), table.Col("label", label))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	tbl, _ := table.New(rec.Schema(), rec)
	defer tbl.Release()
	va, _ := vectorassembler.New(map[string]any{"input_cols": []string{"a", "b"}, "output_col": "features"})
	lr, _ := logreg.New(nil)
	p, _ := pipeline.NewPipeline(va, lr)
	r := tbl.Reader()
	defer r.Release()
	m, err := p.Fit(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	st, err := modelstore.OpenDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for range 2 {
		if _, err := modelstore.PutStage(context.Background(), st, "ctr", m, modelstore.Info{Metrics: map[string]float64{"auc": 0.9}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	return "file://" + dir
}

func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestModelsCommands(t *testing.T) {
	reg := registryWithModel(t)
	out, stderr, code := runCLI(t, "models", "list", "--registry", reg)
	if code != 0 || !strings.Contains(out, "ctr") || !strings.Contains(out, "2") {
		t.Fatalf("list: %d %q %q", code, out, stderr)
	}
	for _, st := range []string{"validated", "deployed"} {
		if out, stderr, code = runCLI(t, "models", "stage", "ctr", "1", st, "--registry", reg); code != 0 || !strings.Contains(out, st) {
			t.Fatalf("stage %s: %d %q %q", st, code, out, stderr)
		}
	}
	if _, stderr, code = runCLI(t, "models", "stage", "ctr", "2", "deployed", "--registry", reg); code != 1 || !strings.Contains(stderr, "invalid stage transition") {
		t.Fatalf("bad stage: %d %q", code, stderr)
	}
	if out, stderr, code = runCLI(t, "models", "alias", "ctr", "champion", "2", "--registry", reg); code != 0 {
		t.Fatalf("alias: %d %q", code, stderr)
	}
	out, stderr, code = runCLI(t, "models", "show", "ctr", "--registry", reg)
	if code != 0 || !strings.Contains(out, "deployed") || !strings.Contains(out, "champion") || !strings.Contains(out, `{"auc":0.9}`) {
		t.Fatalf("show: %d %q %q", code, out, stderr)
	}
	if out, stderr, code = runCLI(t, "models", "list", "--registry", reg); !strings.Contains(out, "ctr    2       1") {
		t.Errorf("list after deploy: %q %q", out, stderr)
	}
	if _, stderr, code = runCLI(t, "models", "rm", "ctr", "1", "--registry", reg); code != 1 || !strings.Contains(stderr, "in use") {
		t.Fatalf("rm deployed: %d %q", code, stderr)
	}
}

func TestPredictCommand(t *testing.T) {
	reg := registryWithModel(t)
	runCLI(t, "models", "stage", "ctr", "1", "validated", "--registry", reg)
	runCLI(t, "models", "stage", "ctr", "1", "deployed", "--registry", reg)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("a,b\n3.0,-3.0\n-2.5,2.5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, model := range []string{"ctr", "ctr@2"} {
		outPath := filepath.Join(dir, "out.jsonl")
		_, stderr, code := runCLI(t, "predict", "--model", model, "--input", in, "--output", outPath, "--cols", "a,prediction", "--registry", reg)
		if code != 0 {
			t.Fatalf("%s: predict: %d %q", model, code, stderr)
		}
		b, err := os.ReadFile(outPath)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], `"prediction":1`) || !strings.Contains(lines[1], `"prediction":0`) {
			t.Fatalf("%s: output %q", model, b)
		}
		os.Remove(outPath)
	}
	if _, stderr, code := runCLI(t, "predict", "--model", "nope", "--input", in, "--output", filepath.Join(dir, "x.jsonl"), "--registry", reg); code != 1 || !strings.Contains(stderr, "no deployed version") {
		t.Fatalf("unknown model: %d %q", code, stderr)
	}
}
