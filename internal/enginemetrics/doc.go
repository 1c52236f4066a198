// Package enginemetrics exports the counters of a running stream job
// (pipeline/stream) to Prometheus. pipeline/ may not import Prometheus, so
// the engine keeps its counters in atomics (Job.Metrics,
// Job.CheckpointStats) and this adapter reads them at scrape time.
//
// # Use
//
//	reg := prometheus.NewRegistry()
//	if err := reg.Register(enginemetrics.New(job)); err != nil { ... }
//	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
//
// # Metrics
//
// Per operator (labels job, operator, kind): eddy_stream_records_in_total,
// eddy_stream_records_out_total, eddy_stream_side_records_out_total (late
// rows of windows and other side outputs), eddy_stream_batches_in_total,
// eddy_stream_batches_out_total, eddy_stream_busy_seconds_total,
// eddy_stream_backpressure_seconds_total (time blocked sending to a full
// channel) and eddy_stream_parallelism. Per job (label job):
// eddy_stream_checkpoints_total, eddy_stream_checkpoint_duration_seconds
// and eddy_stream_checkpoint_size_bytes (last checkpoint),
// eddy_stream_checkpoint_duration_seconds_total,
// eddy_stream_checkpoint_size_bytes_total, eddy_stream_restarts_total and
// eddy_stream_restored_checkpoint (id of the last restore, 0 for none).
package enginemetrics
