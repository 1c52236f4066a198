package table

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Take returns a record with the rows of rec at indices, in that order
// (repeats allowed). Every column type of Eddy is supported: booleans, all
// fixed-width numbers, timestamps, dates and durations, strings and binaries,
// dense and sparse vectors, lists and structs, with nulls. The kernels copy
// typed value slices into fresh buffers from mem and allocate nothing per
// row. The caller owns one Release of the result.
func Take(mem memory.Allocator, rec arrow.Record, indices []int) (arrow.Record, error) {
	n := int(rec.NumRows())
	for k, i := range indices {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("take: index %d at position %d out of range [0, %d)", i, k, n)
		}
	}
	return takeRecord(mem, rec, indices)
}

// Filter returns a record with the rows of rec where mask is true, in order.
// len(mask) must equal the number of rows. The caller owns one Release.
func Filter(mem memory.Allocator, rec arrow.Record, mask []bool) (arrow.Record, error) {
	if int64(len(mask)) != rec.NumRows() {
		return nil, fmt.Errorf("filter: mask has %d entries for %d rows", len(mask), rec.NumRows())
	}
	cnt := 0
	for _, m := range mask {
		if m {
			cnt++
		}
	}
	idx := make([]int, 0, cnt)
	for i, m := range mask {
		if m {
			idx = append(idx, i)
		}
	}
	return takeRecord(mem, rec, idx)
}

// TakeArray is Take for one column.
func TakeArray(mem memory.Allocator, arr arrow.Array, indices []int) (arrow.Array, error) {
	n := arr.Len()
	for k, i := range indices {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("take: index %d at position %d out of range [0, %d)", i, k, n)
		}
	}
	d, err := takeData(mem, arr.Data(), 0, sel{idx: indices})
	if err != nil {
		return nil, fmt.Errorf("take: %w", err)
	}
	defer d.Release()
	return array.MakeFromData(d), nil
}

func takeRecord(mem memory.Allocator, rec arrow.Record, idx []int) (arrow.Record, error) {
	cols := make([]arrow.Array, 0, rec.NumCols())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for j, c := range rec.Columns() {
		d, err := takeData(mem, c.Data(), 0, sel{idx: idx})
		if err != nil {
			return nil, fmt.Errorf("take column %q: %w", rec.ColumnName(j), err)
		}
		cols = append(cols, array.MakeFromData(d))
		d.Release()
	}
	return array.NewRecord(rec.Schema(), cols, int64(len(idx))), nil
}

// sel selects elements of an array. In index mode (dim == 0, no offsets)
// element k of the output is element idx[k] of the input. In fixed-size
// mode (dim > 0) row idx[k] of a parent with dim elements per row and
// offset base contributes elements [(base+idx[k])*dim, +dim). In list mode
// (offs32 or offs64) row idx[k] contributes elements [offs[i], offs[i+1]).
type sel struct {
	idx    []int
	dim    int
	base   int
	offs32 []int32
	offs64 []int64
}

func (s sel) indexMode() bool { return s.dim == 0 && s.offs32 == nil && s.offs64 == nil }

// count returns the number of selected elements.
func (s sel) count() int {
	switch {
	case s.dim > 0:
		return len(s.idx) * s.dim
	case s.offs32 != nil:
		return spanCount(s.idx, s.offs32)
	case s.offs64 != nil:
		return spanCount(s.idx, s.offs64)
	}
	return len(s.idx)
}

func spanCount[O int32 | int64](idx []int, offs []O) int {
	n := 0
	for _, i := range idx {
		n += int(offs[i+1] - offs[i])
	}
	return n
}

// expand returns the selected element positions as plain indices.
func (s sel) expand() []int {
	if s.indexMode() {
		return s.idx
	}
	out := make([]int, 0, s.count())
	switch {
	case s.dim > 0:
		for _, i := range s.idx {
			for k := (s.base + i) * s.dim; k < (s.base+i+1)*s.dim; k++ {
				out = append(out, k)
			}
		}
	case s.offs32 != nil:
		for _, i := range s.idx {
			for k := s.offs32[i]; k < s.offs32[i+1]; k++ {
				out = append(out, int(k))
			}
		}
	default:
		for _, i := range s.idx {
			for k := s.offs64[i]; k < s.offs64[i+1]; k++ {
				out = append(out, int(k))
			}
		}
	}
	return out
}

// gather copies the selected elements of src into dst.
func gather[T any](dst, src []T, s sel) {
	switch {
	case s.dim > 0:
		d := s.dim
		for j, i := range s.idx {
			k := (s.base + i) * d
			copy(dst[j*d:(j+1)*d], src[k:k+d])
		}
	case s.offs32 != nil:
		gatherSpans(dst, src, s.idx, s.offs32)
	case s.offs64 != nil:
		gatherSpans(dst, src, s.idx, s.offs64)
	default:
		for j, i := range s.idx {
			dst[j] = src[i]
		}
	}
}

