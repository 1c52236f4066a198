package ipcverify

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// ValidateArray checks that an array's buffers are large enough for its
// length and offset, and that variable-size offsets are in bounds and
// non-decreasing, recursively. It is the check a corrupted IPC body must
// pass before model code indexes into it.
func ValidateArray(a arrow.Array) error { return validateData(a.Data(), 0) }

func validateData(d arrow.ArrayData, depth int) error {
	if depth > 64 {
		return fmt.Errorf("type nested deeper than 64")
	}
	n, off := d.Len(), d.Offset()
	if n < 0 || off < 0 {
		return fmt.Errorf("negative length %d or offset %d", n, off)
	}
	end := off + n
	bufs := d.Buffers()
	need := func(i, bytes int) error {
		if bytes == 0 {
			return nil
		}
		if i >= len(bufs) || bufs[i] == nil || bufs[i].Len() < bytes {
			have := 0
			if i < len(bufs) && bufs[i] != nil {
				have = bufs[i].Len()
			}
			return fmt.Errorf("%s: buffer %d has %d bytes, need %d", d.DataType(), i, have, bytes)
		}
		return nil
	}
	if d.NullN() != 0 && len(bufs) > 0 && bufs[0] != nil {
		if err := need(0, (end+7)/8); err != nil {
			return err
		}
	}
	children := d.Children()
	switch dt := d.DataType().(type) {
	case arrow.FixedWidthDataType:
		bits := dt.BitWidth()
		if bits == 1 {
			return need(1, (end+7)/8)
		}
		return need(1, end*bits/8)
	case *arrow.StringType, *arrow.BinaryType:
		return checkOffsets32(d, bufs, need, -1)
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		if err := need(1, (end+1)*8); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		o := bufs[1].Bytes()
		prev := int64(binary.LittleEndian.Uint64(o[off*8:]))
		for i := off + 1; i <= end; i++ {
			v := int64(binary.LittleEndian.Uint64(o[i*8:]))
			if v < prev {
				return fmt.Errorf("%s: offsets decrease at %d", dt, i)
			}
			prev = v
		}
		first := int64(binary.LittleEndian.Uint64(o[off*8:]))
		if first < 0 {
			return fmt.Errorf("%s: negative offset", dt)
		}
		return need(2, int(prev))
	case *arrow.ListType, *arrow.MapType:
		if len(children) != 1 {
			return fmt.Errorf("%s: %d children, want 1", dt, len(children))
		}
		if err := checkOffsets32(d, bufs, need, children[0].Len()); err != nil {
			return err
		}
		return validateData(children[0], depth+1)
	case *arrow.FixedSizeListType:
		if len(children) != 1 {
			return fmt.Errorf("%s: %d children, want 1", dt, len(children))
		}
		if children[0].Len() < end*int(dt.Len()) {
			return fmt.Errorf("%s: child has %d values, need %d", dt, children[0].Len(), end*int(dt.Len()))
		}
		return validateData(children[0], depth+1)
	case *arrow.StructType:
		if len(children) != dt.NumFields() {
			return fmt.Errorf("%s: %d children, want %d", dt, len(children), dt.NumFields())
		}
		for _, c := range children {
			if c.Len() < end {
				return fmt.Errorf("%s: child has %d values, need %d", dt, c.Len(), end)
			}
			if err := validateData(c, depth+1); err != nil {
				return err
			}
		}
		return nil
	case *arrow.NullType:
		return nil
	}
	return fmt.Errorf("model data of type %s is not supported", d.DataType())
}

// checkOffsets32 checks an int32 offsets buffer (buffer 1). With
// childLen < 0 the values are the bytes of buffer 2; otherwise they are a
// child array of that length.
func checkOffsets32(d arrow.ArrayData, bufs []*memory.Buffer, need func(int, int) error, childLen int) error {
	n, off := d.Len(), d.Offset()
	end := off + n
	if n == 0 {
		return nil
	}
	if err := need(1, (end+1)*4); err != nil {
		return err
	}
	o := bufs[1].Bytes()
	first := int32(binary.LittleEndian.Uint32(o[off*4:]))
	if first < 0 {
		return fmt.Errorf("%s: negative offset", d.DataType())
	}
	prev := first
	for i := off + 1; i <= end; i++ {
		v := int32(binary.LittleEndian.Uint32(o[i*4:]))
		if v < prev {
			return fmt.Errorf("%s: offsets decrease at %d", d.DataType(), i)
		}
		prev = v
	}
	if childLen < 0 {
		return need(2, int(prev))
	}
	if int(prev) > childLen {
		return fmt.Errorf("%s: offset %d past the %d child values", d.DataType(), prev, childLen)
	}
	return nil
}
