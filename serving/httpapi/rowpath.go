package httpapi

import (
	"sync"

	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// maxRowPathRows is the most rows a JSON request may have to be scored
// row by row (pipeline.RowTransformer) rather than as an Arrow batch:
// the row path saves the per-column arrays a small request would build,
// the batch path wins on large ones.
const maxRowPathRows = 16

// rowPath scores small requests of a model whose every stage is a
// pipeline.RowTransformer over the model's input schema.
type rowPath struct {
	fn      pipeline.RowFunc
	nOut    int      // fields of the model's output schema
	names   [][]byte // quoted names of the returned columns
	vec     []bool   // returned column is a dense vector
	scratch sync.Pool
}

// rowScratch is one request's reusable memory.
type rowScratch struct {
	rs   pipeline.RowScratch
	outs []pipeline.Row
}

// newRowPath returns the row path of m, or nil when its stage or input
// schema has none (requests then take the Arrow path, which also
// reports any error the stage's RowFunc gave).
func newRowPath(m *model) *rowPath {
	rt, ok := m.stage.(pipeline.RowTransformer)
	if !ok || m.plan == nil || m.outSchema == nil {
		return nil
	}
	fn, err := rt.RowFunc(m.plan.schema)
	if err != nil {
		return nil
	}
	rp := &rowPath{fn: fn, nOut: m.outSchema.NumFields()}
	for _, c := range m.outIdx {
		f := m.outSchema.Field(c)
		rp.names = append(rp.names, appendJSONString(nil, f.Name))
		rp.vec = append(rp.vec, table.IsDenseVector(f.Type))
	}
	rp.scratch.New = func() any { return new(rowScratch) }
	return rp
}

// score runs the row function on every row of cs, appending the
// response's predictions array to b. It reports false, with b
// unchanged, when a row fails or cs holds nulls: the caller then takes
// the Arrow path, which gives the errors their usual codes and messages.
func (rp *rowPath) score(b []byte, cs *columns, idx []int) (_ []byte, ok bool) {
	if cs.rows > maxRowPathRows {
		return b, false
	}
	for _, v := range cs.valid {
		if v != nil {
			return b, false
		}
	}
	sc := rp.scratch.Get().(*rowScratch)
	defer func() {
		if recover() != nil {
			ok = false // the Arrow path reports the panic
		}
		clear(sc.outs)
		sc.outs = sc.outs[:0]
		sc.rs.Reset()
		rp.scratch.Put(sc)
	}()
	p := cs.p
	for i := range cs.rows {
		// A fresh row with room for the columns the stages add, which
		// they append in place.
		in := sc.rs.Row(len(p.kinds), rp.nOut-len(p.kinds))
		for c, k := range p.kinds {
			d := 1
			if k == kVector {
				d = p.dims[c]
			}
			in[c] = cs.f64[c][i*d : (i+1)*d : (i+1)*d]
		}
		out, err := rp.fn(in, &sc.rs)
		if err != nil || len(out) != rp.nOut {
			return b, false
		}
		sc.outs = append(sc.outs, out)
	}
	start := len(b)
	b = append(b, '[')
	for i, row := range sc.outs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for j, c := range idx {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, rp.names[j]...)
			b = append(b, ':')
			v := row[c]
			if !rp.vec[j] {
				if len(v) != 1 {
					return b[:start], false
				}
				b = appendFloat(b, v[0], 64)
				continue
			}
			b = append(b, '[')
			for k, x := range v {
				if k > 0 {
					b = append(b, ',')
				}
				b = appendFloat(b, x, 64)
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	return append(b, ']'), true
}
