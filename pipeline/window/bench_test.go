package window_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/checkpoint"
	"github.com/eddyml/eddy/pipeline/stream"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/eddyml/eddy/pipeline/window"
)

// Engine benchmarks behind scripts/bench_engine.sh. Each reports rows/s
// (wall clock) and rows/cpu-s: rows per second of CPU time used by the
// whole process (user + system, every goroutine), i.e. throughput per
// core actually used.

const benchRows = 64 * 1024

// cpuTime returns the process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func report(b *testing.B, rows int64, cpu0 time.Duration) {
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
	if cpu > 0 {
		b.ReportMetric(float64(rows)/cpu.Seconds(), "rows/cpu-s")
	}
}

func discard() stream.Sink {
	return stream.SinkFunc(func(context.Context, int, arrow.Record) error { return nil })
}

// BenchmarkEngineMap: in-memory source -> map (f0 + 1 into a new batch
// sharing the other 19 float64 columns) -> discarding sink, parallelism 1.
func BenchmarkEngineMap(b *testing.B) {
	mem := memory.NewGoAllocator()
	fields := make([]arrow.Field, 20)
	cols := make([]arrow.Array, 20)
	vals := make([]float64, benchRows)
	for i := range vals {
		vals[i] = float64(i)
	}
	for i := range fields {
		fields[i] = arrow.Field{Name: fmt.Sprintf("f%d", i), Type: arrow.PrimitiveTypes.Float64}
		bld := array.NewFloat64Builder(mem)
		bld.AppendValues(vals, nil)
		cols[i] = bld.NewArray()
		bld.Release()
	}
	rec := array.NewRecord(arrow.NewSchema(fields, nil), cols, benchRows)
	defer rec.Release()
	src := make([]arrow.Record, b.N)
	for i := range src {
		src[i] = rec
	}
	job := stream.NewJob("bench", stream.WithAllocator(mem))
	stream.FromSource(job, "mem", stream.FromRecords(src...), 1).
		Map("inc", func(r arrow.Record) (arrow.Record, error) {
			in := r.Column(0).(*array.Float64).Float64Values()
			bld := array.NewFloat64Builder(mem)
			defer bld.Release()
			bld.Resize(len(in))
			for _, v := range in {
				bld.UnsafeAppend(v + 1)
			}
			col := bld.NewArray()
			defer col.Release()
			cols := append([]arrow.Array{col}, r.Columns()[1:]...)
			return array.NewRecord(r.Schema(), cols, r.NumRows()), nil
		}).
		To("discard", discard())
	b.ResetTimer()
	cpu0 := cpuTime()
	if err := job.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	report(b, int64(b.N)*benchRows, cpu0)
}

// eventSource makes n batches of (key int64 in [0, keys), ts int64 ms):
// 100 rows per ms of event time, key columns reused, a fresh ts column per
// batch. It is a table.Seeker (by whole batches) so checkpoints record it.
type eventSource struct {
	keys []arrow.Array
	n    int
}

func (s *eventSource) Open(_ context.Context, _, _ int) (table.Reader, error) {
	return &eventReader{s: s, mem: memory.NewGoAllocator()}, nil
}

type eventReader struct {
	s   *eventSource
	mem memory.Allocator
	i   int
	cur arrow.Record
}

var eventSchema = arrow.NewSchema([]arrow.Field{{Name: "key", Type: arrow.PrimitiveTypes.Int64}, {Name: "ts", Type: arrow.PrimitiveTypes.Int64}}, nil)

func (r *eventReader) Schema() *arrow.Schema { return eventSchema }
func (r *eventReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.i >= r.s.n {
		return false
	}
	bld := array.NewInt64Builder(r.mem)
	bld.Resize(benchRows)
	base := int64(r.i) * benchRows
	for j := range int64(benchRows) {
		bld.UnsafeAppend((base + j) / 100)
	}
	ts := bld.NewArray()
	bld.Release()
	r.cur = array.NewRecord(eventSchema, []arrow.Array{r.s.keys[r.i%len(r.s.keys)], ts}, benchRows)
	ts.Release()
	r.i++
	return true
}
func (r *eventReader) Record() arrow.Record { return r.cur }
func (r *eventReader) Err() error           { return nil }
func (r *eventReader) Release() {
	if r.cur != nil {
		r.cur.Release()
	}
}
func (r *eventReader) Offset() int64 { return int64(r.i) * benchRows }
func (r *eventReader) SeekRow(off int64) error {
	r.i = int(off / benchRows)
	return nil
}