func gatherSpans[T any, O int32 | int64](dst, src []T, idx []int, offs []O) {
	pos := 0
	for _, i := range idx {
		pos += copy(dst[pos:], src[offs[i]:offs[i+1]])
	}
}

// gatherBits copies the selected bits of src (starting at bit off) into
// dst, which must be zeroed, and returns how many are set.
func gatherBits(dst, src []byte, off int, s sel) int {
	set := 0
	j := 0
	put := func(i int) {
		if bitutil.BitIsSet(src, off+i) {
			bitutil.SetBit(dst, j)
			set++
		}
		j++
	}
	switch {
	case s.dim > 0:
		for _, i := range s.idx {
			for k := (s.base + i) * s.dim; k < (s.base+i+1)*s.dim; k++ {
				put(k)
			}
		}
	case s.offs32 != nil:
		for _, i := range s.idx {
			for k := s.offs32[i]; k < s.offs32[i+1]; k++ {
				put(int(k))
			}
		}
	case s.offs64 != nil:
		for _, i := range s.idx {
			for k := s.offs64[i]; k < s.offs64[i+1]; k++ {
				put(int(k))
			}
		}
	default:
		for _, i := range s.idx {
			put(i)
		}
	}
	return set
}

func newBuffer(mem memory.Allocator, nbytes int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(nbytes)
	return b
}

// cast reinterprets a byte slice as a slice of T.
func cast[T any](b []byte) []T {
	var z T
	sz := int(unsafe.Sizeof(z))
	if len(b) < sz {
		return nil
	}
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/sz)
}

func bufBytes(b *memory.Buffer) []byte {
	if b == nil {
		return nil
	}
	return b.Bytes()
}

func releaseAll(bufs []*memory.Buffer) {
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
}

