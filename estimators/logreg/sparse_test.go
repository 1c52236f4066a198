package logreg

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// sparseData is n seeded random sparse rows of dimension dim with about
// nnz stored entries each (some of them stored zeros), labels from a
// hidden linear model over k classes, and weights.
type sparseData struct {
	dim    int
	rows   []table.SparseVector
	dense  [][]float64
	labels []float64
	w      []float64
}

func makeSparseData(seed uint64, n, dim, nnz, k int) sparseData {
	rng := rand.New(rand.NewPCG(seed, 7))
	hidden := make([]float64, k*dim)
	for j := range hidden {
		hidden[j] = rng.NormFloat64()
	}
	d := sparseData{dim: dim}
	for range n {
		v := table.SparseVector{Size: dim}
		row := make([]float64, dim)
		for j := range dim {
			if rng.IntN(dim) < nnz {
				x := rng.NormFloat64()
				if rng.IntN(10) == 0 {
					x = 0 // a stored zero
				}
				v.Indices = append(v.Indices, int32(j))
				v.Values = append(v.Values, x)
				row[j] = x
			}
		}
		best, bz := 0, math.Inf(-1)
		for c := range k {
			z := rng.NormFloat64()
			for q, j := range v.Indices {
				z += v.Values[q] * hidden[c*dim+int(j)]
			}
			if z > bz {
				best, bz = c, z
			}
		}
		d.rows = append(d.rows, v)
		d.dense = append(d.dense, row)
		d.labels = append(d.labels, float64(best))
		d.w = append(d.w, 0.5+rng.Float64())
	}
	return d
}

// tables returns the data as a sparse and a dense table, each in batches
// of batch rows.
func (d sparseData) tables(t testing.TB, mem memory.Allocator, batch int) (sparse, dense *table.Table) {
	t.Helper()
	var srecs, drecs []arrow.Record
	defer func() {
		for _, r := range append(srecs, drecs...) {
			r.Release()
		}
	}()
	for lo := 0; lo < len(d.rows); lo += batch {
		hi := min(lo+batch, len(d.rows))
		s, err := table.Build(mem, table.SparseCol("features", d.rows[lo:hi]), table.Col("label", d.labels[lo:hi]), table.Col("w", d.w[lo:hi]))
		if err != nil {
			t.Fatal(err)
		}
		srecs = append(srecs, s)
		de, err := table.Build(mem, table.DenseCol("features", d.dim, d.dense[lo:hi]), table.Col("label", d.labels[lo:hi]), table.Col("w", d.w[lo:hi]))
		if err != nil {
			t.Fatal(err)
		}
		drecs = append(drecs, de)
	}
	var err error
	if sparse, err = table.New(srecs[0].Schema(), srecs...); err != nil {
		t.Fatal(err)
	}
	if dense, err = table.New(drecs[0].Schema(), drecs...); err != nil {
		t.Fatal(err)
	}
	return sparse, dense
}

// relDiff is the largest coefficient or intercept difference of a and b
// relative to b's largest coefficient.
func relDiff(a, b *Model) float64 {
	var diff, scale float64
	ca, cb := a.Coefficients(), b.Coefficients()
	for v := range cb {
		for j := range cb[v] {
			diff = max(diff, math.Abs(ca[v][j]-cb[v][j]))
			scale = max(scale, math.Abs(cb[v][j]))
		}
	}
	ia, ib := a.Intercepts(), b.Intercepts()
	for v := range ib {
		diff = max(diff, math.Abs(ia[v]-ib[v]))
	}
	return diff / max(scale, 1e-300)
}