// windowCountJob is the job of BenchmarkEngineWindowCount over n batches,
// with a checkpoint every interval (none when 0) into a directory.
func windowCountJob(b *testing.B, mem memory.Allocator, keys []arrow.Array, n int, interval time.Duration) *stream.Job {
	opts := []stream.Option{stream.WithAllocator(mem)}
	if interval > 0 {
		store, err := checkpoint.NewDir(b.TempDir(), 2)
		if err != nil {
			b.Fatal(err)
		}
		opts = append(opts, stream.WithCheckpointInterval(interval), stream.WithCheckpointStorage(store))
	}
	job := stream.NewJob("bench", opts...)
	keyed := stream.FromSource(job, "events", &eventSource{keys: keys, n: n}, 1).AssignWatermarks("ts", 0).KeyBy("key")
	window.Of(keyed, "ts", window.Tumbling(10*time.Second)).Aggregate(window.Count()).To("discard", discard())
	return job
}

// benchKeys returns 8 key columns of benchRows keys drawn from 100k.
func benchKeys(mem memory.Allocator) []arrow.Array {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]arrow.Array, 8)
	for i := range keys {
		bld := array.NewInt64Builder(mem)
		for range benchRows {
			bld.Append(rng.Int64N(100_000))
		}
		keys[i] = bld.NewArray()
		bld.Release()
	}
	return keys
}

func releaseArrays(as []arrow.Array) {
	for _, a := range as {
		a.Release()
	}
}

// BenchmarkEngineWindowCount: source -> watermarks -> keyBy(key, 100k
// distinct) -> tumbling 10s event-time window count -> discarding sink,
// parallelism 1, with no checkpoints and with a checkpoint every second
// (to a directory).
func BenchmarkEngineWindowCount(b *testing.B) {
	mem := memory.NewGoAllocator()
	keys := benchKeys(mem)
	defer releaseArrays(keys)
	for _, interval := range []time.Duration{0, time.Second} {
		name := "checkpoint=none"
		if interval > 0 {
			name = "checkpoint=" + interval.String()
		}
		b.Run(name, func(b *testing.B) {
			job := windowCountJob(b, mem, keys, b.N, interval)
			b.ResetTimer()
			cpu0 := cpuTime()
			if err := job.Run(context.Background()); err != nil {
				b.Fatal(err)
			}
			report(b, int64(b.N)*benchRows, cpu0)
			st := job.CheckpointStats()
			b.ReportMetric(float64(st.Completed), "checkpoints")
		})
	}
}

// BenchmarkEngineCheckpointOverhead measures the cost of checkpoints in
// one run: each iteration runs the BenchmarkEngineWindowCount job over the
// same 320 batches (21M rows, 4 to 5 checkpoints) twice, without checkpoints and with one
// every second, in alternating order. It reports both throughputs per
// CPU-second and per wall second over all iterations, and the overheads
// (1 - with/without) as the median over the iterations' pairs, which
// resists the load of other processes changing between pairs. Run it with
// -benchtime=Nx, N of 8 or more.
func BenchmarkEngineCheckpointOverhead(b *testing.B) {
	const batches = 320
	mem := memory.NewGoAllocator()
	keys := benchKeys(mem)
	defer releaseArrays(keys)
	var cpu, wall [2]time.Duration // 0 none, 1 every second
	var cpuOver, wallOver []float64
	ckpts := int64(0)
	for i := range b.N {
		var pc, pw [2]time.Duration
		for j := range 2 {
			k := (i + j) % 2
			interval := time.Duration(k) * time.Second
			job := windowCountJob(b, mem, keys, batches, interval)
			runtime.GC()
			c0, t0 := cpuTime(), time.Now()
			var err error
			pprof.Do(context.Background(), pprof.Labels("checkpoints", map[bool]string{false: "none", true: "every-second"}[interval > 0]), func(ctx context.Context) { err = job.Run(ctx) })
			if err != nil {
				b.Fatal(err)
			}
			pc[k], pw[k] = cpuTime()-c0, time.Since(t0)
			ckpts += job.CheckpointStats().Completed
		}
		for k := range 2 {
			cpu[k] += pc[k]
			wall[k] += pw[k]
		}
		cpuOver = append(cpuOver, 100*(1-pc[0].Seconds()/pc[1].Seconds()))
		wallOver = append(wallOver, 100*(1-pw[0].Seconds()/pw[1].Seconds()))
	}
	median := func(x []float64) float64 {
		slices.Sort(x)
		if n := len(x); n%2 == 0 {
			return (x[n/2-1] + x[n/2]) / 2
		}
		return x[len(x)/2]
	}
	rows := float64(b.N) * batches * benchRows
	b.ReportMetric(rows/cpu[0].Seconds(), "none-rows/cpu-s")
	b.ReportMetric(rows/cpu[1].Seconds(), "ckpt-rows/cpu-s")
	b.ReportMetric(rows/wall[0].Seconds(), "none-rows/s")
	b.ReportMetric(rows/wall[1].Seconds(), "ckpt-rows/s")
	b.ReportMetric(median(cpuOver), "cpu-overhead-%")
	b.ReportMetric(median(wallOver), "wall-overhead-%")
	b.ReportMetric(float64(ckpts)/float64(b.N), "checkpoints/run")
}
