// Package design reads the design matrix of a linear estimator: features
// (a dense or sparse vector column) as row-major float64, a numeric label
// and optional weights, with errors naming the column and the row. It also
// reads feature batches for prediction. ReadKeepSparse and
// SparseFeatures keep a sparse vector column sparse (CSR) for estimators
// that opt in, with the same checks.
package design

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// Data is a design matrix: X is N×D row-major, or (from ReadKeepSparse
// on a sparse features column) X is nil and Sparse holds the rows.
type Data struct {
	X      []float64
	Sparse *CSR
	N, D   int
	Y      []float64
	W      []float64 // nil when every row weighs 1
}

// Read reads r to its end. weightCol may be empty. r is borrowed.
func Read(r table.Reader, featuresCol, labelCol, weightCol string) (*Data, error) {
	d := &Data{D: -1}
	// The batches' features are kept (dense ones as views of retained
	// records) and joined into one exact-size matrix at the end: appending
	// batch by batch would copy a large matrix several times as it grows.
	var pieces [][]float64
	var recs []arrow.Record
	defer func() {
		for _, rec := range recs {
			rec.Release()
		}
	}()
	for r.Next() {
		rec := r.Record()
		start := int64(d.N)
		x, dim, err := Features(rec, featuresCol, d.D, start, nil)
		if err != nil {
			return nil, err
		}
		rec.Retain()
		recs = append(recs, rec)
		if d.D < 0 {
			d.D = dim
		}
		if d.Y, err = appendNumbers(d.Y, rec, labelCol, start); err != nil {
			return nil, err
		}
		if weightCol != "" {
			if d.W, err = appendNumbers(d.W, rec, weightCol, start); err != nil {
				return nil, err
			}
		}
		pieces = append(pieces, x)
		d.N += int(rec.NumRows())
	}
	if d.D > 0 {
		d.X = make([]float64, 0, d.N*d.D)
		for _, x := range pieces {
			d.X = append(d.X, x...)
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if err := d.check(labelCol, weightCol); err != nil {
		return nil, err
	}
	return d, nil
}

// Features returns the batch's features as row-major values: dense
// columns without copying when they hold no NaN, sparse columns densified
// into buf. want is the expected dimension (-1: any). start is the batch's
// first row, for errors. A null vector, a NaN or infinite value and a
// vector of another dimension are errors naming the column and the row.
func Features(rec arrow.Record, col string, want int, start int64, buf []float64) ([]float64, int, error) {
	i, err := table.FieldIndex(rec.Schema(), col)
	if err != nil {
		return nil, 0, err
	}
	arr := rec.Column(i)
	n := arr.Len()
	for j := range n {
		if arr.IsNull(j) {
			return nil, 0, pipeline.InvalidValue("column %q row %d: null feature vector", col, start+int64(j))
		}
	}
	var x []float64
	var dim int
	switch {
	case table.IsDenseVector(arr.DataType()):
		if x, dim, err = table.DenseVectors(arr); err != nil {
			return nil, 0, fmt.Errorf("column %q: %w", col, err)
		}
		if want >= 0 && dim != want {
			return nil, 0, pipeline.InvalidValue("column %q row %d: vector of size %d, want %d", col, start, dim, want)
		}
	case table.IsSparseVector(arr.DataType()):
		sv, err := table.NewSparseVectors(arr)
		if err != nil {
			return nil, 0, fmt.Errorf("column %q: %w", col, err)
		}
		dim = want
		for j := range n {
			size, _, _ := sv.At(j)
			if dim < 0 {
				dim = size
			}
			if size != dim {
				return nil, 0, pipeline.InvalidValue("column %q row %d: vector of size %d, want %d", col, start+int64(j), size, dim)
			}
		}
		if dim < 0 {
			dim = 0
		}
		x = append(buf[:0], make([]float64, n*dim)...)
		for j := range n {
			_, idx, vals := sv.At(j)
			if len(idx) != len(vals) {
				return nil, 0, pipeline.InvalidValue("column %q row %d: sparse vector has %d indices but %d values", col, start+int64(j), len(idx), len(vals))
			}
			row := x[j*dim : (j+1)*dim]
			for k, ix := range idx {
				if ix < 0 || int(ix) >= dim {
					return nil, 0, pipeline.InvalidValue("column %q row %d: index %d out of range [0, %d)", col, start+int64(j), ix, dim)
				}
				row[ix] = vals[k]
			}
		}
	default:
		return nil, 0, fmt.Errorf("column %q has type %s, want a dense or sparse vector", col, arr.DataType())
	}
	for k, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, 0, pipeline.InvalidValue("column %q row %d: feature %d is %v", col, start+int64(k/max(dim, 1)), k%max(dim, 1), v)
		}
	}
	return x, dim, nil
}

func appendNumbers(dst []float64, rec arrow.Record, col string, start int64) ([]float64, error) {
	i, err := table.FieldIndex(rec.Schema(), col)
	if err != nil {
		return nil, err
	}
	arr := rec.Column(i)
	for j := range arr.Len() {
		if arr.IsNull(j) {
			return nil, pipeline.InvalidValue("column %q row %d is null", col, start+int64(j))
		}
	}
	switch a := arr.(type) {
	case *array.Float64:
		return append(dst, a.Float64Values()...), nil
	case *array.Float32:
		return appendConv(dst, a.Float32Values()), nil
	case *array.Int64:
		return appendConv(dst, a.Int64Values()), nil
	case *array.Int32:
		return appendConv(dst, a.Int32Values()), nil
	case *array.Int16:
		return appendConv(dst, a.Int16Values()), nil
	case *array.Int8:
		return appendConv(dst, a.Int8Values()), nil
	case *array.Uint8:
		return appendConv(dst, a.Uint8Values()), nil
	case *array.Uint16:
		return appendConv(dst, a.Uint16Values()), nil
	case *array.Uint32:
		return appendConv(dst, a.Uint32Values()), nil
	case *array.Uint64:
		return appendConv(dst, a.Uint64Values()), nil
	}
	return nil, fmt.Errorf("column %q has type %s, want a number", col, arr.DataType())
}

func appendConv[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32](dst []float64, src []T) []float64 {
	for _, v := range src {
		dst = append(dst, float64(v))
	}
	return dst
}

// IsNumber reports whether dt is an integer or float type.
func IsNumber(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.FLOAT64, arrow.FLOAT32, arrow.INT64, arrow.INT32, arrow.INT16, arrow.INT8,
		arrow.UINT64, arrow.UINT32, arrow.UINT16, arrow.UINT8:
		return true
	}
	return false
}

// CheckFeatures checks that schema has a vector column named col.
func CheckFeatures(schema *arrow.Schema, col string) error {
	i, err := table.FieldIndex(schema, col)
	if err != nil {
		return err
	}
	dt := schema.Field(i).Type
	if !table.IsDenseVector(dt) && !table.IsSparseVector(dt) {
		return fmt.Errorf("column %q has type %s, want a dense or sparse vector", col, dt)
	}
	return nil
}
