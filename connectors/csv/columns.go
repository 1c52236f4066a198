package csv

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
)

type kind uint8

const (
	kString kind = iota
	kInt64
	kFloat64
	kBool
	kVector    // FixedSizeList<float64>
	kTimestamp // timestamp of any unit, only from an explicit schema
)

func (k kind) String() string {
	switch k {
	case kInt64:
		return "int64"
	case kFloat64:
		return "float64"
	case kBool:
		return "bool"
	case kVector:
		return "vector"
	case kTimestamp:
		return "timestamp"
	}
	return "string"
}

// column is what the parser knows about one column.
type column struct {
	name     string
	kind     kind
	size     int // vector length
	ts       *arrow.TimestampType
	nullable bool // false only from an explicit schema
	inferred bool // the type came from inference
}

// kindOf maps an explicit schema type to a column kind.
func kindOf(f arrow.Field) (kind, int, error) {
	switch t := f.Type.(type) {
	case *arrow.StringType:
		return kString, 0, nil
	case *arrow.Int64Type:
		return kInt64, 0, nil
	case *arrow.Float64Type:
		return kFloat64, 0, nil
	case *arrow.BooleanType:
		return kBool, 0, nil
	case *arrow.TimestampType:
		return kTimestamp, 0, nil
	case *arrow.FixedSizeListType:
		if t.Elem().ID() == arrow.FLOAT64 && t.Len() > 0 {
			return kVector, int(t.Len()), nil
		}
	}
	return 0, 0, fmt.Errorf("column %q: type %s is not supported (want utf8, int64, float64, bool, timestamp or fixed_size_list<float64>)", f.Name, f.Type)
}

func (c column) arrowType() arrow.DataType {
	switch c.kind {
	case kInt64:
		return arrow.PrimitiveTypes.Int64
	case kFloat64:
		return arrow.PrimitiveTypes.Float64
	case kBool:
		return arrow.FixedWidthTypes.Boolean
	case kVector:
		return arrow.FixedSizeListOf(int32(c.size), arrow.PrimitiveTypes.Float64)
	case kTimestamp:
		return c.ts
	}
	return arrow.BinaryTypes.String
}

// inference collects what the values of one column look like.
type inference struct {
	nonNull, other, float, boolean, integer bool
}

func (in *inference) add(b []byte) {
	if in.other {
		return
	}
	in.nonNull = true
	if _, err := parseInt(b); err == nil {
		in.integer = true
		return
	}
	if _, err := parseFloat(b); err == nil {
		in.float = true
		return
	}
	if isBoolWord(b) {
		in.boolean = true
		return
	}
	in.other = true
}

// kind decides the column type: int64 if every value is an integer that
// fits, float64 if every value is a number, bool if every value is true or
// false, string otherwise and for a column without any value.
func (in *inference) kind() kind {
	switch {
	case in.other || !in.nonNull:
		return kString
	case in.boolean && (in.integer || in.float):
		return kString
	case in.boolean:
		return kBool
	case in.float:
		return kFloat64
	}
	return kInt64
}

// infer adds up to limit data rows of chunks (limit < 0: all) to ins, one
// inference per column. Malformed rows are left to the parser.
func infer(ins []inference, chunks []*chunk, limit int, sep byte, isNull func([]byte) bool) {
	ncol := len(ins)
	var scratch []byte
	rows := 0
	for _, c := range chunks {
		d := c.data
		i := 0
		for i < len(d) && (limit < 0 || rows < limit) {
			if n, blank := isBlank(d, i); blank {
				i = n
				continue
			}
			rows++
			// Rows with the wrong field count or a bad quote are left out.
			start, nf, bad := i, 0, false
			for {
				_, n, eol, err := scanField(d, i, sep)
				i = n
				nf++
				bad = bad || err != nil
				if eol {
					break
				}
			}
			if bad || nf != ncol {
				continue
			}
			i = start
			for ci := 0; ; ci++ {
				f, n, eol, _ := scanField(d, i, sep)
				i = n
				if ci < ncol {
					b := fieldBytes(d, f, &scratch)
					if len(b) > 0 && !isNull(b) {
						ins[ci].add(b)
					}
				}
				if eol {
					break
				}
			}
		}
	}
}
