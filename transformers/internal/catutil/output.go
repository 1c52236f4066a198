package catutil

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// SparseOutput accumulates sparse vectors in flat Go slices and turns them
// into a sparse vector column (table.SparseVectorType) with one copy per
// buffer. The caller guarantees that each row's indices are strictly
// increasing and in [0, size). Reuse one SparseOutput with Reset to avoid
// allocating per batch.
type SparseOutput struct {
	sizes   []int32
	offsets []int32
	indices []int32
	values  []float64
	valid   []bool
	nulls   int
}

// Reset empties the output, keeping its capacity.
func (o *SparseOutput) Reset() {
	o.sizes, o.indices, o.values, o.valid = o.sizes[:0], o.indices[:0], o.values[:0], o.valid[:0]
	o.offsets = append(o.offsets[:0], 0)
	o.nulls = 0
}

// Len returns the number of rows appended.
func (o *SparseOutput) Len() int { return len(o.sizes) }

// Append appends a row of dimension size with values at indices (copied).
func (o *SparseOutput) Append(size int, indices []int32, values []float64) {
	o.init()
	o.indices = append(o.indices, indices...)
	o.values = append(o.values, values...)
	o.endRow(size, true)
}

// AppendEntry appends one entry to the row being built; EndRow closes it.
func (o *SparseOutput) AppendEntry(index int32, value float64) {
	o.init()
	o.indices = append(o.indices, index)
	o.values = append(o.values, value)
}

// Pending returns the indices and values appended to the row being built,
// for sorting or merging in place before EndRow.
func (o *SparseOutput) Pending() (indices []int32, values []float64) {
	o.init()
	start := o.offsets[len(o.offsets)-1]
	return o.indices[start:], o.values[start:]
}

// Truncate keeps the first n pending entries of the row being built.
func (o *SparseOutput) Truncate(n int) {
	start := int(o.offsets[len(o.offsets)-1])
	o.indices, o.values = o.indices[:start+n], o.values[:start+n]
}

// EndRow closes the row being built with dimension size.
func (o *SparseOutput) EndRow(size int) {
	o.init()
	o.endRow(size, true)
}

// AppendNull appends a null row (and drops any pending entries).
func (o *SparseOutput) AppendNull() {
	o.init()
	o.Truncate(0)
	o.endRow(0, false)
}

func (o *SparseOutput) init() {
	if len(o.offsets) == 0 {
		o.offsets = append(o.offsets, 0)
	}
}

func (o *SparseOutput) endRow(size int, valid bool) {
	o.sizes = append(o.sizes, int32(size))
	o.offsets = append(o.offsets, int32(len(o.indices)))
	o.valid = append(o.valid, valid)
	if !valid {
		o.nulls++
	}
}

// NewArray returns the rows appended as a sparse vector column with
// buffers from mem and resets the output. The caller owns one Release.
func (o *SparseOutput) NewArray(mem memory.Allocator) (*array.Struct, error) {
	o.init()
	if len(o.indices) > 1<<31-1 {
		return nil, fmt.Errorf("sparse output: %d entries overflow the int32 offsets", len(o.indices))
	}
	n, m, nulls := len(o.sizes), len(o.indices), o.nulls
	var validBuf *memory.Buffer
	if o.nulls > 0 {
		validBuf = bitmap(mem, o.valid)
		defer validBuf.Release()
	}
	sizes := buffer(mem, o.sizes, arrow.Int32SizeBytes)
	defer sizes.Release()
	offs := buffer(mem, o.offsets, arrow.Int32SizeBytes)
	defer offs.Release()
	idx := buffer(mem, o.indices, arrow.Int32SizeBytes)
	defer idx.Release()
	vals := buffer(mem, o.values, arrow.Float64SizeBytes)
	defer vals.Release()

	o.Reset()
	return sparseArray(n, m, nulls, validBuf, sizes, offs, idx, vals), nil
}

