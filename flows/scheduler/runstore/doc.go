// Package runstore persists flow runs as append-only logs of records.
//
// # Model
//
// A run is a sequence of Records (run.started, instance.created,
// attempt.started, attempt.finished, instance.finished, event.handled,
// schedule.tick, run.resumed, run.finished); Fold rebuilds its state. A
// Store appends batches of records atomically: all or nothing after a
// crash. That is what lets the scheduler record "event 12 handled" and the
// instance it triggers, or "train#1 succeeded" and the instances after it,
// as one step.
//
// # Backends
//
// FileStore (the default, in the flow's state directory) writes one file
// per run, DIR/ID.log, one line per batch: a CRC-32 and the batch as
// JSON, fsynced; a torn last line is ignored on read and cut off before
// the next append. RedisStore keeps each run in a list (one RPUSH per
// batch) with sorted-set indexes per flow; Open picks it when the model
// registry is on Redis, so a flow's runs and models live together.
package runstore