// TestSparseMatchesDense fits the same random sparse data as a sparse and
// as a dense features column: the coefficients agree to 1e-9 relative for
// L-BFGS and OWL-QN (binomial, multinomial, weights, class weights, no
// intercept, row splits into one or two parts) and sgd with an L2 penalty.
func TestSparseMatchesDense(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tight := map[string]any{"tol": 1e-10, "max_iter": 500}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range tight {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	cases := []struct {
		name         string
		n, dim, nnz  int
		k            int
		params       map[string]any
		wantSameIter bool
	}{
		{"binomial l2", 600, 64, 8, 2, with(map[string]any{"reg_param": 0.5}), true},
		{"binomial l2 dense in two parts", 2000, 50, 6, 2, with(map[string]any{"reg_param": 2.0}), false},
		{"binomial both in two parts", 5000, 50, 6, 2, with(map[string]any{"reg_param": 2.0}), true},
		{"binomial elastic net weights", 600, 64, 8, 2, with(map[string]any{"reg_param": 3.0, "elastic_net_param": 0.5, "weight_col": "w"}), true},
		{"binomial l1 no intercept", 600, 64, 8, 2, with(map[string]any{"reg_param": 5.0, "elastic_net_param": 1.0, "fit_intercept": false}), true},
		{"multinomial l2 balanced", 900, 40, 6, 3, with(map[string]any{"reg_param": 1.0, "class_weight": "balanced"}), true},
		{"multinomial elastic net", 900, 40, 6, 4, with(map[string]any{"reg_param": 2.0, "elastic_net_param": 0.3}), true},
		{"sgd binomial l2", 800, 64, 8, 2, map[string]any{"solver": "sgd", "reg_param": 1.0, "max_iter": 20, "seed": 3}, true},
		{"sgd binomial invscaling weights", 800, 63, 8, 2, map[string]any{"solver": "sgd", "learning_rate": "invscaling", "eta0": 0.1, "max_iter": 15, "weight_col": "w"}, true},
		{"sgd multinomial l2", 800, 30, 5, 3, map[string]any{"solver": "sgd", "reg_param": 1.0, "max_iter": 20}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := makeSparseData(uint64(len(c.name)), c.n, c.dim, c.nnz, c.k)
			st, dt := d.tables(t, mem, 256)
			defer st.Release()
			defer dt.Release()
			ms, rs := fitReport(t, mem, c.params, st)
			md, rd := fitReport(t, mem, c.params, dt)
			if got := relDiff(ms, md); got > 1e-9 {
				t.Errorf("sparse vs dense coefficients differ by %.3g relative (sparse %d iterations, dense %d)", got, rs.Iter, rd.Iter)
			}
			if c.wantSameIter && rs.Iter != rd.Iter {
				t.Errorf("sparse took %d iterations, dense %d", rs.Iter, rd.Iter)
			}
		})
	}
}

// TestSparseSGDTwoParts checks the two-goroutine sgd epochs over sparse
// rows against the dense ones.
func TestSparseSGDTwoParts(t *testing.T) {
	d := makeSparseData(11, 1000, 40, 6, 2)
	flat := make([]float64, 0, len(d.dense)*d.dim)
	sp := &design.CSR{N: len(d.rows), D: d.dim, Offsets: []int64{0}}
	for i, r := range d.dense {
		flat = append(flat, r...)
		sp.Indices = append(sp.Indices, d.rows[i].Indices...)
		sp.Values = append(sp.Values, d.rows[i].Values...)
		sp.Offsets = append(sp.Offsets, int64(len(sp.Indices)))
	}
	cls := make([]int32, len(d.labels))
	for i, y := range d.labels {
		cls[i] = int32(y)
	}
	run := func(x []float64, sp *design.CSR) []float64 {
		p := &problem{x: x, sp: sp, n: len(cls), dim: d.dim, cls: cls, k: 2}
		theta := make([]float64, d.dim+1)
		if _, err := fitSGD(context.Background(), p, theta, sgdConfig{alpha: 1e-3, schedule: LearningRateOptimal,
			maxIter: 10, tol: 1e-5, nIterNoChange: 5, shuffle: true, seed: 1, fitIntercept: true, parts: 2}); err != nil {
			t.Fatal(err)
		}
		return theta
	}
	a, b := run(nil, sp), run(flat, nil)
	for j := range a {
		if math.Abs(a[j]-b[j]) > 1e-9*max(1, math.Abs(b[j])) {
			t.Fatalf("coefficient %d: sparse %v, dense %v", j, a[j], b[j])
		}
	}
}

