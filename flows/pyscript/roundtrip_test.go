package pyscript

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/serving/modelstore"
)

func readTable(t *testing.T, mem memory.Allocator, path string) *table.Table {
	t.Helper()
	src, err := connectors.Open(context.Background(), path, connectors.ReadOptions{Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	tbl, err := table.ReadAll(src)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// sameColumn reports whether column name holds the same values (bit for
// bit) in a and b.
func sameColumn(t *testing.T, a, b *table.Table, name string) {
	t.Helper()
	col := func(tbl *table.Table) []any {
		j, err := table.FieldIndex(tbl.Schema(), name)
		if err != nil {
			t.Fatal(err)
		}
		var out []any
		for i := 0; i < tbl.NumBatches(); i++ {
			c := tbl.Batch(i).Column(j)
			for r := 0; r < c.Len(); r++ {
				out = append(out, table.Value(c, r))
			}
		}
		return out
	}
	x, y := col(a), col(b)
	if len(x) != len(y) || len(x) == 0 {
		t.Fatalf("column %q: %d rows vs %d", name, len(x), len(y))
	}
	for i := range x {
		if !sameValue(x[i], y[i]) {
			t.Fatalf("column %q row %d: %v (go) != %v (python)", name, i, x[i], y[i])
		}
	}
}

func sameValue(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case []float64:
		y, ok := b.([]float64)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Float64bits(x[i]) != math.Float64bits(y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}

// TestTrainRoundTrip is the Done-when: a pipeline trained and
// saved from Python loads from Go (modelio.Load, and from the registry)
// and predicts exactly what the Python-side transform gave.
func TestTrainRoundTrip(t *testing.T) {
	data := datasets(t)
	out := t.TempDir()
	_, res, err := runScript(t, "train.py", data, out)
	if err != nil {
		t.Fatal(err)
	}
	if acc := res.Metrics["accuracy"]; !(acc > 0.9) {
		t.Errorf("accuracy %v, want > 0.9", acc)
	}
	if res.Metrics["rows"] < 100 {
		t.Errorf("metrics %v", res.Metrics)
	}
	reg := "file://" + filepath.Join(out, "registry")
	if len(res.Models) != 1 || res.Models[0] != (ModelVersion{Registry: reg, Name: "breast_cancer", Version: 1, Stage: "deployed"}) {
		t.Errorf("models %+v", res.Models)
	}

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	test := readTable(t, mem, filepath.Join(out, "test.arrow"))
	defer test.Release()
	scored := readTable(t, mem, filepath.Join(out, "scored.arrow"))
	defer scored.Release()

	st, err := modelstore.Open(ctx, reg)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := st.Get(ctx, "breast_cancer", 1)
	if err != nil {
		t.Fatal(err)
	}
	if v.Stage != modelstore.StageDeployed || v.Metrics["accuracy"] != res.Metrics["accuracy"] {
		t.Errorf("registry version: stage %s metrics %v", v.Stage, v.Metrics)
	}
	fromRegistry, err := modelstore.LoadStage(ctx, st, "breast_cancer", 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromFile, err := modelio.Load(filepath.Join(out, "model.tar"), nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]pipeline.Stage{"model.tar": fromFile, "registry": fromRegistry} {
		m, ok := s.(pipeline.Transformer)
		if !ok || s.Kind() != pipeline.KindPipelineModel {
			t.Fatalf("%s: loaded a %s", name, s.Kind())
		}
		got, err := pipeline.TransformTable(ctx, m, test)
		if err != nil {
			t.Fatal(err)
		}
		sameColumn(t, got, scored, "prediction")
		sameColumn(t, got, scored, "probability")
		got.Release()
	}
}
