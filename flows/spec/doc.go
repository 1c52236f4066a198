// Package spec parses the YAML files that describe Eddy's work: pipeline
// files (the stages `eddy train` fits) and flow files, whose train jobs
// embed them.
//
// # Pipeline files
//
//	label_col: label            # optional; default label
//	task: auto                  # auto|binary|multiclass|regression|clustering
//	split: {test: 0.25, seed: 42}
//	stages:
//	  - kind: vector_assembler
//	    params: {input_cols: [a, b], output_col: features}
//	  - kind: standard_scaler
//	    params: {input_col: features, output_col: scaled}
//	  - kind: logistic_regression
//	    params: {features_col: scaled}
//
// Stages name registry kinds (transformers and estimators) and their
// params, which the kind's constructor validates. label_col is the label
// for evaluation and the default label_col of every stage declaring one
// that does not set it. split.test is the held-out fraction (0: no
// evaluation). See testdata/*.yaml for commented examples.
//
// # Errors
//
// ParsePipeline reports every problem of a file in one run, joined with
// errors.Join, each an *Error printing as file:line:column: message, with
// the line and column of the YAML node at fault: unknown keys, unknown
// kinds (with close matches), unknown params (naming the known ones),
// values the stage rejects (mapped from *param.Error to the value's
// node), an empty stage list. CheckSchema adds the checks that need the
// input's schema: a column no earlier stage or the input provides.
// Problems flattens the joined error.
//
// # Flow files
//
//	name: ctr
//	stores: {registry: "redis://${REDIS:-localhost:6379}/0"}   # default file://.eddy
//	jobs:
//	  ingest:   {kind: ingest, from: {generate: {rows: 20000, seed: 1}}, to: data/train.parquet}
//	  train:    {kind: train, after: [ingest], input: data/train.parquet, model: ctr,
//	             pipeline: ctr_pipeline.yaml, retries: {max: 2, backoff: 5s}, timeout: 10m}
//	  validate: {kind: validate, model: ctr, version: event, data: data/train.parquet,
//	             metric: auc, against: champion, on: {event: model.created, model: ctr}}
//	  deploy:   {kind: deploy, after: [validate], model: ctr, alias: champion}
//	  notify:   {kind: shell, command: ./notify.sh, on: {event: job.failed, job: train}}
//	  report:   {kind: shell, command: ./report.sh, cron: "0 6 * * mon-fri"}
//
// A job has a kind (KindLookup: BuiltinKinds here, flows/jobs adds the
// constructors and more kinds), the kind's fields, and common fields:
// after (jobs that must succeed first), on (an event: model.created,
// model.validated, model.rejected, model.deployed, model.deprecated,
// job.succeeded, job.failed, drift.detected, metric.below, filtered by
// model or job and a Condition), every or cron (a schedule, see Cron),
// retries, timeout. Values may use ${VAR} and ${VAR:-default} ($${ is a
// literal ${). Data paths are relative to the flow file's directory.
// stores has registry (file:// or redis://), state (the embedded run
// store's directory) and checkpoints (the streaming jobs' checkpoint
// root, default STATE/checkpoints).
//
// What a job emits, for the trigger check, is its config's Emits (train:
// model.created of its model; an online job with a drift detector:
// drift.detected) plus its kind's JobKind.Emits, for any model (kinds
// running user code). Running jobs emit drift.detected and metric.below
// themselves (IsEmittable); model.* events come from the registry and
// job.* from the scheduler.
//
// ParseFlow reports every problem in one run, at file:line:column: YAML
// errors, unknown keys, kinds and fields (with close matches), bad
// durations and cron expressions, unset variables, unknown or cyclic
// after targets (naming the cycle), triggers waiting for an event no job
// emits, inputs written by a job that does not run first or that nothing
// writes and do not exist, and the embedded pipelines' own problems.
package spec
