package olearn

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/pipeline/table"
)

// Features is a checked view of one batch's feature vectors. Exactly one of
// Dense and Sparse is in use: Dense holds N row-major vectors of Dim values
// (aliasing the column), Sparse the rows of a sparse column.
type Features struct {
	N, Dim   int
	IsSparse bool
	Dense    []float64
	Sparse   table.SparseVectors
}

// Row returns row i of a dense batch.
func (f *Features) Row(i int) []float64 { return f.Dense[i*f.Dim : (i+1)*f.Dim] }

// SparseRow returns row i of a sparse batch.
func (f *Features) SparseRow(i int) (indices []int32, values []float64) {
	_, idx, vals := f.Sparse.At(i)
	return idx, vals
}

// ReadFeatures returns a checked view of column col of rec. want is the
// expected vector size, or 0 for any (all rows must still agree). start is
// the batch's first row in the stream, for errors.
func ReadFeatures(rec arrow.Record, col string, want int, start int64) (Features, error) {
	ci, err := table.FieldIndex(rec.Schema(), col)
	if err != nil {
		return Features{}, err
	}
	arr := rec.Column(ci)
	n := arr.Len()
	if nn := arr.NullN(); nn > 0 {
		for i := range n {
			if arr.IsNull(i) {
				return Features{}, fmt.Errorf("column %q row %d: null feature vector", col, start+int64(i))
			}
		}
	}
	f := Features{N: n, Dim: want}
	switch dt := arr.DataType(); {
	case table.IsDenseVector(dt):
		x, dim, err := table.DenseVectors(arr)
		if err != nil {
			return Features{}, fmt.Errorf("column %q: %w", col, err)
		}
		if want > 0 && dim != want {
			return Features{}, fmt.Errorf("column %q row %d: vector of size %d, want %d", col, start, dim, want)
		}
		for k, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Features{}, fmt.Errorf("column %q row %d: feature %d is %v", col, start+int64(k/max(dim, 1)), k%max(dim, 1), v)
			}
		}
		f.Dim, f.Dense = dim, x
	case table.IsSparseVector(dt):
		sv, err := table.NewSparseVectors(arr)
		if err != nil {
			return Features{}, fmt.Errorf("column %q: %w", col, err)
		}
		f.IsSparse, f.Sparse = true, sv
		for i := range n {
			size, idx, vals := sv.At(i)
			if f.Dim <= 0 {
				f.Dim = size
			}
			if size != f.Dim {
				return Features{}, fmt.Errorf("column %q row %d: vector of size %d, want %d", col, start+int64(i), size, f.Dim)
			}
			if len(idx) != len(vals) {
				return Features{}, fmt.Errorf("column %q row %d: %d indices for %d values", col, start+int64(i), len(idx), len(vals))
			}
			for k, j := range idx {
				if j < 0 || int(j) >= size {
					return Features{}, fmt.Errorf("column %q row %d: index %d outside [0, %d)", col, start+int64(i), j, size)
				}
				if v := vals[k]; math.IsNaN(v) || math.IsInf(v, 0) {
					return Features{}, fmt.Errorf("column %q row %d: feature %d is %v", col, start+int64(i), j, v)
				}
			}
		}
		if f.Dim < 0 {
			f.Dim = 0
		}
	default:
		return Features{}, fmt.Errorf("column %q has type %s, want a dense or sparse vector", col, dt)
	}
	return f, nil
}

// Labels returns column col of rec as float64s written into buf (grown as
// needed; the result may be kept as the next call's buf). Nulls, NaN and
// infinite values are errors naming the column and the row.
func Labels(rec arrow.Record, col string, start int64, buf []float64) ([]float64, error) {
	ci, err := table.FieldIndex(rec.Schema(), col)
	if err != nil {
		return nil, err
	}
	arr := rec.Column(ci)
	n := arr.Len()
	if arr.NullN() > 0 {
		for i := range n {
			if arr.IsNull(i) {
				return nil, fmt.Errorf("column %q row %d: null label", col, start+int64(i))
			}
		}
	}
	var y []float64
	switch a := arr.(type) {
	case *array.Float64:
		y = append(buf[:0], a.Float64Values()...)
	case *array.Float32:
		y = conv(buf, a.Float32Values())
	case *array.Int64:
		y = conv(buf, a.Int64Values())
	case *array.Int32:
		y = conv(buf, a.Int32Values())
	case *array.Int16:
		y = conv(buf, a.Int16Values())
	case *array.Int8:
		y = conv(buf, a.Int8Values())
	case *array.Uint8:
		y = conv(buf, a.Uint8Values())
	case *array.Uint16:
		y = conv(buf, a.Uint16Values())
	case *array.Uint32:
		y = conv(buf, a.Uint32Values())
	case *array.Uint64:
		y = conv(buf, a.Uint64Values())
	case *array.Boolean:
		y = buf[:0]
		for i := range n {
			v := 0.0
			if a.Value(i) {
				v = 1
			}
			y = append(y, v)
		}
	default:
		return nil, fmt.Errorf("column %q has type %s, want a number", col, arr.DataType())
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("column %q row %d: label is %v", col, start+int64(i), v)
		}
	}
	return y, nil
}

func conv[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32](dst []float64, src []T) []float64 {
	dst = dst[:0]
	for _, v := range src {
		dst = append(dst, float64(v))
	}
	return dst
}

// Grow returns buf with length n, reusing its storage when it is large
// enough.
func Grow(buf []float64, n int) []float64 {
	if cap(buf) < n {
		return make([]float64, n)
	}
	return buf[:n]
}
