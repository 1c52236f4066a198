package table

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Field names of the sparse vector struct type.
const (
	SparseSizeField    = "size"
	SparseIndicesField = "indices"
	SparseValuesField  = "values"
)

// DenseVectorType returns the type of a dense vector column of dimension n:
// FixedSizeList<float64>[n].
func DenseVectorType(n int) *arrow.FixedSizeListType {
	return arrow.FixedSizeListOf(int32(n), arrow.PrimitiveTypes.Float64)
}

// SparseVectorType returns the type of a sparse vector column:
// struct{size int32, indices list<int32>, values list<float64>}. Row i is
// the vector of dimension size whose nonzero entries are values at indices
// (strictly increasing, in [0, size)).
func SparseVectorType() *arrow.StructType {
	return arrow.StructOf(
		arrow.Field{Name: SparseSizeField, Type: arrow.PrimitiveTypes.Int32},
		arrow.Field{Name: SparseIndicesField, Type: arrow.ListOf(arrow.PrimitiveTypes.Int32)},
		arrow.Field{Name: SparseValuesField, Type: arrow.ListOf(arrow.PrimitiveTypes.Float64)},
	)
}

// IsDenseVector reports whether dt is a dense vector type (a fixed size list
// of float64, whatever its element field's name and nullability).
func IsDenseVector(dt arrow.DataType) bool {
	t, ok := dt.(*arrow.FixedSizeListType)
	return ok && t.Elem().ID() == arrow.FLOAT64
}

// IsSparseVector reports whether dt is the sparse vector struct type of
// SparseVectorType (field nullability and list element names are ignored).
func IsSparseVector(dt arrow.DataType) bool {
	t, ok := dt.(*arrow.StructType)
	if !ok || t.NumFields() != 3 {
		return false
	}
	f0, f1, f2 := t.Field(0), t.Field(1), t.Field(2)
	if f0.Name != SparseSizeField || f0.Type.ID() != arrow.INT32 ||
		f1.Name != SparseIndicesField || f2.Name != SparseValuesField {
		return false
	}
	l1, ok1 := f1.Type.(*arrow.ListType)
	l2, ok2 := f2.Type.(*arrow.ListType)
	return ok1 && ok2 && l1.Elem().ID() == arrow.INT32 && l2.Elem().ID() == arrow.FLOAT64
}

// DenseVectorBuilder builds a dense vector column, one whole vector per
// Append with a bulk copy of its values.
type DenseVectorBuilder struct {
	b   *array.FixedSizeListBuilder
	vb  *array.Float64Builder
	dim int
}

// NewDenseVectorBuilder returns a builder of dense vectors of dimension dim.
// The caller owns one Release.
func NewDenseVectorBuilder(mem memory.Allocator, dim int) *DenseVectorBuilder {
	b := array.NewFixedSizeListBuilder(mem, int32(dim), arrow.PrimitiveTypes.Float64)
	return &DenseVectorBuilder{b: b, vb: b.ValueBuilder().(*array.Float64Builder), dim: dim}
}

// Dim returns the dimension of the vectors.
func (b *DenseVectorBuilder) Dim() int { return b.dim }

// Len returns the number of vectors appended so far.
func (b *DenseVectorBuilder) Len() int { return b.b.Len() }

// Reserve makes room for n more vectors.
func (b *DenseVectorBuilder) Reserve(n int) {
	b.b.Reserve(n)
	b.vb.Reserve(n * b.dim)
}

// Append appends the vector v, which must have Dim values.
func (b *DenseVectorBuilder) Append(v []float64) error {
	if len(v) != b.dim {
		return fmt.Errorf("dense vector has %d values, want dimension %d", len(v), b.dim)
	}
	b.b.Append(true)
	b.vb.AppendValues(v, nil)
	return nil
}

// AppendNull appends a null vector; its slot holds Dim zeros, so the value
// slice stays free of nulls.
func (b *DenseVectorBuilder) AppendNull() {
	b.b.Append(false)
	b.vb.AppendEmptyValues(b.dim)
}

// NewArray returns the built column and resets the builder. The caller owns
// one Release of the array.
func (b *DenseVectorBuilder) NewArray() *array.FixedSizeList {
	return b.b.NewListArray()
}

// Release releases the builder.
func (b *DenseVectorBuilder) Release() { b.b.Release() }

// SparseVector is one sparse vector as plain Go values, as returned by
// Value and accepted by SparseVectorBuilder.AppendVector.
type SparseVector struct {
	Size    int       `json:"size"`
	Indices []int32   `json:"indices"`
	Values  []float64 `json:"values"`
}

// SparseVectorBuilder builds a sparse vector column, one whole vector per
// Append with bulk copies of its indices and values.
type SparseVectorBuilder struct {
	b   *array.StructBuilder
	sz  *array.Int32Builder
	ib  *array.ListBuilder
	ibv *array.Int32Builder
	vb  *array.ListBuilder
	vbv *array.Float64Builder
}

// NewSparseVectorBuilder returns a builder of sparse vectors. The caller owns
// one Release.
func NewSparseVectorBuilder(mem memory.Allocator) *SparseVectorBuilder {
	b := array.NewStructBuilder(mem, SparseVectorType())
	ib := b.FieldBuilder(1).(*array.ListBuilder)
	vb := b.FieldBuilder(2).(*array.ListBuilder)
	return &SparseVectorBuilder{
		b:   b,
		sz:  b.FieldBuilder(0).(*array.Int32Builder),
		ib:  ib,
		ibv: ib.ValueBuilder().(*array.Int32Builder),
		vb:  vb,
		vbv: vb.ValueBuilder().(*array.Float64Builder),
	}
}

