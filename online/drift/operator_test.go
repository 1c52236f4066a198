package drift

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// errBatches cuts xs into batches of n rows with an "error" column and a
// "ts" column of milliseconds 1000*i.
func errBatches(t testing.TB, mem memory.Allocator, xs []float64, n int) []arrow.Record {
	t.Helper()
	var recs []arrow.Record
	for lo := 0; lo < len(xs); lo += n {
		hi := min(lo+n, len(xs))
		ts := make([]time.Time, hi-lo)
		for i := range ts {
			ts[i] = time.UnixMilli(int64(1000 * (lo + i))).UTC()
		}
		rec, err := table.Build(mem, table.Col("error", xs[lo:hi]), table.TimestampCol("ts", arrow.Millisecond, "UTC", ts, nil))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

type event struct {
	det  string
	row  int64
	ts   int64
	stat float64
}

func events(t testing.TB, recs []arrow.Record) []event {
	t.Helper()
	var out []event
	for _, r := range recs {
		if !r.Schema().Equal(EventSchema) {
			t.Fatalf("event schema %v", r.Schema())
		}
		d, row := r.Column(0).(*array.String), r.Column(1).(*array.Int64)
		ts, st := r.Column(2).(*array.Timestamp), r.Column(3).(*array.Float64)
		for i := range int(r.NumRows()) {
			out = append(out, event{d.Value(i), row.Value(i), int64(ts.Value(i)), st.Value(i)})
		}
	}
	return out
}

func TestOperatorInJob(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	xs := bernoulli(11, 6000, 3000, 0.1, 0.7)
	for _, kind := range Kinds() {
		t.Run(kind, func(t *testing.T) {
			// Expected: the detector run directly.
			ref := newDetector(t, kind)
			var want []event
			for i, x := range xs {
				if ref.Update(x) {
					want = append(want, event{kind, int64(i), int64(i) * 1e6, ref.Statistic()})
				}
			}
			if len(want) == 0 {
				t.Fatal("reference run found no drift")
			}
			recs := errBatches(t, mem, xs, 250)
			defer func() {
				for _, r := range recs {
					r.Release()
				}
			}()
			newOp, err := NewOperator(OperatorConfig{Column: "error", TimeColumn: "ts",
				New: func() (Detector, error) { return New(kind) }})
			if err != nil {
				t.Fatal(err)
			}
			job := stream.NewJob("drift", stream.WithAllocator(mem))
			s := stream.FromSource(job, "errors", stream.FromRecords(recs...), 1).Process("detect", newOp, 1)
			rows := s.Collect()
			drifts := s.SideOutput(Tag).Collect()
			defer rows.Release()
			defer drifts.Release()
			if err := job.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			if rows.NumRows() != int64(len(xs)) {
				t.Errorf("%d rows passed through, want %d", rows.NumRows(), len(xs))
			}
			got := events(t, drifts.Records())
			if len(got) != len(want) {
				t.Fatalf("%d events, want %d: %v vs %v", len(got), len(want), got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("event %d: %+v, want %+v", i, got[i], want[i])
				}
			}
		})
	}
}

// The operator's snapshot carries the detector and the row count: a
// restored operator continues with the same events and row numbers.
func TestOperatorSnapshotRestore(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	xs := bernoulli(12, 4000, 2000, 0.1, 0.8)
	recs := errBatches(t, mem, xs, 500)
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	clock := func() time.Time { return time.UnixMicro(42) }
	newOp, err := NewOperator(OperatorConfig{Column: "error", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	oc := &stream.OperatorContext{Name: "d", Parallelism: 1, Allocator: mem}
	run := func(op stream.Operator, recs []arrow.Record) []event {
		c := &collector{}
		for _, r := range recs {
			if err := op.ProcessBatch(ctx, r, c); err != nil {
				t.Fatal(err)
			}
		}
		defer c.release()
		return events(t, c.side)
	}
	full := newOp()
	full.(stream.Opener).Open(ctx, oc)
	want := run(full, recs)

	first := newOp()
	first.(stream.Opener).Open(ctx, oc)
	got := run(first, recs[:3])
	snap, err := first.(stream.Snapshotter).Snapshot(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	second := newOp()
	second.(stream.Opener).Open(ctx, oc)
	if err := second.(stream.Restorer).Restore(ctx, 1, [][]byte{snap}); err != nil {
		t.Fatal(err)
	}
	got = append(got, run(second, recs[3:])...)
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] || got[i].ts != 42 {
			t.Errorf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	s1, _ := full.(stream.Snapshotter).Snapshot(ctx, 2)
	s2, _ := second.(stream.Snapshotter).Snapshot(ctx, 2)
	if !bytes.Equal(s1, s2) {
		t.Error("final operator snapshots differ")
	}
	if err := second.(stream.Restorer).Restore(ctx, 1, [][]byte{snap[:len(snap)-3]}); err == nil {
		t.Error("restore of truncated state: no error")
	}
	if err := second.(stream.Restorer).Restore(ctx, 1, [][]byte{snap, snap}); err == nil {
		t.Error("restore of two states: no error")
	}
}

func TestOperatorErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	if _, err := NewOperator(OperatorConfig{}); err == nil {
		t.Error("no column: no error")
	}
	if _, err := NewOperator(OperatorConfig{Column: "e", New: func() (Detector, error) { return NewADWIN(ADWINConfig{Delta: 5}) }}); err == nil {
		t.Error("bad detector: no error")
	}
	rec, _ := table.Build(mem, table.NullableCol("error", []float64{0, 1, 0}, []bool{true, true, false}))
	defer rec.Release()
	newOp, _ := NewOperator(OperatorConfig{Column: "error"})
	op := newOp()
	ctx := context.Background()
	op.(stream.Opener).Open(ctx, &stream.OperatorContext{Parallelism: 1, Allocator: mem})
	c := &collector{}
	defer c.release()
	if err := op.ProcessBatch(ctx, rec, c); err == nil {
		t.Error("null value: no error")
	}
	newOp, _ = NewOperator(OperatorConfig{Column: "missing"})
	op = newOp()
	op.(stream.Opener).Open(ctx, &stream.OperatorContext{Parallelism: 1, Allocator: mem})
	if err := op.ProcessBatch(ctx, rec, c); err == nil {
		t.Error("missing column: no error")
	}
}

type collector struct {
	main, side []arrow.Record
}

func (c *collector) Emit(r arrow.Record) error { c.main = append(c.main, r); return nil }
func (c *collector) EmitTo(tag string, r arrow.Record) error {
	if tag != Tag {
		r.Release()
		return nil
	}
	c.side = append(c.side, r)
	return nil
}
func (c *collector) EmitWatermark(int64) error { return nil }
func (c *collector) release() {
	for _, r := range append(c.main, c.side...) {
		r.Release()
	}
	c.main, c.side = nil, nil
}
