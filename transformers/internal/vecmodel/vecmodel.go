// Package vecmodel implements pipeline.Model once for the models that map
// an input vector column (dense or sparse) to an output dense vector
// column with learned per-feature state (the scalers, imputer-free PCA,
// discretizers...). A model embeds Base[S], calls Init from its
// constructor and provides three hooks.
//
// # Nulls
//
// A null input vector gives a null output vector.
package vecmodel

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/transformers/internal/vecutil"
)

// Hooks tell Base how to use a model state S.
type Hooks[S any] struct {
	// Decode turns model data records into a state (called by
	// SetModelData; the records are immutable and may be aliased).
	Decode func(data []arrow.Record) (S, error)
	// Dims returns the input dimension s expects and the output dimension
	// it produces.
	Dims func(s S) (in, out int)
	// Mapper returns, once per Transform call, the function that writes
	// the output vector for input src into dst (it may read params).
	Mapper func(s S) func(dst, src []float64)
}

// Base implements Kind, Params, ModelData, SetModelData, ModelVersion,
// OutputSchema and Transform over input_col, output_col and
// model_version_col.
type Base[S any] struct {
	param.HasInputCol
	param.HasOutputCol
	param.HasModelVersionCol
	kind   string
	params *param.Set
	state  pipeline.ModelState[S]
	hooks  Hooks[S]
}

// Init declares the shared params and extra ones and sets the values.
func (b *Base[S]) Init(kind string, hooks Hooks[S], values map[string]any, extra ...param.Declarer) error {
	b.kind, b.hooks = kind, hooks
	decls := append([]param.Declarer{&b.HasInputCol, &b.HasOutputCol, &b.HasModelVersionCol}, extra...)
	b.params = param.NewSet(kind, decls...)
	return b.params.SetMap(values)
}

// Kind returns the stage kind.
func (b *Base[S]) Kind() string { return b.kind }

// Params returns the params.
func (b *Base[S]) Params() *param.Set { return b.params }

// ModelData returns the current model data records (caller releases).
func (b *Base[S]) ModelData() []arrow.Record { return b.state.ModelData() }

// ModelVersion returns the version of the current model data.
func (b *Base[S]) ModelVersion() int64 { return b.state.ModelVersion() }

// SetModelData replaces the model data; safe while Transform runs.
func (b *Base[S]) SetModelData(recs ...arrow.Record) error {
	if err := b.state.Set(recs, b.hooks.Decode); err != nil {
		return fmt.Errorf("stage %q: set model data: %w", b.kind, err)
	}
	return nil
}

// State returns the current decoded state, or false without model data.
func (b *Base[S]) State() (S, bool) {
	snap := b.state.Load()
	if snap == nil {
		var z S
		return z, false
	}
	return snap.State, true
}

func (b *Base[S]) schema(in *arrow.Schema, snap *pipeline.Snapshot[S]) (*arrow.Schema, int, error) {
	col, dim, err := vecutil.VectorField(in, b.InputCol())
	if err != nil {
		return nil, -1, fmt.Errorf("stage %q: %w", b.kind, err)
	}
	if snap == nil {
		return nil, -1, fmt.Errorf("stage %q: %w", b.kind, pipeline.ErrNoModelData)
	}
	wantIn, out := b.hooks.Dims(snap.State)
	if dim >= 0 && dim != wantIn {
		return nil, -1, fmt.Errorf("stage %q: column %q has dimension %d, the model wants %d", b.kind, b.InputCol(), dim, wantIn)
	}
	fields := []arrow.Field{vecutil.DenseField(b.OutputCol(), out)}
	if vc := b.ModelVersionCol(); vc != "" {
		fields = append(fields, pipeline.VersionField(vc))
	}
	s, err := vecutil.AppendFields(in, fields...)
	if err != nil {
		return nil, -1, fmt.Errorf("stage %q: %w", b.kind, err)
	}
	return s, col, nil
}

// OutputSchema appends output_col (a dense vector of the model's output
// dimension) and model_version_col if set. It needs model data.
func (b *Base[S]) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	s, _, err := b.schema(in, b.state.Load())
	return s, err
}

// Transform appends the mapped vectors. rec is borrowed.
func (b *Base[S]) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := b.state.Load()
	schema, col, err := b.schema(rec.Schema(), snap)
	if err != nil {
		return nil, err
	}
	mem := pipeline.Allocator(ctx)
	st := snap.State
	in, out := b.hooks.Dims(st)
	arr, err := vecutil.MapDense(mem, rec.Column(col), b.InputCol(), in, out, b.hooks.Mapper(st))
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", b.kind, err)
	}
	defer arr.Release()
	vc := b.ModelVersionCol()
	if vc == "" {
		return vecutil.AppendColumns(schema, rec, arr)
	}
	base, err := vecutil.AppendFields(rec.Schema(), vecutil.DenseField(b.OutputCol(), out))
	if err != nil {
		return nil, err
	}
	res, err := vecutil.AppendColumns(base, rec, arr)
	if err != nil {
		return nil, err
	}
	defer res.Release()
	return pipeline.AppendVersionColumn(mem, res, vc, snap.Version)
}