// Len returns the number of vectors appended so far.
func (b *SparseVectorBuilder) Len() int { return b.b.Len() }

// Append appends the sparse vector of dimension size with values at
// indices. Indices must be strictly increasing and in [0, size), and
// indices and values must have the same length.
func (b *SparseVectorBuilder) Append(size int, indices []int32, values []float64) error {
	if err := checkSparse(size, indices, values); err != nil {
		return err
	}
	b.b.Append(true)
	b.sz.Append(int32(size))
	b.ib.Append(true)
	b.ibv.AppendValues(indices, nil)
	b.vb.Append(true)
	b.vbv.AppendValues(values, nil)
	return nil
}

// AppendVector appends v.
func (b *SparseVectorBuilder) AppendVector(v SparseVector) error {
	return b.Append(v.Size, v.Indices, v.Values)
}

// AppendNull appends a null vector (its slot reads as size 0, no entries).
func (b *SparseVectorBuilder) AppendNull() {
	b.b.Append(false) // appends nulls to the children too
}

// NewArray returns the built column and resets the builder. The caller owns
// one Release of the array.
func (b *SparseVectorBuilder) NewArray() *array.Struct {
	return b.b.NewStructArray()
}

// Release releases the builder.
func (b *SparseVectorBuilder) Release() { b.b.Release() }

func checkSparse(size int, indices []int32, values []float64) error {
	if size < 0 || size > 1<<31-1 {
		return fmt.Errorf("sparse vector size %d out of range", size)
	}
	if len(indices) != len(values) {
		return fmt.Errorf("sparse vector has %d indices but %d values", len(indices), len(values))
	}
	prev := int32(-1)
	for k, ix := range indices {
		if ix <= prev || int(ix) >= size {
			return fmt.Errorf("sparse vector index %d at position %d: indices must be strictly increasing and in [0, %d)", ix, k, size)
		}
		prev = ix
	}
	return nil
}

// DenseVectors returns the values of a dense vector column without copying:
// row i's vector is values[i*dim:(i+1)*dim]. The slice aliases the array's
// memory and is valid while the array is. A null row's slot holds whatever
// its writer put there (zeros for DenseVectorBuilder).
func DenseVectors(arr arrow.Array) (values []float64, dim int, err error) {
	l, ok := arr.(*array.FixedSizeList)
	if !ok || !IsDenseVector(arr.DataType()) {
		return nil, 0, fmt.Errorf("column of type %s is not a dense vector (fixed_size_list<float64>)", arr.DataType())
	}
	dim = int(l.DataType().(*arrow.FixedSizeListType).Len())
	child := l.ListValues().(*array.Float64)
	if child.NullN() > 0 {
		return nil, 0, fmt.Errorf("dense vector column has %d null elements inside its vectors", child.NullN())
	}
	off := l.Data().Offset()
	all := child.Float64Values()
	return all[off*dim : (off+l.Len())*dim], dim, nil
}

// SparseVectors is a zero-copy view of a sparse vector column.
type SparseVectors struct {
	arr      *array.Struct
	sizes    []int32
	iOffsets []int32 // offsets of the indices list, already shifted to the view's rows
	vOffsets []int32
	indices  []int32
	values   []float64
}

// NewSparseVectors returns a zero-copy view of the sparse vector column arr.
// The view is valid while arr is.
func NewSparseVectors(arr arrow.Array) (SparseVectors, error) {
	s, ok := arr.(*array.Struct)
	if !ok || !IsSparseVector(arr.DataType()) {
		return SparseVectors{}, fmt.Errorf("column of type %s is not a sparse vector (%s)", arr.DataType(), SparseVectorType())
	}
	il := s.Field(1).(*array.List)
	vl := s.Field(2).(*array.List)
	ic := il.ListValues().(*array.Int32)
	vc := vl.ListValues().(*array.Float64)
	if ic.NullN() > 0 || vc.NullN() > 0 {
		return SparseVectors{}, fmt.Errorf("sparse vector column has null elements inside its vectors")
	}
	n := s.Len()
	io, vo := il.Data().Offset(), vl.Data().Offset()
	return SparseVectors{
		arr:      s,
		sizes:    s.Field(0).(*array.Int32).Int32Values(),
		iOffsets: il.Offsets()[io : io+n+1],
		vOffsets: vl.Offsets()[vo : vo+n+1],
		indices:  ic.Int32Values(),
		values:   vc.Float64Values(),
	}, nil
}

// Len returns the number of rows.
func (v SparseVectors) Len() int { return len(v.sizes) }

// IsNull reports whether row i is null.
func (v SparseVectors) IsNull(i int) bool { return v.arr.IsNull(i) }

// At returns row i's dimension, indices and values; the slices alias the
// column's memory.
func (v SparseVectors) At(i int) (size int, indices []int32, values []float64) {
	return int(v.sizes[i]),
		v.indices[v.iOffsets[i]:v.iOffsets[i+1]],
		v.values[v.vOffsets[i]:v.vOffsets[i+1]]
}
