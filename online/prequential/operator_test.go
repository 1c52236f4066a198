package prequential

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// withTime adds a "ts" timestamp[ms] column of 1000*row ms to recs.
func withTime(t testing.TB, mem memory.Allocator, recs []arrow.Record) []arrow.Record {
	t.Helper()
	var out []arrow.Record
	row := 0
	for _, r := range recs {
		ts := make([]time.Time, r.NumRows())
		for i := range ts {
			ts[i] = time.UnixMilli(int64(1000 * (row + i))).UTC()
		}
		row += len(ts)
		col, err := table.Build(mem, table.TimestampCol("ts", arrow.Millisecond, "UTC", ts, nil))
		if err != nil {
			t.Fatal(err)
		}
		fields := append(r.Schema().Fields(), col.Schema().Field(0))
		cols := append(r.Columns(), col.Column(0))
		out = append(out, array.NewRecord(arrow.NewSchema(fields, nil), cols, r.NumRows()))
		col.Release()
		r.Release()
	}
	return out
}

func TestOperatorInJob(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := genBinary(21, 2345, 0)
	recs := withTime(t, mem, d.batches(t, mem, Binary, []int{100, 333, 7}))
	defer release(recs)
	reg := prometheus.NewPedanticRegistry()
	const every = 500
	newOp, err := NewOperator(OperatorConfig{Config: Config{Task: Binary, Window: 200}, Every: every,
		TimeColumn: "ts", Registerer: reg, Learner: "ftrl"})
	if err != nil {
		t.Fatal(err)
	}
	// A second operator on the same registry shares the gauge vectors.
	if _, err := NewOperator(OperatorConfig{Config: Config{Task: Binary}, Registerer: reg, Learner: "other"}); err != nil {
		t.Fatalf("second registration: %v", err)
	}
	job := stream.NewJob("prequential", stream.WithAllocator(mem))
	s := stream.FromSource(job, "preds", stream.FromRecords(recs...), 1).Process("eval", newOp, 1)
	rows := s.Collect()
	metrics := s.SideOutput(Tag).Collect()
	defer rows.Release()
	defer metrics.Release()
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rows.NumRows() != int64(len(d.y)) {
		t.Errorf("%d rows passed through, want %d", rows.NumRows(), len(d.y))
	}
	// Expected: rows 500, 1000, ..., 2000 and the end (2345).
	wantRows := []int{500, 1000, 1500, 2000, 2345}
	var got []int
	schema := MetricsSchema(Binary)
	for _, r := range metrics.Records() {
		if !r.Schema().Equal(schema) {
			t.Fatalf("schema %v, want %v", r.Schema(), schema)
		}
		for i := range int(r.NumRows()) {
			n := int(r.Column(0).(*array.Int64).Value(i))
			got = append(got, n)
			if ts := int64(r.Column(1).(*array.Timestamp).Value(i)); ts != int64(n-1)*1e6 {
				t.Errorf("metrics row at %d: time %d, want the last row's %d", n, ts, int64(n-1)*1e6)
			}
			ev, _ := New(Config{Task: Binary, Window: 200})
			all := d.batches(t, mem, Binary, []int{n})
			ev.Update(all[0])
			release(all)
			m := ev.Metrics()
			for j, name := range Names(Binary) {
				c := r.Column(2 + j).(*array.Float64).Value(i)
				w := r.Column(5 + j).(*array.Float64).Value(i)
				if !close(c, m.Cumulative.Get(name), 1e-12) || !close(w, m.Window.Get(name), 1e-12) {
					t.Errorf("row %d %s: %v %v, want %v %v", n, name, c, w, m.Cumulative.Get(name), m.Window.Get(name))
				}
			}
		}
	}
	if len(got) != len(wantRows) {
		t.Fatalf("metrics rows at %v, want %v", got, wantRows)
	}
	for i := range got {
		if got[i] != wantRows[i] {
			t.Fatalf("metrics rows at %v, want %v", got, wantRows)
		}
	}
	// The gauges hold the last row's values: gather them from the registry.
	ev, _ := New(Config{Task: Binary, Window: 200})
	all := d.batches(t, mem, Binary, []int{len(d.y)})
	ev.Update(all[0])
	release(all)
	m := ev.Metrics()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := 0
	for _, name := range Names(Binary) {
		for scope, want := range map[string]float64{"cumulative": m.Cumulative.Get(name), "window": m.Window.Get(name)} {
			got, ok := gauge(fams, "eddy_online_"+name, map[string]string{"learner": "ftrl", "scope": scope})
			if !ok || !close(got, want, 1e-12) {
				t.Errorf("gauge %s{scope=%s} = %v (found %v), want %v", name, scope, got, ok, want)
			}
			series++
		}
	}
	n := 0
	for _, f := range fams {
		n += len(f.GetMetric())
	}
	if n != series {
		t.Errorf("gathered %d series, want %d", n, series)
	}
}

