// Package stageop runs pipeline stages on the stream engine: any
// pipeline.Transformer (a transformer, a fitted model, a PipelineModel)
// becomes an operator of pipeline/stream, so that the same stage code
// serves a bounded table (pipeline.TransformTable), a single batch
// (Transform) and a stream.
//
// # Use
//
//	out := stageop.TransformStream(src, model, "score")
//	// or: src.Process("score", stageop.Operator(model), parallelism)
//
// The operator runs at the stream's parallelism (or the one given to
// Process). All subtasks share the transformer, whose Transform is safe
// for concurrent use, so SetModelData on a model swaps the model of a
// running job; the order of rows across subtasks is not kept.
//
// # Memory and errors
//
// Each batch is transformed with the job's allocator
// (stream.OperatorContext.Allocator, passed with pipeline.WithAllocator)
// and checked against OutputSchema of its input schema (computed once per
// input schema). An error, a schema mismatch or a panic in the stage stops
// the job with an error naming the operator and the stage kind. Batches
// that come out empty (a filter, or handle_invalid=skip dropping every
// row) are not emitted.
//
// The package is apart from pipeline because the stage layer (pipeline,
// used by transformers, estimators and serving) must not depend on the
// engine (DESIGN.md section 2).
package stageop
