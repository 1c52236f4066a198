package prequential

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/eval"
	"github.com/eddyml/eddy/pipeline/table"
)

// data is a generated stream: labels, predictions and probabilities
// (binary: P(1); multiclass: k per row).
type data struct {
	y, pred, prob []float64
	k             int
}

func genBinary(seed uint64, n int, quantum int) data {
	rng := rand.New(rand.NewPCG(seed, 1))
	d := data{k: 2}
	for range n {
		y := float64(rng.IntN(2))
		p := min(max(0.35*y+0.65*rng.Float64(), 0), 1)
		if rng.IntN(50) == 0 {
			p = float64(rng.IntN(2)) // exact 0 and 1 exercise the clipping
		}
		if quantum > 0 { // bin centres: one distinct value per bin
			p = (math.Floor(p*float64(quantum)) + 0.5) / float64(quantum)
			p = min(p, (float64(quantum)-0.5)/float64(quantum))
		}
		pred := 0.0
		if p >= 0.5 {
			pred = 1
		}
		d.y, d.pred, d.prob = append(d.y, y), append(d.pred, pred), append(d.prob, p)
	}
	return d
}

func genMulticlass(seed uint64, n, k int) data {
	rng := rand.New(rand.NewPCG(seed, 2))
	d := data{k: k}
	for range n {
		y := rng.IntN(k)
		var sum float64
		row := make([]float64, k)
		for j := range row {
			row[j] = rng.Float64()
			if j == y {
				row[j] += 0.5
			}
			sum += row[j]
		}
		best := 0
		for j := range row {
			row[j] /= sum
			if row[j] > row[best] {
				best = j
			}
		}
		d.y, d.pred, d.prob = append(d.y, float64(y)), append(d.pred, float64(best)), append(d.prob, row...)
	}
	return d
}

func genRegression(seed uint64, n int) data {
	rng := rand.New(rand.NewPCG(seed, 3))
	var d data
	for range n {
		y := 10 * rng.NormFloat64()
		d.y, d.pred = append(d.y, y), append(d.pred, y+rng.NormFloat64())
	}
	return d
}

// batches cuts d into records of varied sizes.
func (d data) batches(t testing.TB, mem memory.Allocator, task Task, sizes []int) []arrow.Record {
	t.Helper()
	var recs []arrow.Record
	for lo, s := 0, 0; lo < len(d.y); s++ {
		hi := min(len(d.y), lo+sizes[s%len(sizes)])
		cols := []table.Column{table.Col("label", d.y[lo:hi]), table.Col("prediction", d.pred[lo:hi])}
		switch task {
		case Binary:
			cols = append(cols, table.Col("probability", d.prob[lo:hi]))
		case Multiclass:
			var vecs [][]float64
			for i := lo; i < hi; i++ {
				vecs = append(vecs, d.prob[i*d.k:(i+1)*d.k])
			}
			cols = append(cols, table.DenseCol("probability", d.k, vecs))
		}
		rec, err := table.Build(mem, cols...)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
		lo = hi
	}
	return recs
}

func release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// reference computes the metrics of rows [0, n) and of the window [n-w, n)
// straight from the definitions, summing in row order.
func reference(task Task, d data, n, w int) (cum, win Values) {
	nan := math.NaN()
	vals := func(lo int) Values {
		v := Values{nan, nan, nan, nan, nan}
		var ok, ll, ae, se float64
		for i := lo; i < n; i++ {
			switch task {
			case Binary, Multiclass:
				if d.pred[i] == d.y[i] {
					ok++
				}
				if task == Binary {
					p := math.Min(math.Max(d.prob[i], 0x1p-52), 1-0x1p-52)
					if d.y[i] == 1 {
						ll += -math.Log(p)
					} else {
						ll += -math.Log(1 - p)
					}
				} else {
					row := d.prob[i*d.k : (i+1)*d.k]
					var s float64
					for _, p := range row {
						s += math.Min(math.Max(p, 0x1p-52), 1-0x1p-52)
					}
					ll += -math.Log(math.Min(math.Max(row[int(d.y[i])], 0x1p-52), 1-0x1p-52) / s)
				}
			case Regression:
				ae += math.Abs(d.pred[i] - d.y[i])
				se += (d.pred[i] - d.y[i]) * (d.pred[i] - d.y[i])
			}
		}
		m := float64(n - lo)
		if task == Regression {
			v.RMSE, v.MAE = math.Sqrt(se/m), ae/m
		} else {
			v.Accuracy, v.LogLoss = ok/m, ll/m
		}
		return v
	}
	return vals(0), vals(max(0, n-w))
}

func close(a, b, tol float64) bool {
	return a == b || math.IsNaN(a) && math.IsNaN(b) || math.Abs(a-b) <= tol
}