// gauge finds a gauge's value among gathered metric families.
func gauge(fams []*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	metrics:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue metrics
				}
			}
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// Snapshot between batches and restore into a fresh operator: the metrics
// rows continue as without the interruption.
func TestOperatorSnapshotRestore(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	d := genRegression(22, 1000)
	recs := d.batches(t, mem, Regression, []int{90})
	defer release(recs)
	clock := func() time.Time { return time.UnixMicro(7) }
	newOp, err := NewOperator(OperatorConfig{Config: Config{Task: Regression, Window: 100}, Every: 128, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	oc := &stream.OperatorContext{Parallelism: 1, Allocator: mem}
	run := func(op stream.Operator, recs []arrow.Record, finish bool) [][2]float64 {
		c := &collector{}
		defer c.release()
		for _, r := range recs {
			if err := op.ProcessBatch(ctx, r, c); err != nil {
				t.Fatal(err)
			}
		}
		if finish {
			op.(stream.Finisher).Finish(ctx, c)
		}
		var out [][2]float64
		for _, r := range c.side {
			for i := range int(r.NumRows()) {
				if ts := r.Column(1).(*array.Timestamp).Value(i); ts != 7 {
					t.Errorf("time %d, want the clock's 7", ts)
				}
				out = append(out, [2]float64{float64(r.Column(0).(*array.Int64).Value(i)), r.Column(2).(*array.Float64).Value(i)})
			}
		}
		return out
	}
	full := newOp()
	full.(stream.Opener).Open(ctx, oc)
	want := run(full, recs, true)
	if len(want) != 8 || want[7][0] != 1000 {
		t.Fatalf("metrics rows %v", want)
	}
	a := newOp()
	a.(stream.Opener).Open(ctx, oc)
	got := run(a, recs[:5], false)
	snap, err := a.(stream.Snapshotter).Snapshot(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	b := newOp()
	b.(stream.Opener).Open(ctx, oc)
	if err := b.(stream.Restorer).Restore(ctx, 1, [][]byte{snap}); err != nil {
		t.Fatal(err)
	}
	got = append(got, run(b, recs[5:], true)...)
	if len(got) != len(want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("metrics row %d: %v, want %v", i, got[i], want[i])
		}
	}
	other, _ := NewOperator(OperatorConfig{Config: Config{Task: Regression, Window: 50}})
	o := other()
	o.(stream.Opener).Open(ctx, oc)
	if err := o.(stream.Restorer).Restore(ctx, 1, [][]byte{snap}); err == nil {
		t.Error("restore into an operator of another window: no error")
	}
	if err := b.(stream.Restorer).Restore(ctx, 1, [][]byte{snap[:30]}); err == nil {
		t.Error("restore of truncated state: no error")
	}
	if _, err := NewOperator(OperatorConfig{Config: Config{Task: Binary}, Every: -1}); err == nil {
		t.Error("negative every: no error")
	}
	reg := prometheus.NewRegistry()
	withGauges, _ := NewOperator(OperatorConfig{Config: Config{Task: Binary}, Registerer: reg})
	if err := withGauges().(stream.Opener).Open(ctx, &stream.OperatorContext{Parallelism: 2, Allocator: mem}); err == nil {
		t.Error("gauges with parallelism 2: no error")
	}
}

type collector struct{ main, side []arrow.Record }

func (c *collector) Emit(r arrow.Record) error { c.main = append(c.main, r); return nil }
func (c *collector) EmitTo(_ string, r arrow.Record) error {
	c.side = append(c.side, r)
	return nil
}
func (c *collector) EmitWatermark(int64) error { return nil }
func (c *collector) release() {
	for _, r := range append(c.main, c.side...) {
		r.Release()
	}
}
