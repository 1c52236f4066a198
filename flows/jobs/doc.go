// Package jobs holds the job kinds of flows and their registry.
//
// # Kinds
//
// A Kind pairs the parser's spec.JobKind (fields, how to read them) with a
// Constructor that builds a runnable Job from a parsed spec.Job. The
// built-in kinds are registered in Global:
//
//	ingest    copy a file or a bounded generated stream to a file (formats by extension)
//	train     fit a pipeline (spec.PipelineSpec, inline or a file) and register a version
//	          with its held-out metrics and lineage (flow run/instance, data source)
//	validate  evaluate a version on data against a threshold or the deployed champion;
//	          move it to validated, or to rejected (the job then fails, emitting metric.below)
//	deploy    move a version to deployed (deprecating the others) and set an alias
//	serve     run the HTTP API (serving/httpapi) until the flow stops
//	shell     run a command with args, env and EDDY_* variables describing the run and event
//	python    run a gpython script (inline code or a .py file) with the eddy module in
//	          process (PythonJob): eddy.registry() is the flow's registry, so the
//	          versions it puts raise model events; its last version and metrics are the
//	          job's outputs
//
// Other packages add kinds (online learners, Python scripts) with Register
// or Environment.Register; a flow parsed with an Environment (it is a
// spec.KindLookup) knows exactly the kinds it can build.
//
// # Attempts
//
// Job.Run runs one attempt. The scheduler may repeat attempts after a
// failure or a crash, so jobs are idempotent: train finds the version an
// earlier attempt of the same instance registered (by lineage), stage
// moves repeat as no-ops, outputs are written atomically (a python job
// runs its script again: its versions carry the instance's lineage). Errors wrapped
// with Permanent are not retried. TrainPipeline is the training core
// shared with `eddy train`.
//
// # Events and checkpoints
//
// A job reports events when it ends in its Result, and emits them while
// it runs with Env.Emit (a long-running online learner's drift.detected):
// the scheduler persists each before Emit returns and dispatches it
// exactly once, even across a crash. Event.ID makes an event a restarted
// attempt emits again a no-op. Env.CheckpointDir is the instance's own
// directory, kept across attempts and restarts of the run.
package jobs
