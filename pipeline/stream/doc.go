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
// add sinks (To, ToParallel, Collect). Union merges streams. KeyBy returns a
// KeyedStream whose operators (Process, Count) see every row of a key in the
// same subtask. Job.String prints the graph.
//
//	job := stream.NewJob("clicks")
//	counts := stream.FromSource(job, "events", src, 2).KeyBy("user").Count("count").Collect()
//	err := job.Run(ctx)
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
// max(timestamp) - out-of-orderness from a column. A subtask's input
// watermark is the minimum over its input channels; it is forwarded when it
// advances (or handed to a WatermarkHandler, which then owns the output
// watermark). An ended input sends MaxWatermark.
//
// # Checkpoint barriers
//
// With WithCheckpointInterval, a coordinator injects barrier n into every
// source, between batches (the reader runs in its own goroutine, so a source
// blocked waiting for input still emits barriers). A subtask that received
// barrier n on one input channel stops reading that channel until barrier n
// has arrived on every input channel (aligned barriers, Chandy-Lamport as in
// Flink), calls its BarrierHandler, forwards the barrier once and
// acknowledges. A checkpoint completes when every subtask has acknowledged;
// the listener receives the source offsets (table.Seeker) at the barrier.
// One checkpoint is in flight at a time. This increment takes no state
// snapshots yet: keyed state, timers, windows, snapshot storage and
// recovery build on these hooks.
//
// # Metrics
//
// Job.Metrics returns per-node counters (rows and batches in and out) kept in
// atomics; exporting them (for instance to Prometheus) is left to callers
// outside pipeline/.
//
// # Concurrency
//
// See LOCKS.md: no lock is held across a channel operation.
package stream
