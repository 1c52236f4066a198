package vectorassembler

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
)

var _ pipeline.RowTransformer = (*VectorAssembler)(nil)

// RowFunc returns the row function of input schema in (see
// pipeline.RowTransformer): the inputs, float64 scalars and dense
// vectors, are copied into one new vector. A NaN fails the row under
// handle_invalid=error and =skip (the caller's Transform then reports or
// drops it); sparse inputs have no row path.
func (s *VectorAssembler) RowFunc(in *arrow.Schema) (pipeline.RowFunc, error) {
	names := s.InputCols()
	p, err := s.resolve(in, names)
	if err != nil {
		return nil, err
	}
	if err := pipeline.CheckRowSchema(in); err != nil {
		return nil, fmt.Errorf("stage %q: %w", Kind, err)
	}
	ins, total := p.ins, p.total
	keepNaN := s.HandleInvalid() == param.HandleKeep
	return func(row pipeline.Row, sc *pipeline.RowScratch) (pipeline.Row, error) {
		out := sc.Floats(total)
		off := 0
		for k, it := range ins {
			v := row[it.idx]
			if len(v) != it.dim {
				return nil, fmt.Errorf("stage %q: column %q: row has %d values, want %d", Kind, names[k], len(v), it.dim)
			}
			copy(out[off:off+it.dim], v)
			if !keepNaN {
				for _, x := range v {
					if x != x {
						return nil, fmt.Errorf("stage %q: column %q: invalid value NaN", Kind, names[k])
					}
				}
			}
			off += it.dim
		}
		return pipeline.AppendRow(sc, row, out), nil
	}, nil
}
