package table

import (
	"errors"
	"fmt"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// NewRecord checks that cols match schema (count, type and length) and
// returns a record over them. The record retains the columns: the caller
// keeps its own references to release, and owns one Release of the record.
func NewRecord(schema *arrow.Schema, cols ...arrow.Array) (arrow.Record, error) {
	if schema == nil {
		return nil, errors.New("new record: nil schema")
	}
	if len(cols) != schema.NumFields() {
		return nil, fmt.Errorf("new record: %d columns for a schema of %d fields", len(cols), schema.NumFields())
	}
	n := -1
	for i, c := range cols {
		f := schema.Field(i)
		if c == nil {
			return nil, fmt.Errorf("new record: column %q is nil", f.Name)
		}
		if !arrow.TypeEqual(c.DataType(), f.Type) {
			return nil, fmt.Errorf("new record: column %q has type %s, schema says %s", f.Name, c.DataType(), f.Type)
		}
		if n >= 0 && c.Len() != n {
			return nil, fmt.Errorf("new record: column %q has %d rows, column %q has %d", f.Name, c.Len(), schema.Field(0).Name, n)
		}
		n = c.Len()
	}
	if n < 0 {
		n = 0
	}
	return array.NewRecord(schema, cols, int64(n)), nil
}

// Scalar is the set of Go types that Col turns into Arrow columns:
// bool, int32, int64, float32, float64 and string.
type Scalar interface {
	bool | int32 | int64 | float32 | float64 | string
}

// Column describes one column to Build: its field and how to build its
// values. Make one with Col, NullableCol, TimestampCol, DenseCol or
// SparseCol.
type Column struct {
	Field arrow.Field
	build func(mem memory.Allocator) (arrow.Array, error)
}

// WithRole returns c with role r in its field metadata.
func (c Column) WithRole(r Role) Column {
	c.Field = WithRole(c.Field, r)
	return c
}

// Col is a column of values without nulls.
func Col[T Scalar](name string, values []T) Column {
	return NullableCol(name, values, nil)
}

// NullableCol is a column of values where valid[i] == false makes row i
// null; a nil valid means no nulls.
func NullableCol[T Scalar](name string, values []T, valid []bool) Column {
	var dt arrow.DataType
	switch any(values).(type) {
	case []bool:
		dt = arrow.FixedWidthTypes.Boolean
	case []int32:
		dt = arrow.PrimitiveTypes.Int32
	case []int64:
		dt = arrow.PrimitiveTypes.Int64
	case []float32:
		dt = arrow.PrimitiveTypes.Float32
	case []float64:
		dt = arrow.PrimitiveTypes.Float64
	default:
		dt = arrow.BinaryTypes.String
	}
	return Column{
		Field: arrow.Field{Name: name, Type: dt, Nullable: true},
		build: func(mem memory.Allocator) (arrow.Array, error) {
			if err := checkValid(name, len(values), valid); err != nil {
				return nil, err
			}
			switch v := any(values).(type) {
			case []bool:
				b := array.NewBooleanBuilder(mem)
				defer b.Release()
				b.AppendValues(v, valid)
				return b.NewArray(), nil
			case []int32:
				b := array.NewInt32Builder(mem)
				defer b.Release()
				b.AppendValues(v, valid)
				return b.NewArray(), nil
			case []int64:
				b := array.NewInt64Builder(mem)
				defer b.Release()
				b.AppendValues(v, valid)
				return b.NewArray(), nil
			case []float32:
				b := array.NewFloat32Builder(mem)
				defer b.Release()
				b.AppendValues(v, valid)
				return b.NewArray(), nil
			case []float64:
				b := array.NewFloat64Builder(mem)
				defer b.Release()
				b.AppendValues(v, valid)
				return b.NewArray(), nil
			default:
				b := array.NewStringBuilder(mem)
				defer b.Release()
				b.AppendValues(any(values).([]string), valid)
				return b.NewArray(), nil
			}
		},
	}
}

func checkValid(name string, n int, valid []bool) error {
	if valid != nil && len(valid) != n {
		return fmt.Errorf("column %q: %d validity flags for %d values", name, len(valid), n)
	}
	return nil
}

// TimestampCol is a timestamp column in the given unit and time zone ("" for
// a zone-less timestamp); valid as in NullableCol.
func TimestampCol(name string, unit arrow.TimeUnit, tz string, ts []time.Time, valid []bool) Column {
	dt := &arrow.TimestampType{Unit: unit, TimeZone: tz}
	return Column{
		Field: arrow.Field{Name: name, Type: dt, Nullable: true},
		build: func(mem memory.Allocator) (arrow.Array, error) {
			if err := checkValid(name, len(ts), valid); err != nil {
				return nil, err
			}
			b := array.NewTimestampBuilder(mem, dt)
			defer b.Release()
			b.Reserve(len(ts))
			for i, t := range ts {
				if valid != nil && !valid[i] {
					b.UnsafeAppendBoolToBitmap(false)
					continue
				}
				v, err := arrow.TimestampFromTime(t, unit)
				if err != nil {
					return nil, fmt.Errorf("column %q row %d: %w", name, i, err)
				}
				b.UnsafeAppend(v)
			}
			return b.NewArray(), nil
		},
	}
}

// DenseCol is a dense vector column of dimension dim; a nil vector is a null
// row.
func DenseCol(name string, dim int, vecs [][]float64) Column {
	return Column{
		Field: arrow.Field{Name: name, Type: DenseVectorType(dim), Nullable: true},
		build: func(mem memory.Allocator) (arrow.Array, error) {
			b := NewDenseVectorBuilder(mem, dim)
			defer b.Release()
			b.Reserve(len(vecs))
			for i, v := range vecs {
				if v == nil {
					b.AppendNull()
					continue
				}
				if err := b.Append(v); err != nil {
					return nil, fmt.Errorf("column %q row %d: %w", name, i, err)
				}
			}
			return b.NewArray(), nil
		},
	}
}

// SparseCol is a sparse vector column without nulls.
func SparseCol(name string, vecs []SparseVector) Column {
	return NullableSparseCol(name, vecs, nil)
}

// NullableSparseCol is a sparse vector column where valid[i] == false makes
// row i null.
func NullableSparseCol(name string, vecs []SparseVector, valid []bool) Column {
	return Column{
		Field: arrow.Field{Name: name, Type: SparseVectorType(), Nullable: true},
		build: func(mem memory.Allocator) (arrow.Array, error) {
			if err := checkValid(name, len(vecs), valid); err != nil {
				return nil, err
			}
			b := NewSparseVectorBuilder(mem)
			defer b.Release()
			for i, v := range vecs {
				if valid != nil && !valid[i] {
					b.AppendNull()
					continue
				}
				if err := b.AppendVector(v); err != nil {
					return nil, fmt.Errorf("column %q row %d: %w", name, i, err)
				}
			}
			return b.NewArray(), nil
		},
	}
}

// Build builds a record from columns of Go values, for tests and
// generators:
//
//	rec, err := table.Build(mem,
//		table.Col("x", []float64{1, 2}).WithRole(table.RoleFeature),
//		table.Col("y", []int64{0, 1}).WithRole(table.RoleLabel))
//
// All columns must have the same length. The caller owns one Release.
func Build(mem memory.Allocator, cols ...Column) (arrow.Record, error) {
	fields := make([]arrow.Field, len(cols))
	arrs := make([]arrow.Array, 0, len(cols))
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	for i, c := range cols {
		if c.build == nil {
			return nil, fmt.Errorf("build: column %d (%q) was not made by a column constructor", i, c.Field.Name)
		}
		fields[i] = c.Field
		a, err := c.build(mem)
		if err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		arrs = append(arrs, a)
	}
	rec, err := NewRecord(arrow.NewSchema(fields, nil), arrs...)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	return rec, nil
}

// Float64s returns the values of a float64 column without copying. It fails
// when the column has another type or has nulls (whose slots hold undefined
// values); read such columns with the validity bitmap or Value.
func Float64s(arr arrow.Array) ([]float64, error) {
	a, ok := arr.(*array.Float64)
	if !ok {
		return nil, typeErr(arr, "float64")
	}
	if err := nullErr(arr); err != nil {
		return nil, err
	}
	return a.Float64Values(), nil
}

// Float32s is Float64s for float32 columns.
func Float32s(arr arrow.Array) ([]float32, error) {
	a, ok := arr.(*array.Float32)
	if !ok {
		return nil, typeErr(arr, "float32")
	}
	if err := nullErr(arr); err != nil {
		return nil, err
	}
	return a.Float32Values(), nil
}

// Int64s is Float64s for int64 columns.
func Int64s(arr arrow.Array) ([]int64, error) {
	a, ok := arr.(*array.Int64)
	if !ok {
		return nil, typeErr(arr, "int64")
	}
	if err := nullErr(arr); err != nil {
		return nil, err
	}
	return a.Int64Values(), nil
}

// Int32s is Float64s for int32 columns.
func Int32s(arr arrow.Array) ([]int32, error) {
	a, ok := arr.(*array.Int32)
	if !ok {
		return nil, typeErr(arr, "int32")
	}
	if err := nullErr(arr); err != nil {
		return nil, err
	}
	return a.Int32Values(), nil
}

func typeErr(arr arrow.Array, want string) error {
	return fmt.Errorf("column has type %s, want %s", arr.DataType(), want)
}

func nullErr(arr arrow.Array) error {
	if n := arr.NullN(); n > 0 {
		return fmt.Errorf("column has %d nulls; read it with its validity bitmap", n)
	}
	return nil
}
