// Package window computes event-time windows over a keyed stream of Eddy's
// stream engine (pipeline/stream): tumbling, sliding and session windows
// with built-in and user aggregations, allowed lateness, and a side output
// for late rows.
//
// # Use
//
//	clicks := stream.FromSource(job, "clicks", src, 2).AssignWatermarks("ts", 10*time.Second)
//	counts := window.Of(clicks.KeyBy("user"), "ts", window.Tumbling(time.Minute)).
//		AllowedLateness(time.Minute).
//		Aggregate(window.Count(), window.Sum("amount"), window.Mean("amount"))
//	late := counts.SideOutput(window.LateTag)
//
// Of takes the keyed stream, the event-time column (a timestamp column of
// any unit, or int64 milliseconds) and an Assigner: Tumbling(size),
// Sliding(size, slide) or Session(gap). Windows are half-open [start, end)
// in milliseconds; tumbling and sliding windows are aligned to the epoch.
// Aggregate returns a stream of batches with the key columns, window_start
// and window_end (timestamp[ms]) and one column per aggregation.
//
// # Aggregations
//
// Count() (int64 "count"), Sum, Mean, Min, Max and Variance (sample, n-1)
// of a numeric column (float64 "sum_<col>" ..., null when the window has no
// non-null value; nulls are skipped). Accumulators are incremental: a
// window keeps a few numbers per aggregation, never its rows (Welford's
// running mean and variance, merged for sessions by Chan, Golub and
// LeVeque's pairwise update). As renames a column. User aggregations
// implement Aggregator[A] (Create, Add over a batch's rows, Merge for
// sessions, Result into an Arrow builder) and are wrapped by Custom with an
// output type and a state.Codec for checkpoints.
//
// # Event time, firing and lateness
//
// A window fires once, when the operator's watermark reaches end-1 (all
// rows up to the watermark have arrived), and its state is kept until
// end-1+lateness. A row whose window already fired but is within the
// allowed lateness updates the window, which emits its result again (once
// per window per input batch): downstream sees the latest row per (key,
// window_start) as the current answer. A row whose every window is past
// its lateness (or whose timestamp is null) is late: it goes, unchanged,
// to the side output LateTag, and is counted in the operator's
// stream.OperatorMetrics.SideRecordsOut, never silently dropped. The end
// of a bounded input sends the maximal watermark, which fires every pending
// window: a bounded job gives the same rows as the same input streamed.
//
// Session windows: a row at t opens [t, t+gap); windows of a key that
// overlap or touch merge, and their accumulators merge. Rows of a key are
// applied in arrival order.
//
// # State and recovery
//
// Tumbling and sliding windows keep one pane per open window: the
// accumulators of every key of that window, stored column-wise and indexed
// by the key's 64-bit partitioning hash (a collision is told apart by the
// encoded key; for a single integer, float or time key without nulls the
// hash is a bijection and no key bytes are compared). A pane fires as a
// whole, its keys in encoded-key order, when the watermark reaches end-1,
// and is dropped at end-1+lateness: no per-key timers. The panes are a
// state.Table, so checkpoints store them by key group and a restore (also
// at another parallelism) resumes every open window. Session windows keep
// each key's windows in keyed value state with event-time timers at end-1
// (fire) and end-1+lateness (cleanup). The watermark the operator decided
// lateness with is checkpointed too, so rows late before a failure stay
// late after it.
//
// # Performance
//
// For tumbling and sliding windows a row costs one hash-map probe by
// uint64 in its window's pane and one accumulator update (built-ins are
// folded without an interface call); firing sorts the pane's keys once.
// Sessions group a batch's rows by key and window and fold each group
// with one accumulator call. Run scripts/bench_engine.sh for figures.
package window