// TestSparseSGDL1 checks that sgd with an L1 penalty over sparse rows
// (penalising a coefficient only where its feature is stored, as
// scikit-learn) ends near the OWL-QN optimum and zeroes coefficients.
func TestSparseSGDL1(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := makeSparseData(5, 3000, 100, 10, 2)
	st, dt := d.tables(t, mem, 1000)
	defer st.Release()
	defer dt.Release()
	lambda := 20.0
	msgd, _ := fitReport(t, mem, map[string]any{"solver": "sgd", "reg_param": lambda, "elastic_net_param": 1.0, "max_iter": 100, "tol": 1e-5}, st)
	mopt, _ := fitReport(t, mem, map[string]any{"reg_param": lambda, "elastic_net_param": 1.0, "tol": 1e-8, "max_iter": 500}, st)
	fs := objective(msgd, d.dense, d.labels, nil, lambda, 1)
	fo := objective(mopt, d.dense, d.labels, nil, lambda, 1)
	t.Logf("objective: sgd %.4f, owl-qn %.4f", fs, fo)
	if (fs-fo)/fo > 0.02 {
		t.Errorf("sparse sgd objective %.4f, optimum %.4f", fs, fo)
	}
	zeros := 0
	for _, v := range msgd.Coefficients()[0] {
		if v == 0 {
			zeros++
		}
	}
	if zeros == 0 {
		t.Error("sparse sgd with L1 zeroed no coefficient")
	}
}

// TestSparseTransform checks that scoring a sparse features column gives
// the columns scoring its densified copy gives, for a binomial and a
// multinomial model, on a sliced batch too.
func TestSparseTransform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	for _, k := range []int{2, 3} {
		d := makeSparseData(uint64(k), 300, 32, 5, k)
		st, dt := d.tables(t, mem, 300)
		m, _ := fitReport(t, mem, map[string]any{"model_version_col": "v"}, st)
		srec, drec := st.Batch(0), dt.Batch(0)
		for _, sl := range [][2]int64{{0, 300}, {17, 250}, {40, 40}} {
			s, de := srec.NewSlice(sl[0], sl[1]), drec.NewSlice(sl[0], sl[1])
			so, err := m.Transform(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			do, err := m.Transform(ctx, de)
			if err != nil {
				t.Fatal(err)
			}
			if so.NumCols() != do.NumCols() || so.NumRows() != sl[1]-sl[0] {
				t.Fatalf("k=%d slice %v: %d columns %d rows, dense %d columns", k, sl, so.NumCols(), so.NumRows(), do.NumCols())
			}
			for c := 3; c < int(so.NumCols()); c++ {
				if so.Schema().Field(c).Name != do.Schema().Field(c).Name || fmt.Sprint(so.Column(c)) != fmt.Sprint(do.Column(c)) {
					t.Errorf("k=%d slice %v column %q differs:\nsparse %v\ndense  %v", k, sl, so.Schema().Field(c).Name, so.Column(c), do.Column(c))
				}
			}
			so.Release()
			do.Release()
			s.Release()
			de.Release()
		}
		st.Release()
		dt.Release()
	}
}

// TestSparseTransformErrors checks the sparse scoring errors: a vector of
// another size and a NaN value, each naming the row.
func TestSparseTransformErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := pipeline.WithAllocator(context.Background(), mem)
	d := makeSparseData(1, 100, 8, 3, 2)
	st, dt := d.tables(t, mem, 100)
	defer st.Release()
	defer dt.Release()
	m, _ := fitReport(t, mem, nil, st)
	for _, c := range []struct {
		rows []table.SparseVector
		want string
	}{
		{[]table.SparseVector{{Size: 8}, {Size: 9, Indices: []int32{1}, Values: []float64{1}}}, `column "features" row 1: vector of size 9, want 8`},
		{[]table.SparseVector{{Size: 8}, {Size: 8}, {Size: 8, Indices: []int32{2, 5}, Values: []float64{1, math.NaN()}}}, `column "features" row 2: feature 5 is NaN`},
	} {
		rec, err := table.Build(mem, table.SparseCol("features", c.rows))
		if err != nil {
			t.Fatal(err)
		}
		out, err := m.Transform(ctx, rec)
		rec.Release()
		if err == nil {
			out.Release()
			t.Errorf("no error, want %q", c.want)
			continue
		}
		if got := err.Error(); !strings.Contains(got, c.want) {
			t.Errorf("error %q, want %q", got, c.want)
		}
	}
}
