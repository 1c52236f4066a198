package logreg

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// ctrRows generates n click-through-like hashed rows of dimension dim with
// nnz distinct sorted indices each (values ±1, as a feature hasher's
// signed counts of one-hot categories), seeded, with labels from a hidden
// logistic model over the hashed features (base rate about 25%).
func ctrRows(n, dim, nnz int) (rows []table.SparseVector, y []float64) {
	rng := rand.New(rand.NewPCG(42, 2026))
	hidden := make([]float64, dim)
	for j := range hidden {
		hidden[j] = rng.NormFloat64() * 0.5
	}
	rows = make([]table.SparseVector, n)
	y = make([]float64, n)
	idx := make([]int32, 0, nnz)
	for i := range rows {
		idx = idx[:0]
		for len(idx) < nnz {
			j := int32(rng.IntN(dim))
			if !slices.Contains(idx, j) {
				idx = append(idx, j)
			}
		}
		slices.Sort(idx)
		v := table.SparseVector{Size: dim, Indices: slices.Clone(idx), Values: make([]float64, nnz)}
		z := -1.2
		for k, j := range v.Indices {
			v.Values[k] = 1
			if rng.IntN(8) == 0 {
				v.Values[k] = -1
			}
			z += v.Values[k] * hidden[j]
		}
		rows[i] = v
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
	}
	return rows, y
}

// ctrTable builds the rows as a table of 4096-row batches, with a sparse
// features column, or a dense one (the densified rows) when dense is set.
func ctrTable(b *testing.B, rows []table.SparseVector, y []float64, dense bool) *table.Table {
	b.Helper()
	mem := memory.NewGoAllocator()
	var recs []arrow.Record
	for lo := 0; lo < len(rows); lo += 4096 {
		hi := min(lo+4096, len(rows))
		var col table.Column
		if dense {
			dim := rows[0].Size
			vecs := make([][]float64, hi-lo)
			for i := range vecs {
				vecs[i] = make([]float64, dim)
				for k, j := range rows[lo+i].Indices {
					vecs[i][j] = rows[lo+i].Values[k]
				}
			}
			col = table.DenseCol("features", dim, vecs)
		} else {
			col = table.SparseCol("features", rows[lo:hi])
		}
		rec, err := table.Build(mem, col, table.Col("label", y[lo:hi]))
		if err != nil {
			b.Fatal(err)
		}
		recs = append(recs, rec)
	}
	tbl, err := table.New(recs[0].Schema(), recs...)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range recs {
		r.Release()
	}
	return tbl
}