func TestMetricsMatchReference(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		name   string
		task   Task
		d      data
		window int
		sizes  []int
	}{
		{"binary", Binary, genBinary(1, 3000, 0), 500, []int{1, 37, 256, 1000}},
		{"binary small window", Binary, genBinary(2, 700, 0), 7, []int{3, 5}},
		{"binary window larger than stream", Binary, genBinary(3, 300, 0), 1000, []int{64}},
		{"multiclass", Multiclass, genMulticlass(4, 2500, 4), 300, []int{100, 333}},
		{"regression", Regression, genRegression(5, 2500), 250, []int{17, 500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := New(Config{Task: tc.task, Window: tc.window})
			if err != nil {
				t.Fatal(err)
			}
			if m := ev.Metrics(); m.Rows != 0 || !math.IsNaN(m.Cumulative.Accuracy) {
				t.Errorf("empty evaluator: %+v", m)
			}
			recs := tc.d.batches(t, mem, tc.task, tc.sizes)
			defer release(recs)
			n := 0
			for _, rec := range recs {
				if err := ev.Update(rec); err != nil {
					t.Fatal(err)
				}
				n += int(rec.NumRows())
				m := ev.Metrics()
				cum, win := reference(tc.task, tc.d, n, tc.window)
				if m.Rows != int64(n) || m.WindowRows != min(n, tc.window) {
					t.Fatalf("rows %d window rows %d at %d", m.Rows, m.WindowRows, n)
				}
				for _, name := range Names(tc.task) {
					if name == "auc" {
						continue
					}
					if !close(m.Cumulative.Get(name), cum.Get(name), 1e-12) || !close(m.Window.Get(name), win.Get(name), 1e-12) {
						t.Fatalf("row %d %s: cumulative %v window %v, reference %v %v", n, name,
							m.Cumulative.Get(name), m.Window.Get(name), cum.Get(name), win.Get(name))
					}
				}
				lo := max(0, n-tc.window)
				switch tc.task {
				case Binary:
					checkAUC(t, n, m, tc.d.y[lo:n], tc.d.prob[lo:n], tc.d.y[:n], tc.d.prob[:n])
					// Cross-check against eval's implementations.
					if want, _ := eval.BinaryLogLoss(tc.d.y[lo:n], tc.d.prob[lo:n], nil); !close(m.Window.LogLoss, want, 1e-12) {
						t.Fatalf("row %d: window log loss %v, eval %v", n, m.Window.LogLoss, want)
					}
				case Multiclass:
					yi := make([]int, n-lo)
					for i := range yi {
						yi[i] = int(tc.d.y[lo+i])
					}
					if want, _ := eval.LogLoss(yi, tc.d.prob[lo*tc.d.k:n*tc.d.k], tc.d.k, nil); !close(m.Window.LogLoss, want, 1e-12) {
						t.Fatalf("row %d: window log loss %v, eval %v", n, m.Window.LogLoss, want)
					}
				case Regression:
					if want, _ := eval.RMSE(tc.d.y[lo:n], tc.d.pred[lo:n], nil); !close(m.Window.RMSE, want, 1e-12) {
						t.Fatalf("row %d: window rmse %v, eval %v", n, m.Window.RMSE, want)
					}
				}
			}
		})
	}
}

func checkAUC(t *testing.T, n int, m Metrics, wy, wp, y, p []float64) {
	t.Helper()
	want, err := eval.ROCAUC(wy, wp, nil)
	if err != nil {
		want = math.NaN()
	}
	if !close(m.Window.AUC, want, 1e-12) {
		t.Fatalf("row %d: window auc %v, eval.ROCAUC %v", n, m.Window.AUC, want)
	}
	exact, err := eval.ROCAUC(y, p, nil)
	if err != nil {
		exact = math.NaN()
	}
	if !close(m.Cumulative.AUC, exact, m.AUCErrorBound+1e-12) {
		t.Fatalf("row %d: cumulative auc %v, exact %v, beyond the bound %v", n, m.Cumulative.AUC, exact, m.AUCErrorBound)
	}
}

