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
