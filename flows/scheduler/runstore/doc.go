// Package runstore persists flow runs as append-only logs of records.
//
// # Model
//
// A run is a sequence of Records (run.started, instance.created,
// attempt.started, attempt.finished, instance.finished, event.handled,
// schedule.tick, run.resumed, run.finished, and event.emitted and
// event.dispatched for the events jobs emit while running); Fold rebuilds
// its state. A
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
//
// # Locks
//
// Store.Lock keeps two processes from running one flow at once. FileStore
// flocks DIR/FLOW.lock (the kernel releases it when the holder dies) and
// writes the holder's pid in it; where there is no flock, the file is
// created exclusively instead. RedisStore sets a lease key
// PREFIX:lock:FLOW with SET NX PX, renewed every third of its TTL
// (DefaultLeaseTTL) and deleted on release; a lease whose holder ran on
// this host and is gone is taken over at once, others expire. The second
// locker gets an error wrapping ErrLocked that names the file or key and
// the holder.
package runstore
