// Package stream is Eddy's unified stream engine: a dataflow of sources,
// operators and sinks over Arrow record batches, where batch processing is a
// bounded stream. The same job reads a CSV file and ends by itself, or reads
// a topic and runs until cancelled.
//
// # Building a job
//
// A Job is a graph. FromSource adds a source; the methods of Stream add
// operators (Map, Filter, FlatMap, Project, Process, AssignWatermarks),
// change the partitioning of the next edge (Rebalance, Broadcast, KeyBy) and
// add sinks (To, ToParallel, Collect, NewFileSink). Union merges streams.
// KeyBy returns a KeyedStream whose operators (Process, Count) see every row
// of a key in the same subtask and keep per-key state; pipeline/window adds
// event-time windows on it. Connect pairs a data stream with a broadcast
// control stream for a CoOperator. SideOutput reads what operators emit to
// a tag (Collector.EmitTo), such as a window's late rows. Job.String prints
// the graph.
//
//	job := stream.NewJob("clicks")
//	counts := stream.FromSource(job, "events", src, 2).KeyBy("user").Count("count").Collect()
//	err := job.Run(ctx)
//
// pipeline/window's package Example is a windowed keyed count from a CSV
// file to stdout in about 15 lines.
//
// Map and Filter work on whole batches (Eddy is columnar): a map returns a
// new batch, a filter returns a row mask.
//
// # Execution
//
// Each node runs as parallelism subtasks, one goroutine each (sources use a
// second goroutine for their reader). Every pair (upstream subtask i,
// downstream subtask j) of an edge is its own bounded channel, like Flink's
// input channels, carrying in order: batches, watermarks, checkpoint
// barriers and, by closing, end of input. Channels hold
// WithChannelCapacity elements (DefaultChannelCapacity), so a slow sink
// slows the sources: backpressure by construction, never unbounded memory.
//
// Partitioners: forward (subtask i to subtask i, the default between nodes
// of equal parallelism), rebalance (whole batches round robin, the default
// otherwise), broadcast (every batch to every subtask, retained once per
// receiver) and hash (rows split by a deterministic hash of the key columns
// into key groups, then key groups to subtasks as in Flink, so that keyed
// state can later be redistributed by key group).
//
// Job.Run blocks until the job ends: nil once every bounded source has ended
// and end of input has reached the sinks (operators' Finish and sinks' Close
// run on the way); the first error of any subtask, wrapped with the node's
// kind, name and subtask ("operator \"parse\" subtask 2/4: ..."), after every
// other subtask has stopped; or ctx.Err() on cancellation. A panic in user
// code becomes an error naming the operator. Every batch in flight is
// released before Run returns.
//
// # Memory
//
// Sending a batch on an edge, and Collector.Emit, hand over one reference.
// Operators and sink writers borrow the batch they are given: it is valid
// during the call, Retain it to keep it.
//
// # Event time
//
// Watermarks are event time in milliseconds. A source reader may report
// them (WatermarkReader); AssignWatermarks / WatermarkFromColumn computes
// max(timestamp) - out-of-orderness from a column (and checkpoints that
// maximum, so a restored job resumes event time where it stopped). A
// subtask's input watermark is the minimum over its input channels; it is
// forwarded when it advances (or handed to a WatermarkHandler, which then
// owns the output watermark). An ended input sends MaxWatermark.
//
// Idle sources: with WithSourceIdleTimeout(d), a source subtask that read
// nothing for d on the job's clock is marked idle; downstream subtasks
// leave its channels out of the minimum until it produces again (Flink's
// withIdleness), so a quiet partition does not stop event time. A subtask
// whose inputs are all idle takes the largest of their watermarks and is
// idle in turn.
//
// # Side outputs
//
// Collector.EmitTo(tag, rec) sends a batch to a side output;
// Stream.SideOutput(tag) is that stream (any number of consumers, or none:
// then the rows are released, but still counted in
// OperatorMetrics.SideRecordsOut). Watermarks, barriers and end of input
// reach side-output consumers as they reach the main ones.
//
// # Connected streams
//
// Connect(data, control).Process(name, newCoOp, parallelism) runs a
// CoOperator: ProcessData gets the data stream's batches (partitioned as
// usual), ProcessControl every batch of the control stream (broadcast to
// every subtask) — for instance a model stream next to the rows it scores.
// Barriers are aligned over both inputs and the watermark is the minimum
// of both, so a control stream without event time should end or go idle.
//
// # Keyed state and timers
//
// KeyBy(...).Process(name, newOp, parallelism) runs a KeyedOperator, whose
// ProcessBatch gets a KeyedContext: ForEachKey groups a batch's rows by key
// and sets each key as current key; state handles registered in Open
// (state.NewValueState, NewListState, NewMapState on kc.State()) then read
// and write that key's entries. RegisterEventTimer and
// RegisterProcessingTimer set per-key timers delivered to OnTimer
// (TimerHandler) with their key current: event-time timers fire in time
// order when the subtask's watermark reaches them, before the watermark
// goes downstream; processing-time timers follow the job's clock
// (WithClock). KeyFields and AppendKey turn the current key back into
// Arrow columns for output, ForEachStateKey visits every key of a state
// (to emit results at Finish). This is what pipeline/window builds on.
//
// A non-keyed operator that must act on time while no input arrives (an
// online learner publishing a model version every T) implements Ticker:
// OnTick runs on the operator's goroutine about every TickInterval, between
// elements, with its Collector.
//
// Keys are encoded by state.KeyCodec, whose hash also drives hash
// partitioning: key group = hash mod WithMaxKeyGroups, and key groups are
// split into contiguous ranges over the subtasks (as in Flink). An
// operator that wants no per-key calls binds KeyedContext.KeyCodec to its
// batch itself, indexes its own state by the row hashes and registers it
// as a state.Table (pipeline/window does so for tumbling and sliding
// windows).
//
// # Checkpoints
//
// With WithCheckpointInterval, a coordinator injects barrier n into every
// source, between batches (the reader runs in its own goroutine, so a source
// blocked waiting for input still emits barriers). A subtask that received
// barrier n on one input channel stops reading that channel until barrier n
// has arrived on every input channel (aligned barriers, Chandy-Lamport as in
// Flink), calls its BarrierHandler, forwards the barrier, snapshots its
// state and acknowledges: sources their table.Seeker offset; operators
// their keyed state and timers (automatically) and their Snapshotter bytes;
// sinks pre-commit (TwoPhaseCommitter) then snapshot. Each stateful
// subtask writes one file into the checkpoint.Storage (WithCheckpointStorage,
// in memory by default, checkpoint.NewDir for a directory). An operator
// encodes its state at the barrier and goes on processing while a
// goroutine writes and syncs the file, acknowledging once it is stored.
// Once every subtask acknowledged, the coordinator writes the manifest
// last and atomically, and only then is checkpoint n complete: sinks are
// told to Commit(n), the listener gets the checkpoint with its duration and
// size (also in Job.CheckpointStats). One checkpoint is in flight at a
// time.
//
// Final checkpoint: once a source has ended no more barriers are
// injected (the checkpoint in flight still completes: a source emits the
// barriers triggered before its end). When every source of a bounded job
// ended, each subtask takes its part of a final checkpoint at its end of
// input: sources their end offsets, operators their state after Finish,
// sinks pre-commit their last rows and wait until the checkpoint is
// complete to commit them (Checkpoint.Final, checkpoint.Manifest.Final).
// A job resumed from a final checkpoint (WithRestoreFrom, or a restart
// after a failure that came after it) reads nothing and finishes nothing
// again: its sinks only Restore, which commits the final transaction if
// the failure came before they did, so the last output is committed
// exactly once.
//
// # Exactly-once output
//
// NewFileSink writes Arrow IPC files by two-phase commit: rows since the
// last barrier go to an in-progress file, renamed pending at the barrier,
// published when the checkpoint completes. On restore, pending files of
// the restored checkpoint are published and everything after it is
// deleted, so each row is published once.
//
// # Recovery
//
// WithRestartStrategy(RestartStrategy{MaxAttempts, Delay}): when a subtask
// fails, Run stops the whole graph, then restarts it from the newest
// complete checkpoint in the same process: sources SeekRow to their
// offsets (only rows after the checkpoint are read again), keyed state is
// redistributed by key group (so a different parallelism works), operators
// and sinks Restore their snapshots (Restorer), pending transactions are
// committed or aborted. Without a complete checkpoint the restart begins
// from the start of the input. WithRestoreFrom(storage) does the same when
// Run starts, to resume after the process was killed:
//
//	store, _ := checkpoint.NewDir("ckpt", 3)
//	job := stream.NewJob("sums", stream.WithCheckpointInterval(time.Second),
//		stream.WithCheckpointStorage(store), stream.WithRestoreFrom(store),
//		stream.WithRestartStrategy(stream.RestartStrategy{MaxAttempts: 3, Delay: time.Second}))
//
// Restoring needs the same node names, source parallelism and key groups;
// operator state of old subtask j goes to new subtask j mod parallelism.
// Limits: between the end of the first source and the final checkpoint
// no checkpoint is taken, so a failure in that stretch restarts from the
// last checkpoint before it (and a job whose other sources never end takes
// no more checkpoints); processing-time timers pending at the end of input
// are dropped.
//
// # Metrics
//
// Job.Metrics returns per-node counters kept in atomics: rows and batches in
// and out, side-output rows, busy time (handling input, less time blocked
// sending) and backpressure time (blocked sending to a full channel).
// internal/enginemetrics exports them and Job.CheckpointStats to
// Prometheus (pipeline/ may not import it).
//
// # Concurrency
//
// See LOCKS.md: no lock is held across a channel operation.
package stream
