package table

import (
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

// Value returns row i of arr as a plain Go value, for tests and debugging
// (it allocates; hot paths read typed value slices instead). Null is nil;
// booleans, integers, floats and strings are their Go types; binaries are
// []byte copies; timestamps and dates are time.Time (UTC unless the type
// has a zone); durations are time.Duration; dense vectors are []float64
// copies; sparse vectors are SparseVector; other lists are []any and other
// structs map[string]any.
func Value(arr arrow.Array, i int) any {
	if arr.IsNull(i) {
		return nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return a.Value(i)
	case *array.Int8:
		return a.Value(i)
	case *array.Int16:
		return a.Value(i)
	case *array.Int32:
		return a.Value(i)
	case *array.Int64:
		return a.Value(i)
	case *array.Uint8:
		return a.Value(i)
	case *array.Uint16:
		return a.Value(i)
	case *array.Uint32:
		return a.Value(i)
	case *array.Uint64:
		return a.Value(i)
	case *array.Float32:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.LargeString:
		return a.Value(i)
	case *array.Binary:
		return append([]byte(nil), a.Value(i)...)
	case *array.LargeBinary:
		return append([]byte(nil), a.Value(i)...)
	case *array.Timestamp:
		t := a.DataType().(*arrow.TimestampType)
		tm := a.Value(i).ToTime(t.Unit)
		if loc, err := t.GetZone(); err == nil && loc != nil {
			tm = tm.In(loc)
		}
		return tm
	case *array.Date32:
		return a.Value(i).ToTime()
	case *array.Date64:
		return a.Value(i).ToTime()
	case *array.Duration:
		return time.Duration(a.Value(i)) * a.DataType().(*arrow.DurationType).Unit.Multiplier()
	case *array.FixedSizeList:
		if IsDenseVector(a.DataType()) {
			if vals, dim, err := DenseVectors(a); err == nil {
				return append([]float64(nil), vals[i*dim:(i+1)*dim]...)
			}
		}
		s, e := a.ValueOffsets(i)
		return listValue(a.ListValues(), s, e)
	case *array.List:
		s, e := a.ValueOffsets(i)
		return listValue(a.ListValues(), s, e)
	case *array.LargeList:
		s, e := a.ValueOffsets(i)
		return listValue(a.ListValues(), s, e)
	case *array.Struct:
		if IsSparseVector(a.DataType()) {
			if v, err := NewSparseVectors(a); err == nil {
				size, idx, vals := v.At(i)
				return SparseVector{Size: size, Indices: append([]int32(nil), idx...), Values: append([]float64(nil), vals...)}
			}
		}
		t := a.DataType().(*arrow.StructType)
		m := make(map[string]any, a.NumField())
		for k := 0; k < a.NumField(); k++ {
			m[t.Field(k).Name] = Value(a.Field(k), i)
		}
		return m
	}
	return arr.GetOneForMarshal(i)
}

func listValue(child arrow.Array, start, end int64) []any {
	out := make([]any, 0, end-start)
	for k := start; k < end; k++ {
		out = append(out, Value(child, int(k)))
	}
	return out
}

// Row returns row i of rec as plain Go values (see Value), one per column.
func Row(rec arrow.Record, i int) []any {
	out := make([]any, rec.NumCols())
	for j, c := range rec.Columns() {
		out[j] = Value(c, i)
	}
	return out
}

// Rows returns every row of rec as a map from column name to Value.
func Rows(rec arrow.Record) []map[string]any {
	out := make([]map[string]any, rec.NumRows())
	for i := range out {
		m := make(map[string]any, rec.NumCols())
		for j, c := range rec.Columns() {
			m[rec.ColumnName(j)] = Value(c, i)
		}
		out[i] = m
	}
	return out
}
