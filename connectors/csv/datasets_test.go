package csv

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
)

// TestSharedDatasets reads the shared real-world files when they are there
// (always under CI=true) and checks row counts and inferred types.
func TestSharedDatasets(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "datasets")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("datasets missing under CI: %v", err)
		}
		t.Skipf("no datasets: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.csv.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no *.csv.gz in %s: %v", dir, err)
	}
	want := map[string]struct {
		rows  int64
		types map[string]arrow.Type
	}{
		"adult_train.csv.gz":          {32561, map[string]arrow.Type{"age": arrow.INT64, "workclass": arrow.STRING, "native_country": arrow.STRING, "label": arrow.INT64}},
		"adult_test.csv.gz":           {16281, map[string]arrow.Type{"age": arrow.INT64, "workclass": arrow.STRING}},
		"iris.csv.gz":                 {150, map[string]arrow.Type{"sepal_length_cm": arrow.FLOAT64, "label": arrow.INT64}},
		"nyc_taxis.csv.gz":            {6433, map[string]arrow.Type{"pickup": arrow.STRING, "distance": arrow.FLOAT64, "passengers": arrow.INT64}},
		"elec2.csv.gz":                {45312, map[string]arrow.Type{"date": arrow.FLOAT64, "day": arrow.INT64}},
		"ctr_criteo_kaggle_8k.csv.gz": {8000, map[string]arrow.Type{"I1": arrow.INT64, "C1": arrow.STRING}},
		// url_hash overflows int64: the column is float64.
		"ctr_kddcup2012_click_small.csv.gz": {39948, map[string]arrow.Type{"url_hash": arrow.FLOAT64, "ad_id": arrow.INT64}},
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			r, err := Open(context.Background(), path, Options{ReadOptions: connectors.ReadOptions{Allocator: mem, BatchSize: 10000}})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Release()
			var rows int64
			for r.Next() {
				rows += r.Record().NumRows()
			}
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			w, ok := want[name]
			if !ok {
				if rows == 0 {
					t.Error("no rows")
				}
				return
			}
			if rows != w.rows {
				t.Errorf("%d rows, want %d", rows, w.rows)
			}
			for col, typ := range w.types {
				idx := r.Schema().FieldIndices(col)
				if len(idx) != 1 {
					t.Errorf("no column %q", col)
					continue
				}
				if got := r.Schema().Field(idx[0]).Type.ID(); got != typ {
					t.Errorf("column %q is %s, want %s", col, got, typ)
				}
			}
		})
	}
}
