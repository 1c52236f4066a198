package sgd

import (
	"context"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/connectors/generate"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/transformers/featurehasher"
)

// hashed returns the seed-1 generate stream (4 numeric and 3 categorical
// fields of 20 values, drift at row 10000) of kind k hashed into sparse
// "features" vectors of size 1024. The caller releases the records.
func hashed(t testing.TB, mem memory.Allocator, k generate.Kind, rows, batch int) []arrow.Record {
	t.Helper()
	src, err := generate.New(generate.Config{Kind: k, Seed: 1, Rows: int64(rows), BatchSize: batch, NumNumeric: 4, NumCategorical: 3,
		Cardinality: []int{20}, Noise: noise(k), Drift: generate.Drift{At: 10_000}, Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	fh, err := featurehasher.New(map[string]any{"input_cols": []string{"x0", "x1", "x2", "x3", "c0", "c1", "c2"},
		"output_col": "features", "num_features": 1024})
	if err != nil {
		t.Fatal(err)
	}
	ctx := pipeline.WithAllocator(context.Background(), mem)
	var out []arrow.Record
	for src.Next() {
		r, err := fh.Transform(ctx, src.Record())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if src.Err() != nil {
		t.Fatal(src.Err())
	}
	return out
}

func noise(k generate.Kind) float64 {
	if k == generate.Regression {
		return 0.5
	}
	return 0
}

// dense is the seed-1 generate stream of kind k with its 4 numeric features
// as a dense "features" vector and a float64 label.
func dense(t testing.TB, mem memory.Allocator, k generate.Kind, rows, batch int) []arrow.Record {
	t.Helper()
	src, err := generate.New(generate.Config{Kind: k, Seed: 1, Rows: int64(rows), BatchSize: batch, Noise: noise(k), Allocator: mem})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	var out []arrow.Record
	for src.Next() {
		r := src.Record()
		n := int(r.NumRows())
		cols := make([][]float64, 4)
		for j := range cols {
			cols[j], _ = table.Float64s(r.Column(j))
		}
		vecs := make([][]float64, n)
		for i := range vecs {
			vecs[i] = []float64{cols[0][i], cols[1][i], cols[2][i], cols[3][i]}
		}
		y := labels(t, []arrow.Record{r})
		rec, err := table.Build(mem, table.DenseCol("features", 4, vecs), table.Col("label", y))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

func labels(t testing.TB, recs []arrow.Record) []float64 {
	var y []float64
	for _, r := range recs {
		col := r.Column(r.Schema().FieldIndices("label")[0])
		for i := range col.Len() {
			switch v := table.Value(col, i).(type) {
			case int64:
				y = append(y, float64(v))
			case float64:
				y = append(y, v)
			default:
				t.Fatalf("label of type %T", v)
			}
		}
	}
	return y
}

type updater interface {
	UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error)
}

func prequential(t testing.TB, u updater, recs []arrow.Record) []float64 {
	t.Helper()
	var p, dst []float64
	var err error
	for _, r := range recs {
		if dst, err = u.UpdatePredict(context.Background(), r, dst); err != nil {
			t.Fatal(err)
		}
		p = append(p, dst...)
	}
	return p
}

func releaseAll(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}
