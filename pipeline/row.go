package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/pipeline/table"
)

// ErrNoRowPath is wrapped by RowTransformer.RowFunc when a stage cannot
// transform rows of a schema (a column type, a param or model data the
// row path does not cover): the caller uses Transform instead.
var ErrNoRowPath = errors.New("no row path")

// Row is one row of a batch whose columns are all float64 or dense
// float64 vectors (table.IsDenseVector), in schema order: Row[c] holds
// one value for a float64 column and the vector's values for a vector
// column. A Row has no nulls.
type Row [][]float64

// RowFunc transforms one row of the input schema it was made for into
// the row of the output schema (the input's columns, then the added
// ones), equal bit for bit to the one-row batch Transform returns for
// it. in is borrowed: its columns are neither modified nor kept, and
// the result may share them. Like append, the function may add the new
// columns in place when in has the capacity for them (AppendRow), so
// the result may share in's backing array: give each call a fresh row,
// or one whose earlier results are no longer used. Every other slice of
// the result comes from sc, valid until sc.Reset. It allocates nothing once sc has grown
// to the row's size. When Transform would fail or drop the row, or the
// row function cannot tell, it returns an error: a caller that needs
// Transform's exact error runs Transform on the row. It may also fail a
// row holding a NaN or infinite value that Transform accepts (stages
// differ on those), never another row Transform accepts. A RowFunc is safe
// for concurrent use (with one RowScratch per goroutine) and reads the
// model's current data on each call, as Transform does.
type RowFunc func(in Row, sc *RowScratch) (Row, error)

// RowTransformer is the optional ability of a Transformer to transform
// one row at a time without Arrow batches, for servers scoring single
// rows, where building one-value arrays costs more than the model.
type RowTransformer interface {
	Transformer
	// RowFunc returns the row function of input schema in, or an error
	// wrapping ErrNoRowPath when rows of in are not covered, or the
	// error OutputSchema(in) gives. The function reflects the params at
	// the time of the call.
	RowFunc(in *arrow.Schema) (RowFunc, error)
}

// CheckRowSchema returns nil when every column of s can be held by a Row
// (float64 or a dense float64 vector), else an error wrapping
// ErrNoRowPath naming the first column that cannot.
func CheckRowSchema(s *arrow.Schema) error {
	for _, f := range s.Fields() {
		if f.Type.ID() != arrow.FLOAT64 && !table.IsDenseVector(f.Type) {
			return fmt.Errorf("column %q of type %s: %w", f.Name, f.Type, ErrNoRowPath)
		}
	}
	return nil
}

// RowScratch is the reusable memory of row functions: values and row
// headers handed out in chunks that are never moved, so earlier slices
// stay valid when it grows. The zero RowScratch is ready to use; it is
// not safe for concurrent use.
type RowScratch struct {
	vals []float64
	cols [][]float64
}

// Reset makes the memory handed out so far available again; slices got
// before must not be used after it.
func (s *RowScratch) Reset() {
	s.vals = s.vals[:0]
	s.cols = s.cols[:0]
}

// Floats returns n values (of unspecified content) from s.
func (s *RowScratch) Floats(n int) []float64 {
	if len(s.vals)+n > cap(s.vals) {
		s.vals = make([]float64, 0, max(2*cap(s.vals), n, 64))
	}
	i := len(s.vals)
	s.vals = s.vals[:i+n]
	return s.vals[i : i+n : i+n]
}

// Row returns a row of length n and capacity n+extra from s, for
// appending up to extra columns without allocating.
func (s *RowScratch) Row(n, extra int) Row {
	if len(s.cols)+n+extra > cap(s.cols) {
		s.cols = make([][]float64, 0, max(2*cap(s.cols), n+extra, 16))
	}
	i := len(s.cols)
	s.cols = s.cols[:i+n+extra]
	return Row(s.cols[i : i+n : i+n+extra])
}

// AppendRow returns in followed by the added columns: in itself
// extended when its capacity allows, as append does, else a new row
// from sc (in's column slices are shared, not copied).
func AppendRow(sc *RowScratch, in Row, added ...[]float64) Row {
	if cap(in)-len(in) >= len(added) {
		return append(in, added...)
	}
	out := sc.Row(len(in), len(added))
	copy(out, in)
	return append(out, added...)
}

