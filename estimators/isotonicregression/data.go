package isotonicregression

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/pipeline/table"
)

// checkFeature checks that schema's column col is a number or a vector.
func checkFeature(schema *arrow.Schema, col string) error {
	i, err := table.FieldIndex(schema, col)
	if err != nil {
		return err
	}
	dt := schema.Field(i).Type
	if !isNumber(dt) && !table.IsDenseVector(dt) && !table.IsSparseVector(dt) {
		return fmt.Errorf("column %q has type %s, want a number or a dense or sparse vector", col, dt)
	}
	return nil
}

func isNumber(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.FLOAT64, arrow.FLOAT32, arrow.INT64, arrow.INT32, arrow.INT16, arrow.INT8,
		arrow.UINT64, arrow.UINT32, arrow.UINT16, arrow.UINT8:
		return true
	}
	return false
}

// feature appends to dst the feature of every row of rec: the number in
// column col, or element index of its vectors. Nulls are errors naming
// the column and row (start is the batch's first row).
func feature(dst []float64, rec arrow.Record, col string, index int, start int64) ([]float64, error) {
	ci, err := table.FieldIndex(rec.Schema(), col)
	if err != nil {
		return nil, err
	}
	arr := rec.Column(ci)
	for j := range arr.Len() {
		if arr.IsNull(j) {
			return nil, fmt.Errorf("column %q row %d is null", col, start+int64(j))
		}
	}
	switch {
	case table.IsDenseVector(arr.DataType()):
		x, dim, err := table.DenseVectors(arr)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", col, err)
		}
		if index >= dim && arr.Len() > 0 {
			return nil, fmt.Errorf("column %q: param %q is %d but vectors have size %d", col, FeatureIndex.Name(), index, dim)
		}
		for j := range arr.Len() {
			dst = append(dst, x[j*dim+index])
		}
		return dst, nil
	case table.IsSparseVector(arr.DataType()):
		sv, err := table.NewSparseVectors(arr)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", col, err)
		}
		for j := range arr.Len() {
			size, idx, vals := sv.At(j)
			if index >= size {
				return nil, fmt.Errorf("column %q row %d: param %q is %d but the vector has size %d", col, start+int64(j), FeatureIndex.Name(), index, size)
			}
			v := 0.0
			for k, ix := range idx {
				if int(ix) == index {
					v = vals[k]
					break
				}
			}
			dst = append(dst, v)
		}
		return dst, nil
	}
	return numbers(dst, arr, col)
}

func numbers(dst []float64, arr arrow.Array, col string) ([]float64, error) {
	switch a := arr.(type) {
	case *array.Float64:
		return append(dst, a.Float64Values()...), nil
	case *array.Float32:
		return conv(dst, a.Float32Values()), nil
	case *array.Int64:
		return conv(dst, a.Int64Values()), nil
	case *array.Int32:
		return conv(dst, a.Int32Values()), nil
	case *array.Int16:
		return conv(dst, a.Int16Values()), nil
	case *array.Int8:
		return conv(dst, a.Int8Values()), nil
	case *array.Uint64:
		return conv(dst, a.Uint64Values()), nil
	case *array.Uint32:
		return conv(dst, a.Uint32Values()), nil
	case *array.Uint16:
		return conv(dst, a.Uint16Values()), nil
	case *array.Uint8:
		return conv(dst, a.Uint8Values()), nil
	}
	return nil, fmt.Errorf("column %q has type %s, want a number or a dense or sparse vector", col, arr.DataType())
}

func conv[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32](dst []float64, src []T) []float64 {
	for _, v := range src {
		dst = append(dst, float64(v))
	}
	return dst
}

// readData reads the feature, label and weights (nil without weightCol)
// of r (borrowed) to its end.
func readData(r table.Reader, featuresCol string, index int, labelCol, weightCol string) (x, y, w []float64, err error) {
	if err := checkFeature(r.Schema(), featuresCol); err != nil {
		return nil, nil, nil, err
	}
	var n int64
	for r.Next() {
		rec := r.Record()
		if x, err = feature(x, rec, featuresCol, index, n); err != nil {
			return nil, nil, nil, err
		}
		if y, err = scalar(y, rec, labelCol, n); err != nil {
			return nil, nil, nil, err
		}
		if weightCol != "" {
			if w, err = scalar(w, rec, weightCol, n); err != nil {
				return nil, nil, nil, err
			}
		}
		n += rec.NumRows()
	}
	if err := r.Err(); err != nil {
		return nil, nil, nil, err
	}
	if n == 0 {
		return nil, nil, nil, errors.New("no rows to fit")
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsInf(x[i], 0) {
			return nil, nil, nil, fmt.Errorf("column %q row %d: feature is %v", featuresCol, i, x[i])
		}
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return nil, nil, nil, fmt.Errorf("column %q row %d: label is %v", labelCol, i, y[i])
		}
		if w != nil && (!(w[i] >= 0) || math.IsInf(w[i], 0)) {
			return nil, nil, nil, fmt.Errorf("column %q row %d: weight is %v, want a finite value >= 0", weightCol, i, w[i])
		}
	}
	return x, y, w, nil
}

func scalar(dst []float64, rec arrow.Record, col string, start int64) ([]float64, error) {
	ci, err := table.FieldIndex(rec.Schema(), col)
	if err != nil {
		return nil, err
	}
	arr := rec.Column(ci)
	for j := range arr.Len() {
		if arr.IsNull(j) {
			return nil, fmt.Errorf("column %q row %d is null", col, start+int64(j))
		}
	}
	return numbers(dst, arr, col)
}