// BenchmarkFitSparseCTR fits logistic regression (L-BFGS, reg_param 1,
// tol 1e-4, at most 100 iterations, and sgd with alpha 1e-5, tol 1e-3) on
// EDDY_CTR_ROWS (default 100,000) generated click-through rows with 20
// non-zeros each, hashed to 2^18 dimensions (sparse only: densified they
// would take 200 GB) and to 2^12 (sparse, and densified into a dense
// column, on EDDY_CTR_DENSE_ROWS rows, default 20,000, which is how the
// sparse input was fitted before). It reports rows/s, the iterations and
// the final objective per row.
func BenchmarkFitSparseCTR(b *testing.B) {
	n := 100_000
	if s := os.Getenv("EDDY_CTR_ROWS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	nd := 20_000
	if s := os.Getenv("EDDY_CTR_DENSE_ROWS"); s != "" {
		nd, _ = strconv.Atoi(s)
	}
	lbfgs := map[string]any{"reg_param": 1.0}
	sgd := map[string]any{"solver": "sgd", "reg_param": 1e-5 * float64(n), "tol": 1e-3, "max_iter": 50}
	for _, c := range []struct {
		rows, dim int
		dense     bool
		solver    string
		params    map[string]any
	}{
		{n, 1 << 18, false, "lbfgs", lbfgs},
		{n, 1 << 18, false, "sgd", sgd},
		{n, 1 << 12, false, "lbfgs", lbfgs},
		{nd, 1 << 12, false, "lbfgs", lbfgs},
		{nd, 1 << 12, true, "lbfgs", lbfgs},
		{nd, 1 << 12, false, "sgd", sgd},
		{nd, 1 << 12, true, "sgd", sgd},
	} {
		layout := "sparse"
		if c.dense {
			layout = "dense"
		}
		b.Run(fmt.Sprintf("rows=%d/dim=%d/%s/%s", c.rows, c.dim, layout, c.solver), func(b *testing.B) {
			rows, y := ctrRows(c.rows, c.dim, 20)
			tbl := ctrTable(b, rows, y, c.dense)
			defer tbl.Release()
			est, err := New(c.params)
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			var res FitResult
			for range b.N {
				r := tbl.Reader()
				_, res, err = est.FitReport(context.Background(), r)
				r.Release()
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(res.Iter), "iters")
			b.ReportMetric(res.F/float64(c.rows), "f/row")
			b.ReportMetric(float64(c.rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkTransformSparseCTR scores 4096-row batches of generated
// click-through rows (20 non-zeros) with a binomial model of 2^18 and
// 2^12 features, sparse, and at 2^12 also as a dense column, reporting
// rows/s. BenchmarkScoreDensified is the former path of a sparse batch
// (densify, then score).
func BenchmarkTransformSparseCTR(b *testing.B) {
	for _, c := range []struct {
		dim   int
		dense bool
	}{{1 << 18, false}, {1 << 12, false}, {1 << 12, true}} {
		layout := "sparse"
		if c.dense {
			layout = "dense"
		}
		b.Run(fmt.Sprintf("dim=%d/%s", c.dim, layout), func(b *testing.B) {
			rows, y := ctrRows(4096, c.dim, 20)
			tbl := ctrTable(b, rows, y, c.dense)
			defer tbl.Release()
			rng := rand.New(rand.NewPCG(1, 2))
			coef := make([]float64, c.dim)
			for j := range coef {
				coef[j] = rng.NormFloat64()
			}
			mem := memory.NewGoAllocator()
			data, err := ModelDataRecords(mem, [][]float64{coef}, []float64{-1}, []float64{0, 1})
			if err != nil {
				b.Fatal(err)
			}
			m, _ := NewModel(nil)
			if err := m.SetModelData(data...); err != nil {
				b.Fatal(err)
			}
			for _, r := range data {
				r.Release()
			}
			ctx := pipeline.WithAllocator(context.Background(), mem)
			rec := tbl.Batch(0)
			b.ResetTimer()
			for range b.N {
				out, err := m.Transform(ctx, rec)
				if err != nil {
					b.Fatal(err)
				}
				out.Release()
			}
			b.ReportMetric(float64(rec.NumRows())*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkScoreDensified scores a sparse 4096-row batch of 2^12
// dimensions as Transform did before the sparse path: densified by
// design.Features, then scored row by row (output columns not built).
func BenchmarkScoreDensified(b *testing.B) {
	const dim = 1 << 12
	rows, y := ctrRows(4096, dim, 20)
	tbl := ctrTable(b, rows, y, false)
	defer tbl.Release()
	rng := rand.New(rand.NewPCG(1, 2))
	st := state{Coef: make([]float64, dim), Intercepts: []float64{-1}, Labels: []float64{0, 1}, Dim: dim}
	for j := range st.Coef {
		st.Coef[j] = rng.NormFloat64()
	}
	rec := tbl.Batch(0)
	n := int(rec.NumRows())
	pred, raw, prob := make([]float64, n), make([]float64, 2*n), make([]float64, 2*n)
	b.ResetTimer()
	for range b.N {
		x, _, err := design.Features(rec, "features", dim, 0, nil)
		if err != nil {
			b.Fatal(err)
		}
		score(st, x, n, pred, raw, prob)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
