package vecmodel

import (
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
)

// mapped is a snapshot with the mapper built for it.
type mapped[S any] struct {
	snap *pipeline.Snapshot[S]
	fn   func(dst, src []float64)
	in   int
	out  int
}

// RowFunc returns the row function of input schema in (see
// pipeline.RowTransformer): the output vector is the mapper's image of
// the input vector, as in Transform. The mapper is built once per model
// data snapshot. Sparse input and model_version_col have no row path.
func (b *Base[S]) RowFunc(in *arrow.Schema) (pipeline.RowFunc, error) {
	snap := b.state.Load()
	_, col, err := b.schema(in, snap)
	if err != nil {
		return nil, err
	}
	if err := pipeline.CheckRowSchema(in); err != nil {
		return nil, fmt.Errorf("stage %q: %w", b.kind, err)
	}
	if b.ModelVersionCol() != "" {
		return nil, fmt.Errorf("stage %q: model_version_col is set: %w", b.kind, pipeline.ErrNoRowPath)
	}
	var cur atomic.Pointer[mapped[S]]
	build := func(snap *pipeline.Snapshot[S]) *mapped[S] {
		i, o := b.hooks.Dims(snap.State)
		m := &mapped[S]{snap: snap, fn: b.hooks.Mapper(snap.State), in: i, out: o}
		cur.Store(m)
		return m
	}
	wantOut := build(snap).out
	name := b.InputCol()
	return func(row pipeline.Row, sc *pipeline.RowScratch) (pipeline.Row, error) {
		snap := b.state.Load()
		m := cur.Load()
		if m.snap != snap {
			if snap == nil {
				return nil, fmt.Errorf("stage %q: %w", b.kind, pipeline.ErrNoModelData)
			}
			m = build(snap)
		}
		if m.out != wantOut {
			return nil, fmt.Errorf("stage %q: model data maps to dimension %d, the row function was made for %d", b.kind, m.out, wantOut)
		}
		src := row[col]
		if len(src) != m.in {
			return nil, fmt.Errorf("stage %q: column %q: vectors have dimension %d, want %d", b.kind, name, len(src), m.in)
		}
		dst := sc.Floats(m.out)
		clear(dst)
		m.fn(dst, src)
		return pipeline.AppendRow(sc, row, dst), nil
	}, nil
}
