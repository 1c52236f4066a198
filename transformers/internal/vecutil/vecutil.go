package vecutil

import (
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/internal/trustedrec"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// Vectors is a zero-copy view of a dense or sparse vector column. It is
// valid while the array it was made from is.
type Vectors struct {
	arr    arrow.Array
	dense  []float64 // dense values, row i at dense[i*dim:(i+1)*dim]
	dim    int       // dense dimension; -1 for sparse columns
	sparse table.SparseVectors
}

// NewVectors returns a view of arr, which must be a dense vector column
// (table.IsDenseVector) or a sparse one (table.IsSparseVector).
func NewVectors(arr arrow.Array) (Vectors, error) {
	switch {
	case table.IsDenseVector(arr.DataType()):
		vals, dim, err := table.DenseVectors(arr)
		if err != nil {
			return Vectors{}, err
		}
		return Vectors{arr: arr, dense: vals, dim: dim}, nil
	case table.IsSparseVector(arr.DataType()):
		sv, err := table.NewSparseVectors(arr)
		if err != nil {
			return Vectors{}, err
		}
		return Vectors{arr: arr, dim: -1, sparse: sv}, nil
	}
	return Vectors{}, fmt.Errorf("column of type %s is not a dense or sparse vector", arr.DataType())
}

// Len returns the number of rows.
func (v Vectors) Len() int { return v.arr.Len() }

// IsSparse reports whether the column is sparse.
func (v Vectors) IsSparse() bool { return v.dim < 0 }

// Dim returns the dimension of a dense column, or -1 for a sparse one
// (whose rows carry their own size; see RowDim).
func (v Vectors) Dim() int { return v.dim }

// IsNull reports whether row i is null.
func (v Vectors) IsNull(i int) bool { return v.arr.IsNull(i) }

// RowDim returns the dimension of row i.
func (v Vectors) RowDim(i int) int {
	if v.dim >= 0 {
		return v.dim
	}
	size, _, _ := v.sparse.At(i)
	return size
}

// Dense returns row i of a dense column without copying (it aliases the
// column's memory), or nil for a sparse column.
func (v Vectors) Dense(i int) []float64 {
	if v.dim < 0 {
		return nil
	}
	return v.dense[i*v.dim : (i+1)*v.dim]
}

// Sparse returns row i of a sparse column (size, indices, values, aliasing
// the column's memory); ok is false for a dense column.
func (v Vectors) Sparse(i int) (size int, indices []int32, values []float64, ok bool) {
	if v.dim >= 0 {
		return 0, nil, nil, false
	}
	size, indices, values = v.sparse.At(i)
	return size, indices, values, true
}

// Row writes row i as a dense vector into dst, which must have exactly
// RowDim(i) elements; a sparse row's missing entries are written as 0. It
// allocates nothing. A null row writes zeros (check IsNull first).
func (v Vectors) Row(i int, dst []float64) error {
	if v.dim >= 0 {
		if len(dst) != v.dim {
			return fmt.Errorf("row %d: vector has dimension %d, want %d", i, v.dim, len(dst))
		}
		copy(dst, v.dense[i*v.dim:(i+1)*v.dim])
		return nil
	}
	size, idx, vals := v.sparse.At(i)
	if v.arr.IsNull(i) {
		clear(dst)
		return nil
	}
	if size != len(dst) {
		return fmt.Errorf("row %d: vector has dimension %d, want %d", i, size, len(dst))
	}
	clear(dst)
	for k, j := range idx {
		dst[j] = vals[k]
	}
	return nil
}

// VectorField returns the index of the vector column name in s and its
// dimension (-1 for a sparse column), or an error naming the column when
// it is missing or not a vector.
func VectorField(s *arrow.Schema, name string) (idx, dim int, err error) {
	idx, err = table.FieldIndex(s, name)
	if err != nil {
		return -1, 0, err
	}
	dt := s.Field(idx).Type
	switch {
	case table.IsDenseVector(dt):
		return idx, int(dt.(*arrow.FixedSizeListType).Len()), nil
	case table.IsSparseVector(dt):
		return idx, -1, nil
	}
	return -1, 0, fmt.Errorf("column %q has type %s, want a dense or sparse vector", name, dt)
}

// IsNumeric reports whether dt is a scalar numeric type Float64Column
// reads: signed or unsigned integers of any width, float32 or float64.
func IsNumeric(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64:
		return true
	}
	return false
}

// NumericField returns the index of the scalar numeric column name in s,
// or an error naming the column when it is missing or not numeric.
func NumericField(s *arrow.Schema, name string) (int, error) {
	idx, err := table.FieldIndex(s, name)
	if err != nil {
		return -1, err
	}
	if dt := s.Field(idx).Type; !IsNumeric(dt) {
		return -1, fmt.Errorf("column %q has type %s, want a numeric type", name, dt)
	}
	return idx, nil
}

