package modelstream

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online"
	_ "github.com/eddyml/eddy/online/ftrl"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// collector keeps what operators emit.
type collector struct {
	main, side []arrow.Record
}

func (c *collector) Emit(rec arrow.Record) error { c.main = append(c.main, rec); return nil }
func (c *collector) EmitTo(tag string, rec arrow.Record) error {
	c.side = append(c.side, rec)
	return nil
}
func (c *collector) EmitWatermark(int64) error { return nil }
func (c *collector) release() {
	for _, r := range append(c.main, c.side...) {
		r.Release()
	}
}

func rows(t *testing.T, mem memory.Allocator, n int, off float64) arrow.Record {
	t.Helper()
	vecs := make([][]float64, n)
	y := make([]int64, n)
	for i := range n {
		x := float64(i%7) - 3 + off
		vecs[i] = []float64{x, 1}
		if x > 0 {
			y[i] = 1
		}
	}
	rec, err := table.Build(mem, table.DenseCol("features", 2, vecs), table.Col("label", y))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func modelRecord(t *testing.T, mem memory.Allocator, version int64) arrow.Record {
	t.Helper()
	l, err := online.New("ftrl", map[string]any{"l1": 0.0})
	if err != nil {
		t.Fatal(err)
	}
	r := rows(t, mem, 50, 0)
	defer r.Release()
	if err := l.Update(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	data, err := l.ModelData(mem, version)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, d := range data {
			d.Release()
		}
	}()
	rec, err := Encode(mem, version, l.Rows(), "ftrl", "logistic_regression_model", time.Unix(0, 0), data)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestPredictState checks that the prediction operator's snapshot carries
// its model version and buffered batches.
func TestPredictState(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	oc := &stream.OperatorContext{Parallelism: 1, Allocator: mem}
	f, err := Predict(PredictConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out collector
	defer out.release()

	// Two batches buffered before any model.
	a := f().(*predictOp)
	if err := a.Open(ctx, oc); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for range 2 {
		r := rows(t, mem, 10, 0)
		if err := a.ProcessData(ctx, r, &out); err != nil {
			t.Fatal(err)
		}
		r.Release()
	}
	snap1, err := a.Snapshot(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	m := modelRecord(t, mem, 4)
	defer m.Release()
	if err := a.ProcessControl(ctx, m, &out); err != nil {
		t.Fatal(err)
	}
	if len(out.main) != 2 || a.version != 4 {
		t.Fatalf("after the model: %d batches out, version %d", len(out.main), a.version)
	}
	snap2, err := a.Snapshot(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}

	// Restoring snap1 gives the buffered batches back; snap2 the model.
	b := f().(*predictOp)
	if err := b.Open(ctx, oc); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Restore(ctx, 1, [][]byte{snap1}); err != nil {
		t.Fatal(err)
	}
	if len(b.buf) != 2 || b.version != 0 {
		t.Fatalf("restored %d buffered batches, version %d", len(b.buf), b.version)
	}
	c := f().(*predictOp)
	if err := c.Open(ctx, oc); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Restore(ctx, 2, [][]byte{snap2}); err != nil {
		t.Fatal(err)
	}
	if c.version != 4 || len(c.buf) != 0 {
		t.Fatalf("restored version %d, %d buffered", c.version, len(c.buf))
	}
	// Both score a batch alike; a stale version is ignored.
	if err := c.ProcessControl(ctx, m, &out); err != nil || c.version != 4 {
		t.Fatalf("replayed version: %v, version %d", err, c.version)
	}
	r := rows(t, mem, 10, 0.5)
	defer r.Release()
	if err := a.ProcessData(ctx, r, &out); err != nil {
		t.Fatal(err)
	}
	if err := c.ProcessData(ctx, r, &out); err != nil {
		t.Fatal(err)
	}
	n := len(out.main)
	if !array.RecordEqual(out.main[n-1], out.main[n-2]) {
		t.Fatal("restored operator scores differently")
	}
	if err := c.Restore(ctx, 2, [][]byte{[]byte("garbage!")}); err == nil {
		t.Fatal("restored garbage")
	}
}

// TestGateState checks that the quality gate's snapshot carries its window
// and the versions waiting for their rows.
func TestGateState(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := context.Background()
	oc := &stream.OperatorContext{Parallelism: 1, Allocator: mem}
	f, err := QualityGate(GateConfig{Metric: MetricAccuracy, Threshold: 0.5, Window: 30, MaxLag: 20})
	if err != nil {
		t.Fatal(err)
	}
	scored := func(n int, right bool) arrow.Record {
		y := make([]float64, n)
		p := make([]float64, n)
		for i := range y {
			y[i] = float64(i % 2)
			p[i] = y[i]
			if !right {
				p[i] = 1 - y[i]
			}
		}
		rec, err := table.Build(mem, table.Col("label", y), table.Col("prediction", p))
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	var out collector
	defer out.release()
	a := f().(*gateOp)
	if err := a.Open(ctx, oc); err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	r := scored(40, false)
	defer r.Release()
	if err := a.ProcessData(ctx, r, &out); err != nil {
		t.Fatal(err)
	}
	m := modelRecord(t, mem, 1) // rows 50: waits for 10 more rows
	defer m.Release()
	if err := a.ProcessControl(ctx, m, &out); err != nil {
		t.Fatal(err)
	}
	if len(a.waiting) != 1 {
		t.Fatalf("%d versions waiting", len(a.waiting))
	}
	snap, err := a.Snapshot(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	b := f().(*gateOp)
	if err := b.Open(ctx, oc); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Restore(ctx, 1, [][]byte{snap}); err != nil {
		t.Fatal(err)
	}
	// 10 right rows: the window (20, 50] holds 20 wrong and 10 right rows,
	// accuracy 1/3 (a lost window would read as zeros, all "right").
	w := scored(10, true)
	defer w.Release()
	for _, op := range []*gateOp{a, b} {
		if err := op.ProcessData(ctx, w, &out); err != nil {
			t.Fatal(err)
		}
	}
	if len(out.main) != 0 || len(out.side) != 2 {
		t.Fatalf("%d passed, %d rejected; want the version rejected by both", len(out.main), len(out.side))
	}
	if !array.RecordEqual(out.side[0], out.side[1]) {
		t.Fatal("the restored gate rejected another record")
	}
	if got := out.side[1].Column(out.side[1].Schema().FieldIndices(ColMetric)[0]).(*array.Float64).Value(0); got != 1.0/3 {
		t.Fatalf("metric %v, want 1/3", got)
	}
	s1, _ := a.Snapshot(ctx, 2)
	s2, _ := b.Snapshot(ctx, 2)
	if !bytes.Equal(s1, s2) {
		t.Fatal("snapshots differ after the same input")
	}
}
