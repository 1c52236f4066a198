package pyudf_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/connectors/csv"
	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/modelio"
	"github.com/eddyml/eddy/pipeline/stageop"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/pyudf"
)

const winePath = "../../../shared/datasets/wine.csv.gz"

func readWine(t testing.TB, mem memory.Allocator) *table.Table {
	t.Helper()
	if _, err := os.Stat(winePath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("dataset missing under CI: %v", err)
		}
		t.Skipf("no dataset: %v", err)
	}
	r, err := csv.Open(context.Background(), winePath, csv.Options{ReadOptions: connectors.ReadOptions{Allocator: mem, BatchSize: 50}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Release()
	tbl, err := table.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func floats(t *testing.T, recs []arrow.Record, name string) []float64 {
	t.Helper()
	var out []float64
	for _, r := range recs {
		v, err := table.Float64s(r.Column(r.Schema().FieldIndices(name)[0]))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v...)
	}
	return out
}

// wantZ is the Go computation the UDFs must match: alcohol*2 + malic_acid.
func wantZ(t *testing.T, tbl *table.Table) []float64 {
	var recs []arrow.Record
	for i := 0; i < tbl.NumBatches(); i++ {
		recs = append(recs, tbl.Batch(i))
	}
	x, y := floats(t, recs, "alcohol"), floats(t, recs, "malic_acid")
	z := make([]float64, len(x))
	for i := range x {
		z[i] = x[i]*2 + y[i]
	}
	return z
}

const rowCode = "def f(row):\n    return {\"z\": row[\"alcohol\"] * 2 + row[\"malic_acid\"]}\n"
const colCode = "def g(cols):\n    return {\"z\": [a * 2 + b for a, b in zip(cols[\"alcohol\"], cols[\"malic_acid\"])]}\n"

func TestStreamMatchesGo(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := readWine(t, mem)
	defer tbl.Release()
	want := wantZ(t, tbl)
	for _, tc := range []struct {
		kind   string
		params map[string]any
	}{
		{pyudf.KindRow, map[string]any{"code": rowCode, "output_schema": "z:float", "input_cols": []string{"alcohol", "malic_acid"}}},
		{pyudf.KindRow, map[string]any{"code": rowCode}},
		{pyudf.KindColumn, map[string]any{"code": colCode, "function": "g"}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			u, err := pyudf.New(tc.kind, tc.params)
			if err != nil {
				t.Fatal(err)
			}
			defer u.Close()
			batches := make([]arrow.Record, tbl.NumBatches())
			for i := range batches {
				batches[i] = tbl.Batch(i)
			}
			job := stream.NewJob("udf", stream.WithAllocator(mem))
			src := stream.FromSource(job, "in", stream.FromRecords(batches...), 1)
			got := stageop.TransformStream(src, u, "udf").Collect()
			defer got.Release()
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			z := floats(t, got.Records(), "z")
			if len(z) != len(want) {
				t.Fatalf("got %d rows, want %d", len(z), len(want))
			}
			for i := range z {
				if z[i] != want[i] {
					t.Fatalf("row %d: z = %v, want %v", i, z[i], want[i])
				}
			}
			if n := int(got.Records()[0].NumCols()); n != tbl.Schema().NumFields()+1 {
				t.Errorf("output has %d columns, want the %d inputs and z", n, tbl.Schema().NumFields())
			}
		})
	}
}

func TestTableAndSaveLoad(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	tbl := readWine(t, mem)
	defer tbl.Release()
	dir := t.TempDir()
	file := filepath.Join(dir, "udf.py")
	if err := os.WriteFile(file, []byte(rowCode), 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := pyudf.New(pyudf.KindRow, map[string]any{"file": file, "output_schema": "z:float"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "udf.tar")
	if err := modelio.Save(u, path, nil); err != nil {
		t.Fatal(err)
	}
	loaded, err := modelio.Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []pipeline.Stage{u, loaded} {
		out, err := pipeline.TransformTable(ctx, s.(pipeline.Transformer), tbl)
		if err != nil {
			t.Fatal(err)
		}
		var recs []arrow.Record
		for i := 0; i < out.NumBatches(); i++ {
			recs = append(recs, out.Batch(i))
		}
		z, want := floats(t, recs, "z"), wantZ(t, tbl)
		for i := range want {
			if z[i] != want[i] {
				t.Fatalf("%T row %d: z = %v, want %v", s, i, z[i], want[i])
			}
		}
		out.Release()
	}
}

func TestFailingUDF(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := readWine(t, mem)
	defer tbl.Release()
	code := "def f(row):\n    if row[\"magnesium\"] > 150:\n        raise ValueError(\"too much magnesium\")\n    return {\"z\": 1.0}\n"
	u, err := pyudf.New(pyudf.KindRow, map[string]any{"code": code, "output_schema": "z:float", "input_cols": []string{"magnesium"}})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	job := stream.NewJob("udf", stream.WithAllocator(mem))
	src := stream.FromSource(job, "in", stream.FromRecords(tbl.Batch(0), tbl.Batch(1)), 1)
	got := stageop.TransformStream(src, u, "udf").Collect()
	defer got.Release()
	err = job.Run(context.Background())
	var pe *pybridge.Error
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want a python error", err)
	}
	// Row 69 of wine (row 19 of the second batch of 50) has magnesium 151, the first above 150.
	if pe.Row != 19 || pe.Line != 3 || !strings.Contains(err.Error(), "Traceback") ||
		!strings.Contains(err.Error(), `raise ValueError("too much magnesium")`) || !strings.Contains(err.Error(), "{'magnesium': 151}") {
		t.Errorf("error lacks traceback/row: row %d line %d\n%v", pe.Row, pe.Line, err)
	}
}

func TestEndlessUDF(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := readWine(t, mem)
	defer tbl.Release()
	u, err := pyudf.New(pyudf.KindRow, map[string]any{"code": "def f(row):\n    while True:\n        pass\n",
		"output_schema": "z:float", "timeout": 0.1})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	job := stream.NewJob("udf", stream.WithAllocator(mem))
	src := stream.FromSource(job, "in", stream.FromRecords(tbl.Batch(0), tbl.Batch(1)), 1)
	got := stageop.TransformStream(src, u, "udf").Collect()
	defer got.Release()
	done := make(chan error, 1)
	go func() { done <- job.Run(context.Background()) }()
	select {
	case err := <-done:
		if !errors.Is(err, pybridge.ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("got %v, want a deadline error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the job hangs on an endless UDF")
	}
}

func TestParamErrors(t *testing.T) {
	for i, c := range []struct {
		params map[string]any
		want   string
	}{
		{map[string]any{"code": "x=1", "file": "a.py"}, "set one"},
		{map[string]any{"file": "/nonexistent/udf.py"}, "no such file"},
		{map[string]any{"code": "def f(:"}, "<py_row_udf>:1"},
		{map[string]any{"code": "def f(r): return r", "output_schema": "z:date"}, "unknown type"},
		{map[string]any{"code": "x = 1/0"}, "ZeroDivisionError"},
	} {
		_, err := pyudf.New(pyudf.KindRow, c.params)
		if i == 0 {
			u, err := pyudf.New(pyudf.KindRow, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := u.OutputSchema(arrow.NewSchema(nil, nil)); err == nil || !strings.Contains(err.Error(), "set code or file") {
				t.Errorf("stage without code: OutputSchema error = %v", err)
			}
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%d: New(%v) error = %v, want %q", i, c.params, err, c.want)
		}
	}
}
