package httpapi

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/pipeline/table"
)

// appendJSONString appends s as a JSON string.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			b, _ := json.Marshal(s)
			return append(buf, b...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}

// appendFloat appends v; NaN and infinities, which JSON lacks, are null.
func appendFloat(buf []byte, v float64, bits int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(buf, "null"...)
	}
	return strconv.AppendFloat(buf, v, 'g', -1, bits)
}

// appendValue appends row i of arr as JSON.
func appendValue(buf []byte, arr arrow.Array, i int) []byte {
	if arr.IsNull(i) {
		return append(buf, "null"...)
	}
	switch a := arr.(type) {
	case *array.Float64:
		return appendFloat(buf, a.Value(i), 64)
	case *array.Float32:
		return appendFloat(buf, float64(a.Value(i)), 32)
	case *array.Int64:
		return strconv.AppendInt(buf, a.Value(i), 10)
	case *array.Int32:
		return strconv.AppendInt(buf, int64(a.Value(i)), 10)
	case *array.Boolean:
		return strconv.AppendBool(buf, a.Value(i))
	case *array.String:
		return appendJSONString(buf, a.Value(i))
	case *array.FixedSizeList:
		if vals, ok := a.ListValues().(*array.Float64); ok {
			n := int(a.DataType().(*arrow.FixedSizeListType).Len())
			off := a.Offset() + i
			buf = append(buf, '[')
			for k := off * n; k < (off+1)*n; k++ {
				if k > off*n {
					buf = append(buf, ',')
				}
				if vals.IsNull(k) {
					buf = append(buf, "null"...)
				} else {
					buf = appendFloat(buf, vals.Value(k), 64)
				}
			}
			return append(buf, ']')
		}
	}
	b, err := json.Marshal(table.Value(arr, i))
	if err != nil {
		return append(buf, "null"...)
	}
	return append(buf, b...)
}

// appendRows appends the rows of rec's columns cols as JSON objects.
func appendRows(buf []byte, rec arrow.Record, cols []int) []byte {
	buf = append(buf, '[')
	names := make([]string, len(cols))
	for j, c := range cols {
		names[j] = rec.ColumnName(c)
	}
	for i := 0; i < int(rec.NumRows()); i++ {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '{')
		for j, c := range cols {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, names[j])
			buf = append(buf, ':')
			buf = appendValue(buf, rec.Column(c), i)
		}
		buf = append(buf, '}')
	}
	return append(buf, ']')
}