// With one distinct probability per histogram bin the cumulative AUC is
// exact, and the reported bound is the tie share, not 0.
func TestCumulativeAUCExactOnBinCentres(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := genBinary(6, 2000, 50)
	recs := d.batches(t, mem, Binary, []int{128})
	defer release(recs)
	ev, _ := New(Config{Task: Binary, AUCBins: 50})
	for _, r := range recs {
		if err := ev.Update(r); err != nil {
			t.Fatal(err)
		}
	}
	exact, _ := eval.ROCAUC(d.y, d.prob, nil)
	m := ev.Metrics()
	if math.Abs(m.Cumulative.AUC-exact) > 1e-12 {
		t.Errorf("cumulative auc %v, exact %v", m.Cumulative.AUC, exact)
	}
	if !(m.AUCErrorBound > 0 && m.AUCErrorBound < 0.05) {
		t.Errorf("bound %v", m.AUCErrorBound)
	}
	// Continuous probabilities: the error is within the bound, and the
	// bound shrinks with more bins.
	d = genBinary(7, 2000, 0)
	recs2 := d.batches(t, mem, Binary, []int{500})
	defer release(recs2)
	exact, _ = eval.ROCAUC(d.y, d.prob, nil)
	prev := math.Inf(1)
	for _, bins := range []int{10, 100, 1000, 100000} {
		ev, _ := New(Config{Task: Binary, AUCBins: bins})
		for _, r := range recs2 {
			ev.Update(r)
		}
		m := ev.Metrics()
		if math.Abs(m.Cumulative.AUC-exact) > m.AUCErrorBound+1e-12 || m.AUCErrorBound >= prev {
			t.Errorf("%d bins: auc %v exact %v bound %v (previous bound %v)", bins, m.Cumulative.AUC, exact, m.AUCErrorBound, prev)
		}
		prev = m.AUCErrorBound
	}
}

func TestBinaryWithoutPredictionColumn(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := genBinary(8, 400, 0)
	rec, _ := table.Build(mem, table.Col("y", d.y), table.Col("p", d.prob))
	defer rec.Release()
	ev, err := New(Config{Task: Binary, LabelCol: "y", ProbabilityCol: "p", PredictionCol: "none"})
	if err != nil {
		t.Fatal(err)
	}
	if err := ev.Update(rec); err != nil {
		t.Fatal(err)
	}
	want, _ := eval.Accuracy(d.y, d.pred, nil) // pred is p >= 0.5
	if got := ev.Metrics().Cumulative.Accuracy; math.Abs(got-want) > 1e-12 {
		t.Errorf("accuracy %v, want %v", got, want)
	}
}

func TestUpdateErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		name string
		task Task
		cols []table.Column
	}{
		{"label not 0/1", Binary, []table.Column{table.Col("label", []float64{0, 2}), table.Col("probability", []float64{0.1, 0.2})}},
		{"probability above 1", Binary, []table.Column{table.Col("label", []float64{0, 1}), table.Col("probability", []float64{0.1, 1.2})}},
		{"probability infinite", Binary, []table.Column{table.Col("label", []float64{0, 1}), table.Col("probability", []float64{0.1, math.Inf(1)})}},
		{"null probability", Binary, []table.Column{table.Col("label", []float64{0, 1}), table.NullableCol("probability", []float64{0.1, 0.5}, []bool{true, false})}},
		{"probability not float64", Binary, []table.Column{table.Col("label", []float64{0, 1}), table.Col("probability", []int64{0, 1})}},
		{"no probability", Binary, []table.Column{table.Col("label", []float64{0, 1})}},
		{"no label", Regression, []table.Column{table.Col("prediction", []float64{0, 1})}},
		{"null label", Regression, []table.Column{table.NullableCol("label", []float64{0, 1}, []bool{false, true}), table.Col("prediction", []float64{0, 1})}},
		{"no prediction", Multiclass, []table.Column{table.Col("label", []float64{0, 1})}},
		{"class out of range", Multiclass, []table.Column{table.Col("label", []float64{0, 3}), table.Col("prediction", []float64{0, 1}),
			table.DenseCol("probability", 2, [][]float64{{0.5, 0.5}, {0.2, 0.8}})}},
		{"class probability negative", Multiclass, []table.Column{table.Col("label", []float64{0, 1}), table.Col("prediction", []float64{0, 1}),
			table.DenseCol("probability", 2, [][]float64{{0.5, 0.5}, {-0.2, 0.8}})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := table.Build(mem, tc.cols...)
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			ev, _ := New(Config{Task: tc.task})
			if err := ev.Update(rec); err == nil {
				t.Fatal("no error")
			}
			if ev.Rows() != 0 {
				t.Errorf("%d rows counted after an error", ev.Rows())
			}
		})
	}
	for _, cfg := range []Config{{}, {Task: "ranking"}, {Task: Binary, Window: -1}, {Task: Binary, AUCBins: MaxAUCBins + 1}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("config %+v: no error", cfg)
		}
	}
}