// Float64Column returns the values of the scalar numeric column arr as
// float64, in dst when it has the capacity (grown otherwise): len(result)
// == arr.Len(). A float64 column without nulls is returned without
// copying (aliasing arr). Null slots hold unspecified values: check
// arr.IsNull.
func Float64Column(dst []float64, arr arrow.Array) ([]float64, error) {
	n := arr.Len()
	if a, ok := arr.(*array.Float64); ok {
		return a.Float64Values(), nil
	}
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	switch a := arr.(type) {
	case *array.Float32:
		conv(dst, a.Float32Values())
	case *array.Int8:
		conv(dst, a.Int8Values())
	case *array.Int16:
		conv(dst, a.Int16Values())
	case *array.Int32:
		conv(dst, a.Int32Values())
	case *array.Int64:
		conv(dst, a.Int64Values())
	case *array.Uint8:
		conv(dst, a.Uint8Values())
	case *array.Uint16:
		conv(dst, a.Uint16Values())
	case *array.Uint32:
		conv(dst, a.Uint32Values())
	case *array.Uint64:
		conv(dst, a.Uint64Values())
	default:
		return nil, fmt.Errorf("column of type %s is not numeric", arr.DataType())
	}
	return dst, nil
}

func conv[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32 | uint64 | float32](dst []float64, src []T) {
	for i, v := range src {
		dst[i] = float64(v)
	}
}

// DenseOutput is a dense vector column under construction whose values
// are written in place.
type DenseOutput struct {
	mem   memory.Allocator
	n     int
	dim   int
	vals  *memory.Buffer
	valid *memory.Buffer // nil until the first SetNull
	nulls int
}

// NewDenseOutput allocates a dense vector column of n rows of dimension
// dim from mem. Values start zeroed. The caller calls Finish or Release.
func NewDenseOutput(mem memory.Allocator, n, dim int) *DenseOutput {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * dim * arrow.Float64SizeBytes)
	clear(buf.Bytes())
	return &DenseOutput{mem: mem, n: n, dim: dim, vals: buf}
}

// NewDenseOutputUninit is NewDenseOutput without zeroing the values
// (the allocator's memory as it comes): for a caller that writes every
// value, such as vector_assembler, on batches large enough for a second
// pass over the memory to show.
func NewDenseOutputUninit(mem memory.Allocator, n, dim int) *DenseOutput {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * dim * arrow.Float64SizeBytes)
	return &DenseOutput{mem: mem, n: n, dim: dim, vals: buf}
}

// Values returns the flat values: row i is Values()[i*dim:(i+1)*dim].
func (o *DenseOutput) Values() []float64 {
	return arrow.Float64Traits.CastFromBytes(o.vals.Bytes())[:o.n*o.dim]
}

// Row returns row i's slot in Values.
func (o *DenseOutput) Row(i int) []float64 {
	return arrow.Float64Traits.CastFromBytes(o.vals.Bytes())[i*o.dim : (i+1)*o.dim]
}

// SetNull marks row i null and zeroes its values.
func (o *DenseOutput) SetNull(i int) {
	if o.valid == nil {
		o.valid = memory.NewResizableBuffer(o.mem)
		o.valid.Resize(int(bitutil.BytesForBits(int64(o.n))))
		bitutil.SetBitsTo(o.valid.Bytes(), 0, int64(o.n), true)
	}
	if bitutil.BitIsSet(o.valid.Bytes(), i) {
		bitutil.ClearBit(o.valid.Bytes(), i)
		o.nulls++
	}
	clear(o.Row(i))
}

// Finish returns the column (type table.DenseVectorType(dim)) and releases
// the builder's references. The caller owns one Release of the array.
func (o *DenseOutput) Finish() *array.FixedSizeList {
	child := array.NewData(arrow.PrimitiveTypes.Float64, o.n*o.dim, []*memory.Buffer{nil, o.vals}, nil, 0, 0)
	var valid *memory.Buffer
	if o.nulls > 0 {
		valid = o.valid
	}
	data := array.NewData(table.DenseVectorType(o.dim), o.n, []*memory.Buffer{valid}, []arrow.ArrayData{child}, o.nulls, 0)
	out := array.NewFixedSizeListData(data)
	data.Release()
	child.Release()
	o.Release()
	return out
}

// Release frees the buffers of an unfinished output; it is a no-op after
// Finish.
func (o *DenseOutput) Release() {
	if o.vals != nil {
		o.vals.Release()
		o.vals = nil
	}
	if o.valid != nil {
		o.valid.Release()
		o.valid = nil
	}
}

