package stageop

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/stream"
)

// TransformStream adds an operator named name to s that applies t to every
// batch, at s's parallelism, and returns its output stream. It is
// s.Process(name, Operator(t), 0).
func TransformStream(s *stream.Stream, t pipeline.Transformer, name string) *stream.Stream {
	return s.Process(name, Operator(t), 0)
}

// Operator returns an operator factory for (*stream.Stream).Process that
// runs t as an engine operator (see the package documentation).
func Operator(t pipeline.Transformer) func() stream.Operator {
	return func() stream.Operator { return &transformOp{t: t} }
}

type transformOp struct {
	t    pipeline.Transformer
	mem  memory.Allocator
	name string
	in   *arrow.Schema // last input schema seen
	out  *arrow.Schema // t.OutputSchema(in)
}

var (
	_ stream.Operator = (*transformOp)(nil)
	_ stream.Opener   = (*transformOp)(nil)
)

func (o *transformOp) Open(_ context.Context, oc *stream.OperatorContext) error {
	o.mem, o.name = oc.Allocator, oc.Name
	return nil
}

func (o *transformOp) ProcessBatch(ctx context.Context, rec arrow.Record, out stream.Collector) error {
	if o.in == nil || (rec.Schema() != o.in && !rec.Schema().Equal(o.in)) {
		s, err := o.t.OutputSchema(rec.Schema())
		if err != nil {
			return fmt.Errorf("operator %q: stage %q: %w", o.name, o.t.Kind(), err)
		}
		o.in, o.out = rec.Schema(), s
	}
	if o.mem != nil {
		ctx = pipeline.WithAllocator(ctx, o.mem)
	}
	res, err := safeTransform(ctx, o.t, rec)
	if err != nil {
		return fmt.Errorf("operator %q: %w", o.name, err)
	}
	if s := res.Schema(); s != o.out && !s.Equal(o.out) {
		res.Release()
		return fmt.Errorf("operator %q: stage %q: batch schema differs from its OutputSchema: got %s; want %s", o.name, o.t.Kind(), s, o.out)
	}
	if res.NumRows() == 0 {
		res.Release()
		return nil
	}
	return out.Emit(res)
}

// safeTransform calls t.Transform, turning a panic into an error.
func safeTransform(ctx context.Context, t pipeline.Transformer, rec arrow.Record) (out arrow.Record, err error) {
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