func TestSnapshotRestoreBitExact(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, tc := range []struct {
		task Task
		d    data
	}{
		{Binary, genBinary(9, 1500, 0)},
		{Multiclass, genMulticlass(10, 1500, 3)},
		{Regression, genRegression(11, 1500)},
	} {
		t.Run(string(tc.task), func(t *testing.T) {
			recs := tc.d.batches(t, mem, tc.task, []int{100, 250})
			defer release(recs)
			for _, cut := range []int{0, 1, 4, len(recs) - 1} {
				a, _ := New(Config{Task: tc.task, Window: 333, AUCBins: 64})
				for _, r := range recs[:cut] {
					a.Update(r)
				}
				snap, err := a.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				b, _ := New(Config{Task: Regression})
				if err := b.Restore(snap); err != nil {
					t.Fatal(err)
				}
				if again, _ := b.Snapshot(); !bytes.Equal(again, snap) {
					t.Fatal("snapshot of the restored evaluator differs")
				}
				for _, r := range recs[cut:] {
					if err := a.Update(r); err != nil {
						t.Fatal(err)
					}
					if err := b.Update(r); err != nil {
						t.Fatal(err)
					}
					ma, mb := a.Metrics(), b.Metrics()
					for _, name := range Names(tc.task) {
						for _, pair := range [][2]float64{{ma.Cumulative.Get(name), mb.Cumulative.Get(name)}, {ma.Window.Get(name), mb.Window.Get(name)}} {
							if math.Float64bits(pair[0]) != math.Float64bits(pair[1]) {
								t.Fatalf("cut %d %s: %v != %v", cut, name, pair[0], pair[1])
							}
						}
					}
				}
				sa, _ := a.Snapshot()
				sb, _ := b.Snapshot()
				if !bytes.Equal(sa, sb) {
					t.Errorf("cut %d: final snapshots differ", cut)
				}
				for _, bad := range [][]byte{nil, snap[:20], snap[:len(snap)-1], append(append([]byte{}, snap...), 1)} {
					if err := b.Restore(bad); err == nil {
						t.Errorf("restore of %d bad bytes: no error", len(bad))
					}
				}
				if sc, _ := b.Snapshot(); !bytes.Equal(sc, sb) {
					t.Error("a failed restore changed the evaluator")
				}
			}
		})
	}
}

func FuzzRestore(f *testing.F) {
	mem := memory.NewGoAllocator()
	for _, task := range []Task{Binary, Multiclass, Regression} {
		var d data
		switch task {
		case Binary:
			d = genBinary(1, 20, 0)
		case Multiclass:
			d = genMulticlass(1, 20, 3)
		default:
			d = genRegression(1, 20)
		}
		ev, _ := New(Config{Task: task, Window: 8, AUCBins: 4})
		recs := d.batches(f, mem, task, []int{20})
		ev.Update(recs[0])
		release(recs)
		b, _ := ev.Snapshot()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, _ := New(Config{Task: Binary})
		if err := ev.Restore(b); err != nil {
			return
		}
		ev.Metrics()
		s, _ := ev.Snapshot()
		if !bytes.Equal(s, b) {
			t.Fatal("restored snapshot does not round-trip")
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	mem := memory.NewGoAllocator()
	for _, task := range []Task{Binary, Regression} {
		b.Run(string(task), func(b *testing.B) {
			d := genBinary(1, 1024, 0)
			if task == Regression {
				d = genRegression(1, 1024)
			}
			recs := d.batches(b, mem, task, []int{1024})
			defer release(recs)
			ev, _ := New(Config{Task: task})
			b.ReportAllocs()
			for b.Loop() {
				ev.Update(recs[0])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*1024), "ns/row")
		})
	}
	b.Run("metrics_binary_window_1000", func(b *testing.B) {
		d := genBinary(1, 1024, 0)
		recs := d.batches(b, mem, Binary, []int{1024})
		defer release(recs)
		ev, _ := New(Config{Task: Binary})
		ev.Update(recs[0])
		for b.Loop() {
			ev.Metrics()
		}
	})
}

// TestUnscoredRowsAreSkipped: a learner that has seen no label yet
// predicts NaN; those rows count as unscored and enter no metric, and the
// count survives a snapshot.
func TestUnscoredRowsAreSkipped(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	nan := math.NaN()
	rec, err := table.Build(mem,
		table.Col("label", []float64{1, 0, 1, 0}),
		table.Col("prediction", []float64{nan, 0, 1, 1}),
		table.Col("probability", []float64{nan, 0.2, 0.9, 0.6}))
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	e, err := New(Config{Task: Binary, Window: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Update(rec); err != nil {
		t.Fatal(err)
	}
	m := e.Metrics()
	if m.Rows != 3 || m.Unscored != 1 || m.Cumulative.Accuracy != 2.0/3 {
		t.Errorf("rows %d unscored %d accuracy %v, want 3, 1, 2/3", m.Rows, m.Unscored, m.Cumulative.Accuracy)
	}
	snap, err := e.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var r Evaluator
	if err := r.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got := r.Metrics(); got.Unscored != 1 || got.Rows != 3 {
		t.Errorf("restored: rows %d unscored %d", got.Rows, got.Unscored)
	}
}
