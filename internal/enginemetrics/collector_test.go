package enginemetrics_test

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/eddyml/eddy/internal/enginemetrics"
	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/pipeline/window"
)

// gather returns metric name -> operator label ("" for job metrics) ->
// value.
func gather(t *testing.T, reg *prometheus.Registry) map[string]map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]float64{}
	for _, mf := range mfs {
		vals := map[string]float64{}
		for _, m := range mf.GetMetric() {
			op := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "operator" {
					op = l.GetValue()
				}
				if l.GetName() == "job" && l.GetValue() != "clicks" {
					t.Errorf("%s: job label %q", mf.GetName(), l.GetValue())
				}
			}
			v := m.GetCounter().GetValue() + m.GetGauge().GetValue()
			vals[op] = v
		}
		out[mf.GetName()] = vals
	}
	return out
}

func TestCollectorExportsJobCounters(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var recs []arrow.Record
	for b := range 20 {
		rec, err := table.Build(mem, table.Col("user", []string{"a", "b", "a", "c"}),
			table.Col("ts", []int64{int64(b * 100), int64(b*100 + 10), int64(b*100 + 20), 5}))
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	job := stream.NewJob("clicks", stream.WithAllocator(mem),
		stream.WithCheckpointInterval(time.Millisecond), stream.WithCheckpointStorage(checkpoint.NewMemory(2)))
	src := stream.SourceFunc(func(ctx context.Context, sub, par int) (table.Reader, error) {
		r, err := stream.FromRecords(recs...).Open(ctx, sub, par)
		return &slow{Reader: r}, err
	})
	out := window.Of(stream.FromSource(job, "events", src, 1).AssignWatermarks("ts", 0).KeyBy("user"),
		"ts", window.Tumbling(time.Second)).Name("counts").Aggregate(window.Count())
	res := out.Collect()
	defer res.Release()
	reg := prometheus.NewRegistry()
	if err := reg.Register(enginemetrics.New(job)); err != nil {
		t.Fatal(err)
	}
	if err := job.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := gather(t, reg)
	check := func(name, op string, want float64) {
		t.Helper()
		if v, ok := got[name][op]; !ok || v != want {
			t.Errorf("%s{operator=%q} = %v (present %v), want %v", name, op, v, ok, want)
		}
	}
	check("eddy_stream_records_in_total", "counts", 80)
	check("eddy_stream_records_out_total", "events", 80)
	check("eddy_stream_batches_in_total", "counts", 20)
	check("eddy_stream_parallelism", "counts", 1)
	// The watermark after batch b is 100b+20: window [0, 1000) closes after
	// batch 10, so the ts=5 rows of batches 11..19 are late.
	check("eddy_stream_side_records_out_total", "counts", 9)
	check("eddy_stream_records_out_total", "counts", float64(res.NumRows()))
	s := job.CheckpointStats()
	check("eddy_stream_checkpoints_total", "", float64(s.Completed))
	check("eddy_stream_checkpoint_size_bytes_total", "", float64(s.TotalSize))
	if s.Completed == 0 {
		t.Error("no checkpoint completed: the test does not exercise checkpoint metrics")
	}
	if got["eddy_stream_busy_seconds_total"]["counts"] <= 0 {
		t.Error("busy time of the window operator is 0")
	}
	if _, ok := got["eddy_stream_backpressure_seconds_total"]["counts"]; !ok {
		t.Error("no backpressure metric")
	}
}

// slow pauses before each batch so that checkpoints complete while the job
// runs.
type slow struct{ table.Reader }

func (s *slow) Next() bool {
	time.Sleep(time.Millisecond)
	return s.Reader.Next()
}
