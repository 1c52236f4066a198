package parquet

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// pqarrow v17 mishandles FixedSizeList columns: it cannot write a null
// entry (a null slot still spans its fixed number of child values, and
// pqarrow only writes lists whose null entries are empty), and it reads a
// non-nullable one back as all nulls. So a top-level FixedSizeList column
// is stored as a List column whose null entries are empty, with its size
// in this field metadata key, and the reader turns it back into a
// FixedSizeList.
const fixedSizeKey = "eddy.parquet.fixed_size"

// fixedElemKey keeps the element field's name, which pqarrow does not
// always restore.
const fixedElemKey = "eddy.parquet.fixed_size_elem"

// storageSchema is the schema written to the file for schema.
func storageSchema(schema *arrow.Schema) (*arrow.Schema, []bool) {
	fields := schema.Fields()
	conv := make([]bool, len(fields))
	any := false
	for i, f := range fields {
		t, ok := f.Type.(*arrow.FixedSizeListType)
		if !ok {
			continue
		}
		conv[i], any = true, true
		keys := append([]string{fixedSizeKey, fixedElemKey}, f.Metadata.Keys()...)
		vals := append([]string{strconv.Itoa(int(t.Len())), t.ElemField().Name}, f.Metadata.Values()...)
		fields[i].Type = arrow.ListOfField(t.ElemField())
		fields[i].Metadata = arrow.NewMetadata(keys, vals)
	}
	if !any {
		return schema, nil
	}
	md := schema.Metadata()
	return arrow.NewSchema(fields, &md), conv
}

// fslToList turns a FixedSizeList array into a List array whose null
// entries are empty. The result is new (the caller releases it).
func fslToList(mem memory.Allocator, arr *array.FixedSizeList, lt *arrow.ListType) (arrow.Array, error) {
	n := arr.Len()
	k := int(arr.DataType().(*arrow.FixedSizeListType).Len())
	child := arr.ListValues()
	base := arr.Data().Offset() * k
	offsets := memory.NewResizableBuffer(mem)
	defer offsets.Release()
	offsets.Resize((n + 1) * arrow.Int32SizeBytes)
	offs := arrow.Int32Traits.CastFromBytes(offsets.Bytes())
	var pieces []arrow.Array
	defer func() {
		for _, p := range pieces {
			p.Release()
		}
	}()
	pos, runStart := 0, -1
	flush := func(end int) {
		if runStart >= 0 {
			pieces = append(pieces, array.NewSlice(child, int64(base+runStart*k), int64(base+end*k)))
			runStart = -1
		}
	}
	for i := 0; i < n; i++ {
		offs[i] = int32(pos)
		if arr.IsNull(i) {
			flush(i)
			continue
		}
		if runStart < 0 {
			runStart = i
		}
		pos += k
	}
	flush(n)
	offs[n] = int32(pos)
	var values arrow.Array
	switch len(pieces) {
	case 0:
		values = array.MakeArrayOfNull(mem, child.DataType(), 0)
	case 1:
		values = pieces[0]
		values.Retain()
	default:
		var err error
		if values, err = array.Concatenate(pieces, mem); err != nil {
			return nil, err
		}
	}
	defer values.Release()
	var validity *memory.Buffer
	if arr.NullN() > 0 {
		validity = memory.NewResizableBuffer(mem)
		defer validity.Release()
		validity.Resize(int(bitutil.BytesForBits(int64(n))))
		bits := validity.Bytes()
		for i := 0; i < n; i++ {
			bitutil.SetBitTo(bits, i, arr.IsValid(i))
		}
	}
	data := array.NewData(lt, n, []*memory.Buffer{validity, offsets}, []arrow.ArrayData{values.Data()}, arr.NullN(), 0)
	defer data.Release()
	return array.MakeFromData(data), nil
}