// takeValidity gathers the validity bitmap; it returns nil and 0 nulls when
// the input has no nulls.
func takeValidity(mem memory.Allocator, d arrow.ArrayData, off int, s sel, n int) (*memory.Buffer, int) {
	if d.NullN() == 0 || d.Buffers()[0] == nil {
		return nil, 0
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	clear(buf.Bytes())
	set := gatherBits(buf.Bytes(), d.Buffers()[0].Bytes(), off, s)
	return buf, n - set
}

// takeData gathers the elements selected by s from d, whose logical start is
// shifted by extra elements (the offset of an enclosing struct).
func takeData(mem memory.Allocator, d arrow.ArrayData, extra int, s sel) (arrow.ArrayData, error) {
	off := d.Offset() + extra
	dt := d.DataType()
	n := s.count()
	switch t := dt.(type) {
	case *arrow.NullType:
		return array.NewData(dt, n, []*memory.Buffer{nil}, nil, n, 0), nil
	case *arrow.BooleanType:
		valid, nulls := takeValidity(mem, d, off, s, n)
		vals := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
		clear(vals.Bytes())
		gatherBits(vals.Bytes(), bufBytes(d.Buffers()[1]), off, s)
		bufs := []*memory.Buffer{valid, vals}
		defer releaseAll(bufs)
		return array.NewData(dt, n, bufs, nil, nulls, 0), nil
	case *arrow.StringType, *arrow.BinaryType:
		return takeVarBinary[int32](mem, d, off, s)
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		return takeVarBinary[int64](mem, d, off, s)
	case *arrow.ListType:
		return takeList[int32](mem, d, off, s)
	case *arrow.LargeListType:
		return takeList[int64](mem, d, off, s)
	case *arrow.FixedSizeListType:
		idx := s.expand()
		valid, nulls := takeValidity(mem, d, off, sel{idx: idx}, len(idx))
		bufs := []*memory.Buffer{valid}
		defer releaseAll(bufs)
		child, err := takeData(mem, d.Children()[0], 0, sel{idx: idx, dim: int(t.Len()), base: off})
		if err != nil {
			return nil, err
		}
		defer child.Release()
		return array.NewData(dt, len(idx), bufs, []arrow.ArrayData{child}, nulls, 0), nil
	case *arrow.StructType:
		valid, nulls := takeValidity(mem, d, off, s, n)
		bufs := []*memory.Buffer{valid}
		defer releaseAll(bufs)
		children := make([]arrow.ArrayData, 0, len(d.Children()))
		defer func() {
			for _, c := range children {
				c.Release()
			}
		}()
		for k, c := range d.Children() {
			cd, err := takeData(mem, c, off, s)
			if err != nil {
				return nil, fmt.Errorf("struct field %q: %w", t.Field(k).Name, err)
			}
			children = append(children, cd)
		}
		return array.NewData(dt, n, bufs, children, nulls, 0), nil
	case *arrow.DictionaryType, arrow.ExtensionType:
		return nil, fmt.Errorf("unsupported column type %s", dt)
	case arrow.FixedWidthDataType:
		return takeFixed(mem, d, off, s, t.BitWidth()/8)
	}
	return nil, fmt.Errorf("unsupported column type %s", dt)
}

func takeFixed(mem memory.Allocator, d arrow.ArrayData, off int, s sel, w int) (arrow.ArrayData, error) {
	n := s.count()
	if w <= 0 {
		return nil, fmt.Errorf("unsupported column type %s", d.DataType())
	}
	valid, nulls := takeValidity(mem, d, off, s, n)
	vals := newBuffer(mem, n*w)
	bufs := []*memory.Buffer{valid, vals}
	defer releaseAll(bufs)
	var src []byte
	if b := d.Buffers()[1]; b != nil {
		src = b.Bytes()
	}
	dst := vals.Bytes()
	switch w {
	case 1:
		gather(dst, src[off:], s)
	case 2:
		gather(cast[uint16](dst), cast[uint16](src)[off:], s)
	case 4:
		gather(cast[uint32](dst), cast[uint32](src)[off:], s)
	case 8:
		gather(cast[uint64](dst), cast[uint64](src)[off:], s)
	case 16:
		gather(cast[[2]uint64](dst), cast[[2]uint64](src)[off:], s)
	case 32:
		gather(cast[[4]uint64](dst), cast[[4]uint64](src)[off:], s)
	default:
		// Odd widths (fixed size binary): rows of w bytes.
		if !s.indexMode() {
			return nil, fmt.Errorf("unsupported nested column type %s", d.DataType())
		}
		gather(dst, src, sel{idx: s.idx, dim: w, base: off})
	}
	return array.NewData(d.DataType(), n, bufs, nil, nulls, 0), nil
}

func takeVarBinary[O int32 | int64](mem memory.Allocator, d arrow.ArrayData, off int, s sel) (arrow.ArrayData, error) {
	idx := s.expand()
	n := len(idx)
	valid, nulls := takeValidity(mem, d, off, sel{idx: idx}, n)
	var offs []O
	if b := d.Buffers()[1]; b != nil {
		offs = cast[O](b.Bytes())[off:]
	}
	var src []byte
	if b := d.Buffers()[2]; b != nil {
		src = b.Bytes()
	}
	total := 0
	for _, i := range idx {
		total += int(offs[i+1] - offs[i])
	}
	var z O
	ob := newBuffer(mem, (n+1)*int(unsafe.Sizeof(z)))
	db := newBuffer(mem, total)
	bufs := []*memory.Buffer{valid, ob, db}
	defer releaseAll(bufs)
	newOffs := cast[O](ob.Bytes())
	dst := db.Bytes()
	pos := O(0)
	for j, i := range idx {
		newOffs[j] = pos
		pos += O(copy(dst[pos:], src[offs[i]:offs[i+1]]))
	}
	newOffs[n] = pos
	return array.NewData(d.DataType(), n, bufs, nil, nulls, 0), nil
}

func takeList[O int32 | int64](mem memory.Allocator, d arrow.ArrayData, off int, s sel) (arrow.ArrayData, error) {
	idx := s.expand()
	n := len(idx)
	valid, nulls := takeValidity(mem, d, off, sel{idx: idx}, n)
	var offs []O
	if b := d.Buffers()[1]; b != nil {
		offs = cast[O](b.Bytes())[off:]
	}
	var z O
	ob := newBuffer(mem, (n+1)*int(unsafe.Sizeof(z)))
	bufs := []*memory.Buffer{valid, ob}
	defer releaseAll(bufs)
	newOffs := cast[O](ob.Bytes())
	pos := O(0)
	for j, i := range idx {
		newOffs[j] = pos
		pos += offs[i+1] - offs[i]
	}
	newOffs[n] = pos
	cs := sel{idx: idx}
	switch o := any(offs).(type) {
	case []int32:
		cs.offs32 = o
	case []int64:
		cs.offs64 = o
	}
	if n == 0 {
		cs = sel{idx: idx}
	}
	child, err := takeData(mem, d.Children()[0], 0, cs)
	if err != nil {
		return nil, err
	}
	defer child.Release()
	return array.NewData(d.DataType(), n, bufs, []arrow.ArrayData{child}, nulls, 0), nil
}
