package modelstream_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// logisticTable generates rows of 8 dense features and a 0/1 label drawn
// from a hidden logistic model (seeded), in batches of batch rows.
func logisticTable(t testing.TB, mem memory.Allocator, seed uint64, rows, batch int) *table.Table {
	t.Helper()
	w := []float64{1.5, -2, 1, 0.5, 0, -1, 2, 0.25}
	rng := rand.New(rand.NewPCG(seed, 11))
	var recs []arrow.Record
	for r0 := 0; r0 < rows; r0 += batch {
		n := min(batch, rows-r0)
		vecs := make([][]float64, n)
		labels := make([]int64, n)
		for i := range n {
			x := make([]float64, len(w))
			z := -0.3
			for j := range x {
				x[j] = rng.NormFloat64()
				z += w[j] * x[j]
			}
			vecs[i] = x
			if rng.Float64() < 1/(1+math.Exp(-z)) {
				labels[i] = 1
			}
		}
		rec, err := table.Build(mem, table.DenseCol("features", len(w), vecs), table.Col("label", labels))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return newTable(t, recs)
}

// blobsTable generates rows of 2-d points around 3 centres (seeded).
func blobsTable(t testing.TB, mem memory.Allocator, seed uint64, rows, batch int) *table.Table {
	t.Helper()
	centres := [][2]float64{{0, 0}, {6, 6}, {-6, 6}}
	rng := rand.New(rand.NewPCG(seed, 13))
	var recs []arrow.Record
	for r0 := 0; r0 < rows; r0 += batch {
		n := min(batch, rows-r0)
		vecs := make([][]float64, n)
		for i := range n {
			c := centres[rng.IntN(3)]
			vecs[i] = []float64{c[0] + rng.NormFloat64(), c[1] + rng.NormFloat64()}
		}
		rec, err := table.Build(mem, table.DenseCol("features", 2, vecs))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return newTable(t, recs)
}

func newTable(t testing.TB, recs []arrow.Record) *table.Table {
	t.Helper()
	tbl, err := table.New(recs[0].Schema(), recs...)
	for _, r := range recs {
		r.Release()
	}
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

// tableSource is a replayable source: every Open reads the table from the
// start in subtask 0, and its reader is a table.Seeker.
type tableSource struct{ t *table.Table }

func (s tableSource) Open(ctx context.Context, subtask, parallelism int) (table.Reader, error) {
	if subtask != 0 {
		return array.NewRecordReader(s.t.Schema(), nil)
	}
	return s.t.Reader(), nil
}

// column returns the float64 values of col over recs, in order.
func column(t testing.TB, recs []arrow.Record, col string) []float64 {
	t.Helper()
	var out []float64
	for _, r := range recs {
		i, err := table.FieldIndex(r.Schema(), col)
		if err != nil {
			t.Fatal(err)
		}
		switch a := r.Column(i).(type) {
		case *array.Float64:
			out = append(out, a.Float64Values()...)
		case *array.Int64:
			for _, v := range a.Int64Values() {
				out = append(out, float64(v))
			}
		default:
			t.Fatalf("column %q is %s", col, a.DataType())
		}
	}
	return out
}

var _ stream.Source = tableSource{}
