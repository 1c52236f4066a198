package pipeline

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// Stage is a step of a pipeline: a kind name, known to the registry, and
// its params. Params are set before a stage is used; changing them while
// it transforms is not supported.
type Stage interface {
	// Kind is the registry kind name ("standard_scaler").
	Kind() string
	// Params returns the stage's params, owned by the stage.
	Params() *param.Set
}

// Transformer maps one batch to one batch, so the same code serves a
// bounded table, a stream operator and a single request.
type Transformer interface {
	Stage
	// OutputSchema returns the schema Transform produces for input schema
	// in, or an error naming the missing or mistyped column: a pipeline
	// is checked with it before any data flows.
	OutputSchema(in *arrow.Schema) (*arrow.Schema, error)
	// Transform returns the transformed batch. rec is borrowed: the
	// transformer does not release it (it Retains what it keeps or
	// returns). The caller owns one Release of the result, whose schema
	// is OutputSchema(rec.Schema()). Transform is safe for concurrent
	// use. Buffers come from Allocator(ctx).
	Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error)
}

// Estimator learns a Model from bounded input.
type Estimator interface {
	Stage
	// Fit reads r to its end and returns the fitted model. r is borrowed:
	// the caller releases it. An estimator that needs several passes
	// reads r into a table.Table or uses table.Seeker.
	Fit(ctx context.Context, r table.Reader) (Model, error)
}

// FitTransformer is the optional ability of an Estimator to transform the
// table it is fit on more cheaply than fitting and then transforming it
// with the model, by reusing per-row work of the fit (a string indexer
// that remembers where each row's label went). Pipeline.FitTransform uses
// it. The returned table, which the caller owns (one Release), must equal
// TransformTable(ctx, model, tbl); tbl is borrowed.
type FitTransformer interface {
	Estimator
	FitTransform(ctx context.Context, tbl *table.Table) (Model, *table.Table, error)
}

// Model is a Transformer with model data: Arrow records that can be got,
// saved, loaded and replaced while the model runs (a model stream).
type Model interface {
	Transformer
	// ModelData returns the model's data; the caller owns one Release of
	// each record. A model with no data yet returns nil.
	ModelData() []arrow.Record
	// SetModelData replaces the model data. The model retains what it
	// keeps; the caller keeps its references. It is safe to call while
	// Transform runs: each Transform call sees either the old or the new
	// model, whole. The version is read from the records' schema metadata
	// (ModelVersionKey); without it the version is 0.
	SetModelData(recs ...arrow.Record) error
}

// Versioned is the optional ability of a Model to tell the version of its
// current model data.
type Versioned interface {
	ModelVersion() int64
}

// Composite is the optional ability of a stage made of other stages
// (Pipeline, PipelineModel): save/load stores its children under it and
// the registry rebuilds it from them.
type Composite interface {
	Stage
	Children() []Stage
}

// ErrNoModelData is returned by Transform of a model whose data was never
// set.
var ErrNoModelData = errors.New("model has no model data")

type allocatorKey struct{}

// WithAllocator returns a context carrying mem, the allocator stages use
// for the batches they make.
func WithAllocator(ctx context.Context, mem memory.Allocator) context.Context {
	return context.WithValue(ctx, allocatorKey{}, mem)
}

// Allocator returns the allocator carried by ctx, or
// memory.DefaultAllocator.
func Allocator(ctx context.Context) memory.Allocator {
	if mem, ok := ctx.Value(allocatorKey{}).(memory.Allocator); ok && mem != nil {
		return mem
	}
	return memory.DefaultAllocator
}

// StageError wraps a stage's failure with its position and kind in a
// pipeline.
func stageErr(i int, s Stage, op string, err error) error {
	return fmt.Errorf("stage %d (%s): %s: %w", i, s.Kind(), op, err)
}

// safeTransform calls t.Transform, turning a panic into an error: a bug in
// one stage must not bring down a server.
func safeTransform(ctx context.Context, t Transformer, rec arrow.Record) (out arrow.Record, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("stage %q panicked: %v", t.Kind(), r)
		}
	}()
	out, err = t.Transform(ctx, rec)
	if err == nil && out == nil {
		err = fmt.Errorf("stage %q returned no batch and no error", t.Kind())
	}
	return out, err
}

// safeFitTransform calls e.FitTransform, turning a panic into an error.
func safeFitTransform(ctx context.Context, e FitTransformer, tbl *table.Table) (m Model, out *table.Table, err error) {
	defer func() {
		if p := recover(); p != nil {
			if out != nil {
				out.Release()
			}
			m, out, err = nil, nil, fmt.Errorf("stage %q panicked: %v", e.Kind(), p)
		}
	}()
	m, out, err = e.FitTransform(ctx, tbl)
	if err == nil && (m == nil || out == nil) {
		if out != nil {
			out.Release()
		}
		m, out, err = nil, nil, fmt.Errorf("stage %q returned no model or no table and no error", e.Kind())
	}
	return m, out, err
}

func safeFit(ctx context.Context, e Estimator, r table.Reader) (m Model, err error) {
	defer func() {
		if p := recover(); p != nil {
			m, err = nil, fmt.Errorf("stage %q panicked: %v", e.Kind(), p)
		}
	}()
	m, err = e.Fit(ctx, r)
	if err == nil && m == nil {
		err = fmt.Errorf("stage %q returned no model and no error", e.Kind())
	}
	return m, err
}
