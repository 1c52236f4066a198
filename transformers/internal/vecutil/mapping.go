package vecutil

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// MapDense returns a dense vector column of dimension outDim whose row i
// is fn(dst, src) of row i of the vector column arr (dense or sparse; src
// is a scratch copy for sparse rows and aliases arr for dense ones, so fn
// must not modify it). Every row must have dimension inDim: a row that
// does not is an error naming col and the row. Null rows stay null and fn
// is not called for them. fn must not retain dst or src. The caller owns
// one Release.
func MapDense(mem memory.Allocator, arr arrow.Array, col string, inDim, outDim int, fn func(dst, src []float64)) (*array.FixedSizeList, error) {
	v, err := NewVectors(arr)
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", col, err)
	}
	if !v.IsSparse() && v.Dim() != inDim {
		return nil, fmt.Errorf("column %q: vectors have dimension %d, want %d", col, v.Dim(), inDim)
	}
	n := v.Len()
	o := NewDenseOutput(mem, n, outDim)
	var scratch []float64
	for i := 0; i < n; i++ {
		if v.IsNull(i) {
			o.SetNull(i)
			continue
		}
		src := v.Dense(i)
		if src == nil {
			if scratch == nil {
				scratch = make([]float64, inDim)
			}
			if err := v.Row(i, scratch); err != nil {
				o.Release()
				return nil, fmt.Errorf("column %q: %w", col, err)
			}
			src = scratch
		}
		fn(o.Row(i), src)
	}
	return o.Finish(), nil
}

// InputDim returns the dimension of the vector column arr: the fixed
// dimension of a dense column, the size of the first non-null row of a
// sparse one (-1 when every row is null).
func InputDim(arr arrow.Array) (int, error) {
	v, err := NewVectors(arr)
	if err != nil {
		return 0, err
	}
	if !v.IsSparse() {
		return v.Dim(), nil
	}
	for i := 0; i < v.Len(); i++ {
		if !v.IsNull(i) {
			return v.RowDim(i), nil
		}
	}
	return -1, nil
}

// ScanVectors reads r to its end and calls fn with every non-null row of
// the vector column col as a dense slice (valid only during the call;
// fn must not modify it). It returns the dimension and the number of rows
// seen. Rows of different dimensions are an error naming the row.
func ScanVectors(r table.Reader, col string, fn func(x []float64) error) (dim int, rows int64, err error) {
	idx, dim, err := VectorField(r.Schema(), col)
	if err != nil {
		return 0, 0, err
	}
	var scratch []float64
	var base int64
	for r.Next() {
		v, err := NewVectors(r.Record().Column(idx))
		if err != nil {
			return 0, 0, fmt.Errorf("column %q: %w", col, err)
		}
		for i := 0; i < v.Len(); i++ {
			if v.IsNull(i) {
				continue
			}
			x := v.Dense(i)
			if x == nil {
				d := v.RowDim(i)
				if dim < 0 {
					dim = d
				}
				if d != dim {
					return 0, 0, fmt.Errorf("column %q row %d: vector has dimension %d, want %d", col, base+int64(i), d, dim)
				}
				if scratch == nil {
					scratch = make([]float64, dim)
				}
				_ = v.Row(i, scratch)
				x = scratch
			}
			if err := fn(x); err != nil {
				return 0, 0, fmt.Errorf("column %q row %d: %w", col, base+int64(i), err)
			}
			rows++
		}
		base += int64(v.Len())
	}
	if err := r.Err(); err != nil {
		return 0, 0, err
	}
	if dim < 0 {
		dim = 0
	}
	return dim, rows, nil
}

// FeatureRecord returns model data with one row per feature and one
// float64 column per name holding cols[k] (all of the same length). The
// caller owns one Release.
func FeatureRecord(mem memory.Allocator, names []string, cols ...[]float64) (arrow.Record, error) {
	if len(names) != len(cols) {
		return nil, fmt.Errorf("feature record: %d names for %d columns", len(names), len(cols))
	}
	tc := make([]table.Column, len(cols))
	for k := range cols {
		tc[k] = table.Col(names[k], cols[k])
	}
	return table.Build(mem, tc...)
}

// FeatureColumns reads back the float64 columns names from the single
// record of data (as made by FeatureRecord); the slices alias it.
func FeatureColumns(data []arrow.Record, names ...string) ([][]float64, error) {
	if len(data) != 1 {
		return nil, fmt.Errorf("want 1 model data record, got %d", len(data))
	}
	out := make([][]float64, len(names))
	for k, name := range names {
		i, err := table.FieldIndex(data[0].Schema(), name)
		if err != nil {
			return nil, fmt.Errorf("model data: %w", err)
		}
		if out[k], err = table.Float64s(data[0].Column(i)); err != nil {
			return nil, fmt.Errorf("model data column %q: %w", name, err)
		}
	}
	return out, nil
}
