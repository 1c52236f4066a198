// Package pipeline is Eddy's Stage API, after Flink ML 2.x: transformers,
// estimators and models, chained into pipelines, that work on Arrow
// record batches (arrow/go/v17).
//
// # Stages
//
// A Stage has a kind name (known to pipeline/registry) and typed params
// (pipeline/param). A Transformer maps one batch to one batch
// (Transform), so one transformer serves a bounded table
// (TransformTable, TransformReader), a stream operator and a single
// request; OutputSchema tells the output schema up front, so a pipeline
// is checked before data flows. An Estimator reads bounded input
// (table.Reader) and returns a Model: a Transformer whose model data are
// Arrow records that can be got, saved (pipeline/modelio) and replaced
// while it runs.
//
// # Pipelines
//
// A Pipeline runs its stages in order. Fit streams the data through the
// transformers batch by batch, fits each estimator on what reaches it and
// lets its model transform the data for the next stage; data is read into
// a table.Table only when an estimator is followed by another estimator.
// The result is a PipelineModel, a Model that chains the transformers and
// fitted models and is saved like any stage. FitTransform fits as Fit does
// and also returns the transformed data, running each stage once (as
// scikit-learn's fit_transform): every estimator's input is read into a
// table, fit on and transformed by its model (in one go when the estimator
// is a FitTransformer). TransformTable transforms the batches of a table
// in parallel on GOMAXPROCS goroutines, keeping their order.
//
// # Rows
//
// A RowTransformer also transforms one row at a time: RowFunc(schema)
// returns a function from a Row (the row's float64 and dense vector
// values, column by column) to the output row, equal bit for bit to what
// Transform gives for a one-row batch, that allocates nothing once its
// RowScratch has grown. It is for servers scoring single rows, where
// building one-value Arrow arrays costs more than the model. A
// PipelineModel is one when all its stages are; a stage that cannot
// cover a schema or a row says so (ErrNoRowPath, or an error for the
// row) and the caller falls back to Transform, which also gives the
// canonical error messages. CheckRowFunc compares a stage's two paths on
// every row of a batch, for tests.
//
// # Streams
//
// Package pipeline/stageop runs any transformer, fitted model or
// PipelineModel as an operator of the stream engine (pipeline/stream); it
// lives apart so that the stage layer does not depend on the engine.
//
// # Model data and versions
//
// ModelState holds a model's data as an immutable Snapshot behind an
// atomic pointer: Transform loads it once per batch and SetModelData
// swaps it, with no lock, so a model stream can update a model that is
// serving. A model version (int64) travels in the model data's schema
// metadata (ModelVersionKey, WithModelVersion); a model with the
// model_version_col param set writes the version that scored each row in
// that column (AppendVersionColumn).
//
// # Memory
//
// Transform borrows its input and returns a batch the caller releases;
// Fit borrows its reader. Stages allocate from Allocator(ctx), set with
// WithAllocator. Model data is copied into garbage-collected memory, so a
// model needs no Release.
//
// # Errors
//
// Errors name the stage (position and kind) and, through table.FieldIndex
// and param.Error, the column or param at fault. A panic inside a stage's
// Transform or Fit becomes an error at the pipeline boundary.
package pipeline
