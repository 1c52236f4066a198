// Package scheduler runs flows: the jobs of a spec.Flow in dependency
// order, on events and on schedules, resumable after a crash.
//
// # Instances
//
// Each execution of a job is an instance ("train#1"), created by one
// cause recorded with it: the run's start (jobs with no after and no
// trigger), the success of an after-dependency (once all of a job's
// dependencies have succeeded; a triggered job that succeeds again runs
// its dependents again), a registry event, a job event (job.succeeded,
// job.failed) or an event a job emitted (metric.below), or a schedule
// tick (every, cron; missed ticks collapse into one). Instances run in
// parallel, at most Options.Workers bounded ones at once; long-running
// ones (serve) run until the flow stops. A failed attempt is retried
// after Backoff, doubling, up to Retries.Max times unless the error is
// jobs.Permanent; a Timeout cancels an attempt (status timeout).
//
// # Run store and resume
//
// Every change is a runstore.Record appended to the run's log, and the
// scheduler's state is the fold of that log. The changes that must not be
// split are one atomic append: an attempt's outcome with the job event and
// the instances it creates; a batch of registry events with the new
// cursor and the instances they trigger. So after kill -9, Run resumes the
// latest unfinished run of the flow: finished instances are not rerun,
// attempts that were running are marked interrupted and started again,
// and registry events are read from the stored cursor: none is handled
// twice or missed. The cursor is also acked in the registry under
// "flow.NAME" (a mirror; the run store is authoritative).
//
// # Events jobs emit while running
//
// A long-running job (an online learner) emits events without ending
// through jobs.Env.Emit: the event is appended to the run store as an
// event.emitted record before Emit returns, and the scheduler's loop
// dispatches it: the instances its triggers create and an
// event.dispatched record go in one append. A crash between the two
// leaves the event undispatched in the log, and the resumed run
// dispatches it first: an emitted event is handled exactly once. Events
// carry an ID unique in their job instance; an attempt restarted from a
// checkpoint that emits an ID again is ignored, so replayed input does not
// double its events.
//
// # Checkpoints
//
// Each instance gets its own checkpoint directory,
// Options.CheckpointDir/FLOW/RUN/INSTANCE (jobs.Env.CheckpointDir), the
// same for every attempt and after a resume, so a restarted streaming job
// continues from its last checkpoint; a new run starts clean.
//
// # One process per flow
//
// Run holds the flow's lock in the run store (runstore.Store.Lock) for
// the whole run: the file STATE/FLOW.lock, locked with flock(2), for the embedded store,
// a lease renewed in Redis for the Redis one. A second Run of the flow,
// in this process or another, fails at once with runstore.ErrLocked
// naming the lock and its holder's pid; a Run that loses its Redis lease
// stops.
//
// # Ending
//
// Without Options.Follow (or a schedule), Run returns when the run is
// idle: no bounded instance pending or running and every registry event
// handled; long-running jobs are then stopped and the run is recorded as
// succeeded, or failed naming the failed instances. Cancelling ctx stops
// the run without finishing it, to be resumed by the next Run.
//
// # Time
//
// Schedules and backoffs use Options.Clock, so tests pin and advance
// time; timeouts use real time.
package scheduler