// listToFSL turns a List array read back from a file into a FixedSizeList
// of size k; every non-null entry must hold k values.
func listToFSL(mem memory.Allocator, arr *array.List, ft *arrow.FixedSizeListType) (arrow.Array, error) {
	n := arr.Len()
	k := int(ft.Len())
	child := arr.ListValues()
	offs := arr.Offsets() // n+1 entries, already adjusted for the array offset
	var pieces []arrow.Array
	defer func() {
		for _, p := range pieces {
			p.Release()
		}
	}()
	runStart, nullRun := -1, 0
	flushRun := func(i int) {
		if runStart >= 0 {
			pieces = append(pieces, array.NewSlice(child, int64(offs[runStart]), int64(offs[i])))
			runStart = -1
		}
	}
	flushNulls := func() {
		if nullRun > 0 {
			pieces = append(pieces, array.MakeArrayOfNull(mem, child.DataType(), nullRun*k))
			nullRun = 0
		}
	}
	for i := 0; i < n; i++ {
		l := int(offs[i+1] - offs[i])
		if arr.IsNull(i) {
			if l != 0 {
				return nil, fmt.Errorf("row %d: null vector with %d values", i, l)
			}
			flushRun(i)
			nullRun++
			continue
		}
		if l != k {
			return nil, fmt.Errorf("row %d: vector of %d values, want %d", i, l, k)
		}
		flushNulls()
		if runStart < 0 {
			runStart = i
		}
	}
	flushRun(n)
	flushNulls()
	var values arrow.Array
	switch len(pieces) {
	case 0:
		values = array.MakeArrayOfNull(mem, child.DataType(), 0)
	case 1:
		values = pieces[0]
		values.Retain()
	default:
		var err error
		if values, err = array.Concatenate(pieces, mem); err != nil {
			return nil, err
		}
	}
	defer values.Release()
	var validity *memory.Buffer
	if arr.NullN() > 0 {
		validity = memory.NewResizableBuffer(mem)
		defer validity.Release()
		validity.Resize(int(bitutil.BytesForBits(int64(n))))
		bits := validity.Bytes()
		for i := 0; i < n; i++ {
			bitutil.SetBitTo(bits, i, arr.IsValid(i))
		}
	}
	data := array.NewData(ft, n, []*memory.Buffer{validity}, []arrow.ArrayData{values.Data()}, arr.NullN(), 0)
	defer data.Release()
	return array.MakeFromData(data), nil
}

// readSchema undoes storageSchema on a schema read from a file: fields
// marked with fixedSizeKey become FixedSizeList again.
func readSchema(sc *arrow.Schema) (*arrow.Schema, []int, error) {
	fields := sc.Fields()
	var sizes []int
	for i, f := range fields {
		idx := f.Metadata.FindKey(fixedSizeKey)
		if idx < 0 {
			continue
		}
		lt, ok := f.Type.(*arrow.ListType)
		k, err := strconv.Atoi(f.Metadata.Values()[idx])
		if !ok || err != nil || k < 0 {
			return nil, nil, fmt.Errorf("column %s: bad %s metadata %q on %s", f.Name, fixedSizeKey, f.Metadata.Values()[idx], f.Type)
		}
		if sizes == nil {
			sizes = make([]int, len(fields))
		}
		sizes[i] = k
		elem := lt.ElemField()
		var keys, vals []string
		for j, key := range f.Metadata.Keys() {
			switch {
			case j == idx:
			case key == fixedElemKey:
				elem.Name = f.Metadata.Values()[j]
			default:
				keys = append(keys, key)
				vals = append(vals, f.Metadata.Values()[j])
			}
		}
		fields[i].Type = arrow.FixedSizeListOfField(int32(k), elem)
		fields[i].Metadata = arrow.NewMetadata(keys, vals)
	}
	if sizes == nil {
		return sc, nil, nil
	}
	md := sc.Metadata()
	return arrow.NewSchema(fields, &md), sizes, nil
}