// RowFunc returns the composition of the stages' row functions, or an
// error wrapping ErrNoRowPath when a stage is not a RowTransformer or
// does not cover what reaches it.
func (m *PipelineModel) RowFunc(in *arrow.Schema) (RowFunc, error) {
	if err := CheckRowSchema(in); err != nil {
		return nil, err
	}
	fns := make([]RowFunc, len(m.stages))
	s := in
	for i, st := range m.stages {
		rt, ok := st.(RowTransformer)
		if !ok {
			return nil, fmt.Errorf("stage %d (%s): %w", i, st.Kind(), ErrNoRowPath)
		}
		fn, err := rt.RowFunc(s)
		if err != nil {
			return nil, stageErr(i, st, "row function", err)
		}
		out, err := st.OutputSchema(s)
		if err != nil {
			return nil, stageErr(i, st, "output schema", err)
		}
		fns[i], s = fn, out
	}
	return func(row Row, sc *RowScratch) (Row, error) {
		for i, fn := range fns {
			out, err := fn(row, sc)
			if err != nil {
				return nil, stageErr(i, m.stages[i], "transform", err)
			}
			row = out
		}
		return row, nil
	}, nil
}

var _ RowTransformer = (*PipelineModel)(nil)

// CheckRowFunc checks t's row function against its Transform on every
// row of rec (borrowed) without nulls: each row, alone in a batch, must
// transform to the same values, bit for bit (any NaN matching any NaN),
// a row Transform rejects or drops must fail the row function, and only
// a row holding a NaN or infinite value may fail it when Transform
// accepts it. It returns nil, an error wrapping ErrNoRowPath when t has no row path for
// rec's schema, or an error naming the first row and column that differ.
// Stages test their row path with it.
func CheckRowFunc(ctx context.Context, t Transformer, rec arrow.Record) error {
	rt, ok := t.(RowTransformer)
	if !ok {
		return fmt.Errorf("stage %q: %w", t.Kind(), ErrNoRowPath)
	}
	fn, err := rt.RowFunc(rec.Schema())
	if err != nil {
		return err
	}
	var sc RowScratch
	for i := range rec.NumRows() {
		row, ok, err := rowOf(rec, int(i))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		one := rec.NewSlice(i, i+1)
		want, terr := safeTransform(ctx, t, one)
		one.Release()
		sc.Reset()
		got, ferr := fn(row, &sc)
		if terr != nil || want.NumRows() == 0 {
			if want != nil {
				want.Release()
			}
			if ferr == nil {
				return fmt.Errorf("row %d: Transform gives no row (%v), the row function gives one", i, terr)
			}
			continue
		}
		if ferr != nil && !finite(row) {
			want.Release()
			continue
		}
		err = compareRow(want, got, ferr)
		want.Release()
		if err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
	}
	return nil
}

// rowOf returns row i of rec as a Row, or false when it has a null.
func rowOf(rec arrow.Record, i int) (Row, bool, error) {
	if err := CheckRowSchema(rec.Schema()); err != nil {
		return nil, false, err
	}
	row := make(Row, rec.NumCols())
	for c, col := range rec.Columns() {
		if col.IsNull(i) {
			return nil, false, nil
		}
		switch a := col.(type) {
		case *array.Float64:
			row[c] = []float64{a.Value(i)}
		case *array.FixedSizeList:
			vals := a.ListValues().(*array.Float64)
			d := int(a.DataType().(*arrow.FixedSizeListType).Len())
			off := (a.Offset() + i) * d
			for k := off; k < off+d; k++ {
				if vals.IsNull(k) {
					return nil, false, nil
				}
			}
			row[c] = vals.Float64Values()[off : off+d]
		}
	}
	return row, true, nil
}

// compareRow compares the one-row batch want with got.
func compareRow(want arrow.Record, got Row, ferr error) error {
	if ferr != nil {
		return fmt.Errorf("the row function failed where Transform did not: %w", ferr)
	}
	w, ok, err := rowOf(want, 0)
	if err != nil {
		return fmt.Errorf("Transform's output: %w", err)
	}
	if !ok {
		return errors.New("Transform's output has a null")
	}
	if len(got) != len(w) {
		return fmt.Errorf("the row function gives %d columns, Transform %d", len(got), len(w))
	}
	for c := range w {
		name := want.ColumnName(c)
		if len(got[c]) != len(w[c]) {
			return fmt.Errorf("column %q: the row function gives %d values, Transform %d", name, len(got[c]), len(w[c]))
		}
		for k, v := range w[c] {
			g := got[c][k]
			if math.Float64bits(g) != math.Float64bits(v) && !(g != g && v != v) {
				return fmt.Errorf("column %q value %d: the row function gives %v, Transform %v", name, k, g, v)
			}
		}
	}
	return nil
}

// finite reports whether every value of row is finite.
func finite(row Row) bool {
	for _, col := range row {
		for _, v := range col {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return false
			}
		}
	}
	return true
}
