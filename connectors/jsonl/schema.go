package jsonl

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
)

// kind is the JSON shape of one value, as inference sees it.
type kind int

const (
	kNull kind = iota
	kBool
	kInt
	kFloat
	kString
	kNumArray // array of numbers (and nulls)
	kRaw      // object, or array of anything else: kept as raw JSON text
)

func (k kind) String() string {
	return [...]string{"null", "bool", "integer", "number", "string", "array of numbers", "object or array"}[k]
}

// colInfo accumulates what inference saw of one key.
type colInfo struct {
	name      string
	kind      kind
	firstLine int64 // line of the first non-null value
	vecLen    int   // common array length, or -1 once lengths differ
}

// shape classifies one raw JSON value.
func shape(raw []byte) (kind, int) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return kNull, 0
	}
	switch raw[0] {
	case 'n':
		return kNull, 0
	case 't', 'f':
		return kBool, 0
	case '"':
		return kString, 0
	case '{':
		return kRaw, 0
	case '[':
		vals, ok := numberArray(raw)
		if !ok {
			return kRaw, 0
		}
		return kNumArray, len(vals)
	}
	if isIntegral(raw) {
		if _, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			return kInt, 0
		}
	}
	return kFloat, 0
}

func isIntegral(num []byte) bool {
	return bytes.IndexAny(num, ".eE") < 0
}

// numberArray splits a JSON array (raw is one valid JSON value) into its
// elements, which must be numbers or nulls.
func numberArray(raw []byte) ([][]byte, bool) {
	return numberArrayInto(nil, raw)
}

func numberArrayInto(elems [][]byte, raw []byte) ([][]byte, bool) {
	if len(raw) == 0 || raw[0] != '[' {
		return nil, false
	}
	i := skipSpace(raw, 1)
	for i < len(raw) && raw[i] != ']' {
		end := skipValue(raw, i)
		elems = append(elems, raw[i:end])
		i = skipSpace(raw, end)
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
	for _, e := range elems {
		if len(e) == 0 {
			return nil, false
		}
		switch c := e[0]; {
		case c == 'n', c == '-', c >= '0' && c <= '9':
		default:
			return nil, false
		}
	}
	return elems, true
}

// merge folds a value seen at line into c, or reports a conflict.
func (c *colInfo) merge(k kind, n int, line int64) error {
	if k == kNull {
		return nil
	}
	if c.kind == kNull {
		c.kind, c.firstLine, c.vecLen = k, line, n
		return nil
	}
	switch {
	case c.kind == k:
		if k == kNumArray && c.vecLen != n {
			c.vecLen = -1
		}
		return nil
	case (c.kind == kInt && k == kFloat) || (c.kind == kFloat && k == kInt):
		c.kind = kFloat
		return nil
	}
	return fmt.Errorf("key %q is a %s on line %d but a %s on line %d; give an explicit schema", c.name, c.kind, c.firstLine, k, line)
}

// field turns what inference saw into an Arrow field. Every inferred
// field is nullable.
func (c *colInfo) field() arrow.Field {
	var t arrow.DataType
	switch c.kind {
	case kBool:
		t = arrow.FixedWidthTypes.Boolean
	case kInt:
		t = arrow.PrimitiveTypes.Int64
	case kFloat:
		t = arrow.PrimitiveTypes.Float64
	case kNumArray:
		if c.vecLen > 0 && c.vecLen <= math.MaxInt32 {
			t = arrow.FixedSizeListOf(int32(c.vecLen), arrow.PrimitiveTypes.Float64)
		} else {
			t = arrow.ListOf(arrow.PrimitiveTypes.Float64)
		}
	default: // kNull, kString, kRaw
		t = arrow.BinaryTypes.String
	}
	return arrow.Field{Name: c.name, Type: t, Nullable: true}
}

// supported reports whether the reader can decode JSON into t.
func supported(t arrow.DataType) error {
	switch t := t.(type) {
	case *arrow.BooleanType, *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Float32Type, *arrow.Float64Type, *arrow.StringType, *arrow.LargeStringType:
		return nil
	case *arrow.FixedSizeListType:
		return numericElem(t.Elem())
	case *arrow.ListType:
		return numericElem(t.Elem())
	case *arrow.LargeListType:
		return numericElem(t.Elem())
	}
	return fmt.Errorf("type %s is not supported by the JSON lines reader", t)
}

func numericElem(t arrow.DataType) error {
	switch t.(type) {
	case *arrow.Float32Type, *arrow.Float64Type, *arrow.Int32Type, *arrow.Int64Type:
		return nil
	}
	return errors.New("vector columns need float32, float64, int32 or int64 elements, not " + t.String())
}