// sparseArray assembles a sparse vector column of n rows and m entries
// from its buffers (borrowed).
func sparseArray(n, m, nulls int, valid, sizes, offs, idx, vals *memory.Buffer) *array.Struct {
	st := table.SparseVectorType()
	sizeData := array.NewData(arrow.PrimitiveTypes.Int32, n, []*memory.Buffer{nil, sizes}, nil, 0, 0)
	defer sizeData.Release()
	idxChild := array.NewData(arrow.PrimitiveTypes.Int32, m, []*memory.Buffer{nil, idx}, nil, 0, 0)
	defer idxChild.Release()
	valChild := array.NewData(arrow.PrimitiveTypes.Float64, m, []*memory.Buffer{nil, vals}, nil, 0, 0)
	defer valChild.Release()
	idxData := array.NewData(st.Field(1).Type, n, []*memory.Buffer{nil, offs}, []arrow.ArrayData{idxChild}, 0, 0)
	defer idxData.Release()
	valData := array.NewData(st.Field(2).Type, n, []*memory.Buffer{nil, offs}, []arrow.ArrayData{valChild}, 0, 0)
	defer valData.Release()
	data := array.NewData(st, n, []*memory.Buffer{valid}, []arrow.ArrayData{sizeData, idxData, valData}, nulls, 0)
	defer data.Release()
	return array.NewStructData(data)
}

// OneHotArray returns a sparse vector column of len(cats) rows of
// dimension size, no nulls: row i holds the single entry cats[i] = 1 when
// 0 <= cats[i] < size, and no entry otherwise. It writes the Arrow buffers
// (from mem) directly. The caller owns one Release.
func OneHotArray(mem memory.Allocator, size int, cats []int32) *array.Struct {
	n, m := len(cats), 0
	lim := uint32(size)
	for _, c := range cats {
		if uint32(c) < lim {
			m++
		}
	}
	sizes, sz := int32Buffer(mem, n)
	defer sizes.Release()
	for i := range sz {
		sz[i] = int32(size)
	}
	offs, of := int32Buffer(mem, n+1)
	defer offs.Release()
	idx, ix := int32Buffer(mem, m)
	defer idx.Release()
	vals := memory.NewResizableBuffer(mem)
	vals.Resize(m * arrow.Float64SizeBytes)
	defer vals.Release()
	vs := arrow.Float64Traits.CastFromBytes(vals.Bytes())
	k := int32(0)
	of[0] = 0
	for i, c := range cats {
		if uint32(c) < lim {
			ix[k] = c
			k++
		}
		of[i+1] = k
	}
	for j := range vs {
		vs[j] = 1
	}
	return sparseArray(n, m, 0, nil, sizes, offs, idx, vals)
}

func int32Buffer(mem memory.Allocator, n int) (*memory.Buffer, []int32) {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * arrow.Int32SizeBytes)
	return buf, arrow.Int32Traits.CastFromBytes(buf.Bytes())
}

func buffer[T int32 | float64 | byte](mem memory.Allocator, vals []T, width int) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(len(vals) * width)
	if len(vals) > 0 {
		copy(unsafe.Slice((*T)(unsafe.Pointer(&buf.Bytes()[0])), len(vals)), vals)
	}
	return buf
}

func bitmap(mem memory.Allocator, valid []bool) *memory.Buffer {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(len(valid)))))
	b := buf.Bytes()
	clear(b)
	for i, v := range valid {
		if v {
			bitutil.SetBit(b, i)
		}
	}
	return buf
}

// SparseField returns a nullable sparse vector field.
func SparseField(name string) arrow.Field {
	return arrow.Field{Name: name, Type: table.SparseVectorType(), Nullable: true}
}

// StringListType is the type of token columns: List<string>.
var StringListType = arrow.ListOf(arrow.BinaryTypes.String)

// StringListField returns a nullable List<string> field.
func StringListField(name string) arrow.Field {
	return arrow.Field{Name: name, Type: StringListType, Nullable: true}
}

// IsStringList reports whether dt is a list of strings.
func IsStringList(dt arrow.DataType) bool {
	l, ok := dt.(*arrow.ListType)
	return ok && l.Elem().ID() == arrow.STRING
}

// StringLists is a zero-copy view of a List<string> column.
type StringLists struct {
	arr  *array.List
	offs []int32
	str  *array.String
}

// NewStringLists returns a view of arr, a List<string> column.
func NewStringLists(arr arrow.Array) (StringLists, error) {
	l, ok := arr.(*array.List)
	if !ok || !IsStringList(arr.DataType()) {
		return StringLists{}, fmt.Errorf("column of type %s is not a list of strings", arr.DataType())
	}
	off := l.Data().Offset()
	return StringLists{arr: l, offs: l.Offsets()[off : off+l.Len()+1], str: l.ListValues().(*array.String)}, nil
}

// Len returns the number of rows.
func (v StringLists) Len() int { return v.arr.Len() }

// IsNull reports whether row i is null.
func (v StringLists) IsNull(i int) bool { return v.arr.IsNull(i) }

