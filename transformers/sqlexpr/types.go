package sqlexpr

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
)

// Type is the SQL type of an expression.
type Type int

// The expression types and the Arrow types they map to.
const (
	Null   Type = iota // the type of the NULL literal alone
	Bool               // BOOLEAN: arrow boolean
	Int                // BIGINT: arrow int64 (any integer column reads as BIGINT)
	Float              // DOUBLE: arrow float64 (float32 columns read as DOUBLE)
	String             // STRING: arrow utf8 (large_utf8 columns read as STRING)
)

func (t Type) String() string {
	switch t {
	case Bool:
		return "BOOLEAN"
	case Int:
		return "BIGINT"
	case Float:
		return "DOUBLE"
	case String:
		return "STRING"
	}
	return "NULL"
}

func (t Type) numeric() bool { return t == Int || t == Float }

// Arrow returns the Arrow type of an expression result of type t.
func (t Type) Arrow() arrow.DataType {
	switch t {
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Float:
		return arrow.PrimitiveTypes.Float64
	case String:
		return arrow.BinaryTypes.String
	}
	return arrow.Null
}

// typeOf maps an input column's Arrow type to an expression type.
func typeOf(dt arrow.DataType) (Type, error) {
	switch dt.ID() {
	case arrow.BOOL:
		return Bool, nil
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64:
		return Int, nil
	case arrow.FLOAT32, arrow.FLOAT64:
		return Float, nil
	case arrow.STRING, arrow.LARGE_STRING:
		return String, nil
	}
	return Null, fmt.Errorf("has type %s, which expressions cannot use (only a bare column reference passes it through)", dt)
}

// vec is a column of values of one Type, with validity (nil: all valid).
// Exactly one of the value slices is set, per the type; a Null vec holds
// none. Slices may alias input buffers and other vecs: never modify them.
type vec struct {
	n     int
	f     []float64
	i     []int64
	b     []bool
	s     []string
	valid []bool
}

func (v *vec) isValid(k int) bool { return v.valid == nil || v.valid[k] }

// andValid returns the validity of a value made of a and b.
func andValid(n int, a, b []bool) []bool {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	out := make([]bool, n)
	for k := range out {
		out[k] = a[k] && b[k]
	}
	return out
}

// allNull returns validity with every row null.
func allNull(n int) []bool { return make([]bool, n) }