// DenseColumn returns a dense vector column of dimension dim holding
// values (row i is values[i*dim:(i+1)*dim]), copied once into memory from
// mem. valid, when not nil, marks row i null where valid[i] is false. The
// caller owns one Release.
func DenseColumn(mem memory.Allocator, values []float64, dim int, valid []bool) (*array.FixedSizeList, error) {
	if dim < 0 || (dim == 0 && len(values) != 0) || (dim > 0 && len(values)%dim != 0) {
		return nil, fmt.Errorf("dense column: %d values are not a whole number of vectors of dimension %d", len(values), dim)
	}
	n := 0
	if dim > 0 {
		n = len(values) / dim
	} else {
		n = len(valid)
	}
	if valid != nil && len(valid) != n {
		return nil, fmt.Errorf("dense column: %d validity flags for %d vectors", len(valid), n)
	}
	o := NewDenseOutput(mem, n, dim)
	copy(o.Values(), values)
	for i, ok := range valid {
		if !ok {
			o.SetNull(i)
		}
	}
	return o.Finish(), nil
}

// DenseField returns a nullable dense vector field of dimension dim.
func DenseField(name string, dim int) arrow.Field {
	return arrow.Field{Name: name, Type: table.DenseVectorType(dim), Nullable: true}
}

// Float64Field returns a nullable float64 field.
func Float64Field(name string) arrow.Field {
	return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64, Nullable: true}
}

// AppendFields returns in with fields appended (pipeline.AppendField for
// each), or an error if a name is already taken.
func AppendFields(in *arrow.Schema, fields ...arrow.Field) (*arrow.Schema, error) {
	out := in
	for _, f := range fields {
		var err error
		if out, err = pipeline.AppendField(out, f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AppendColumns returns a record with schema whose columns are rec's
// followed by cols. rec and cols are borrowed (the record retains what it
// keeps); the caller owns one Release of the result. schema must be
// AppendFields(rec.Schema(), fields of cols...).
//
// Only the appended columns are checked against schema (their count,
// types and lengths): rec's own columns match rec's schema, which
// schema extends, so the record is built with trustedrec.Extend, which
// skips arrow's reflect.DeepEqual type check of every input column
// (about a microsecond per column, the bulk of a small batch's cost) and
// retains rec once instead of each of its columns.
func AppendColumns(schema *arrow.Schema, rec arrow.Record, cols ...arrow.Array) (arrow.Record, error) {
	nin := int(rec.NumCols())
	if schema == nil || schema.NumFields() != nin+len(cols) {
		all := append(append(make([]arrow.Array, 0, nin+len(cols)), rec.Columns()...), cols...)
		return table.NewRecord(schema, all...)
	}
	n := rec.NumRows()
	for k, c := range cols {
		f := schema.Field(nin + k)
		if c == nil {
			return nil, fmt.Errorf("new record: column %q is nil", f.Name)
		}
		if !table.SameType(c.DataType(), f.Type) {
			return nil, fmt.Errorf("new record: column %q has type %s, schema says %s", f.Name, c.DataType(), f.Type)
		}
		if int64(c.Len()) != n {
			return nil, fmt.Errorf("new record: column %q has %d rows, the input has %d", f.Name, c.Len(), n)
		}
	}
	return trustedrec.Extend(schema, rec, cols...)
}

// Float64Array returns a float64 column holding vals, copied into memory
// from mem; valid, when not nil, marks nulls. The caller owns one Release.
func Float64Array(mem memory.Allocator, vals []float64, valid []bool) *array.Float64 {
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	b.AppendValues(vals, valid)
	return b.NewFloat64Array()
}

// RowError is the error of an invalid value at a row of a column, for
// handle_invalid=error: `column "x" row 3: value NaN: <reason>`.
// It matches pipeline.ErrInvalidValue, so a server answers it as a client
// error.
func RowError(col string, row int, value any, reason string) error {
	switch v := value.(type) {
	case nil:
		return pipeline.InvalidValue("column %q row %d: null value: %s", col, row, reason)
	case float64:
		if math.IsNaN(v) {
			return pipeline.InvalidValue("column %q row %d: value NaN: %s", col, row, reason)
		}
	}
	return pipeline.InvalidValue("column %q row %d: value %v: %s", col, row, value, reason)
}

// Filter returns rec without the rows where keep is false, or rec itself
// retained when keep is nil or all true. The caller owns one Release.
func Filter(mem memory.Allocator, rec arrow.Record, keep []bool) (arrow.Record, error) {
	all := true
	for _, k := range keep {
		if !k {
			all = false
			break
		}
	}
	if all {
		rec.Retain()
		return rec, nil
	}
	return table.Filter(mem, rec, keep)
}