// Row returns the range [start, end) of row i's tokens; read them with
// Token. A null token reads as "" and IsNullToken tells it apart.
func (v StringLists) Row(i int) (start, end int) { return int(v.offs[i]), int(v.offs[i+1]) }

// Token returns token k (an index from Row), aliasing the column's memory.
func (v StringLists) Token(k int) string { return v.str.Value(k) }

// IsNullToken reports whether token k is null.
func (v StringLists) IsNullToken(k int) bool { return v.str.IsNull(k) }

// StringListOutput accumulates rows of tokens and turns them into a
// List<string> column. Reuse one with its own reset by NewArray.
type StringListOutput struct {
	offsets []int32 // list offsets
	soffs   []int32 // string offsets
	data    []byte
	valid   []bool
	nulls   int
}

func (o *StringListOutput) init() {
	if len(o.offsets) == 0 {
		o.offsets = append(o.offsets, 0)
		o.soffs = append(o.soffs, 0)
	}
}

// AppendToken appends a token to the row being built.
func (o *StringListOutput) AppendToken(tok string) {
	o.init()
	o.data = append(o.data, tok...)
	o.soffs = append(o.soffs, int32(len(o.data)))
}

// AppendTokenBytes appends a token given as bytes.
func (o *StringListOutput) AppendTokenBytes(tok []byte) {
	o.init()
	o.data = append(o.data, tok...)
	o.soffs = append(o.soffs, int32(len(o.data)))
}

// EndRow closes the row being built.
func (o *StringListOutput) EndRow() {
	o.init()
	o.offsets = append(o.offsets, int32(len(o.soffs)-1))
	o.valid = append(o.valid, true)
}

// AppendNull appends a null row; tokens pending for it are dropped.
func (o *StringListOutput) AppendNull() {
	o.init()
	start := int(o.offsets[len(o.offsets)-1])
	o.soffs = o.soffs[:start+1]
	o.data = o.data[:o.soffs[start]]
	o.offsets = append(o.offsets, int32(start))
	o.valid = append(o.valid, false)
	o.nulls++
}

// Len returns the number of rows appended.
func (o *StringListOutput) Len() int { return len(o.valid) }

// NewArray returns the rows as a List<string> column with buffers from mem
// and resets the output. The caller owns one Release.
func (o *StringListOutput) NewArray(mem memory.Allocator) (*array.List, error) {
	o.init()
	if len(o.data) > 1<<31-1 {
		return nil, fmt.Errorf("token output: %d bytes overflow the int32 offsets", len(o.data))
	}
	n := len(o.valid)
	var validBuf *memory.Buffer
	if o.nulls > 0 {
		validBuf = bitmap(mem, o.valid)
		defer validBuf.Release()
	}
	offs := buffer(mem, o.offsets, arrow.Int32SizeBytes)
	defer offs.Release()
	soffs := buffer(mem, o.soffs, arrow.Int32SizeBytes)
	defer soffs.Release()
	data := buffer(mem, o.data, 1)
	defer data.Release()
	child := array.NewData(arrow.BinaryTypes.String, len(o.soffs)-1, []*memory.Buffer{nil, soffs, data}, nil, 0, 0)
	defer child.Release()
	ld := array.NewData(StringListType, n, []*memory.Buffer{validBuf, offs}, []arrow.ArrayData{child}, o.nulls, 0)
	defer ld.Release()
	o.offsets, o.soffs, o.data, o.valid, o.nulls = o.offsets[:1], o.soffs[:1], o.data[:0], o.valid[:0], 0
	return array.NewListData(ld), nil
}

// SortMerge sorts the entries of the row being built by index, adds up the
// values of equal indices and drops zero sums. It is an insertion sort,
// meant for rows of few entries.
func (o *SparseOutput) SortMerge() {
	idx, vals := o.Pending()
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && idx[j] < idx[j-1]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
			vals[j], vals[j-1] = vals[j-1], vals[j]
		}
	}
	o.Truncate(MergeSorted(idx, vals))
}

// MergeSorted adds up the values of equal consecutive indices of sorted
// entries, drops zero sums, and returns the number of entries kept at the
// front of idx and vals.
func MergeSorted(idx []int32, vals []float64) int {
	k := 0
	for i := 0; i < len(idx); {
		j, sum := i+1, vals[i]
		for j < len(idx) && idx[j] == idx[i] {
			sum += vals[j]
			j++
		}
		if sum != 0 {
			idx[k], vals[k] = idx[i], sum
			k++
		}
		i = j
	}
	return k
}
