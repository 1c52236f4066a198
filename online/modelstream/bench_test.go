package modelstream_test

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/online"
	"github.com/eddyml/eddy/online/internal/ctrdata"
	"github.com/eddyml/eddy/online/modelstream"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
)

// BenchmarkLearnFTRLCTR is FTRL test-then-train on the peers' hashed CTR
// stream (20 fields hashed into 2^20 features, 4096-row sparse batches):
// "bare" is the learner's own UpdatePredict loop over the batches (the
// ceiling), "engine" the same through source -> learner operator (with
// prediction and probability columns, a version every 100k rows) ->
// discarding sink, "engine_nopred" the learner operator with Update only.
// Compare samples/s: engine / bare is the engine-integration overhead.
//
// The stream is the first 200,000 rows, generated; with EDDY_CTR_DATA set
// to the peers' ctr_1m.bin.gz (scripts/bench_online.sh makes it) it is the
// whole million rows the peers' bare loop reads.
func BenchmarkLearnFTRLCTR(b *testing.B) {
	mem := memory.NewGoAllocator()
	var d *ctrdata.Data
	if path := os.Getenv("EDDY_CTR_DATA"); path != "" {
		var err error
		if d, err = ctrdata.ReadFile(path); err != nil {
			b.Fatal(err)
		}
	} else {
		d = ctrdata.Generate(ctrdata.Seed, 200_000)
	}
	rows := d.Rows
	recs, err := ctrdata.Records(mem, d, 4096)
	if err != nil {
		b.Fatal(err)
	}
	tbl, err := table.New(recs[0].Schema(), recs...)
	for _, r := range recs {
		r.Release()
	}
	if err != nil {
		b.Fatal(err)
	}
	defer tbl.Release()
	params := map[string]any{"alpha": 0.2, "num_features": 1 << ctrdata.HashBits}
	ctx := context.Background()

	b.Run("bare", func(b *testing.B) {
		c0 := cpuTime(b)
		for range b.N {
			l, err := online.New("ftrl", params)
			if err != nil {
				b.Fatal(err)
			}
			s := l.(online.Scorer)
			var dst []float64
			r := tbl.Reader()
			for r.Next() {
				if dst, err = s.UpdatePredict(ctx, r.Record(), dst); err != nil {
					b.Fatal(err)
				}
			}
			r.Release()
		}
		b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "samples/s")
		b.ReportMetric(float64(rows*b.N)/(cpuTime(b)-c0), "samples/cpu-s")
	})
	for _, v := range []struct {
		name   string
		noPred bool
	}{{"engine", false}, {"engine_nopred", true}} {
		b.Run(v.name, func(b *testing.B) {
			c0 := cpuTime(b)
			for range b.N {
				stats := &modelstream.LearnStats{}
				job := stream.NewJob("bench", stream.WithAllocator(mem))
				src := stream.FromSource(job, "ctr", tableSource{tbl}, 1)
				scored, _, err := modelstream.AddLearner(src, "ftrl", modelstream.LearnConfig{
					Learner: "ftrl", Params: params, EveryRows: 100_000, NoPredictions: v.noPred, Stats: stats})
				if err != nil {
					b.Fatal(err)
				}
				scored.To("discard", stream.SinkFunc(func(context.Context, int, arrow.Record) error { return nil }))
				if err := job.Run(ctx); err != nil {
					b.Fatal(err)
				}
				if stats.Rows() != int64(rows) || stats.Version() != int64((rows+99_999)/100_000) {
					b.Fatalf("learned %d rows in %d versions", stats.Rows(), stats.Version())
				}
			}
			b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "samples/s")
			b.ReportMetric(float64(rows*b.N)/(cpuTime(b)-c0), "samples/cpu-s")
		})
	}
}

// cpuTime returns the CPU seconds (user + system, all threads) this process
// used so far: on a shared, busy machine samples per CPU second is steadier
// than samples per wall second, and it is the per-core figure.
func cpuTime(b *testing.B) float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
