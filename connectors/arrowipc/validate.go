package arrowipc

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
)

// validate checks that an array's buffers hold what its length and type
// say, so that a corrupt file gives an error here instead of an index
// panic in whoever reads the batch. It covers the fixed-width, boolean,
// string/binary (and large), list (and large), map, fixed-size-list,
// struct and null layouts; other types (views, unions, dictionaries,
// run-end encoded) are refused.
func validate(d arrow.ArrayData) error {
	n, off := int64(d.Len()), int64(d.Offset())
	if n < 0 || off < 0 {
		return fmt.Errorf("%s array: negative length or offset", d.DataType())
	}
	end := n + off
	bufs := d.Buffers()
	blen := func(i int) int64 {
		if i >= len(bufs) || bufs[i] == nil {
			return 0
		}
		return int64(bufs[i].Len())
	}
	short := func(what string) error {
		return fmt.Errorf("%s array of %d rows: %s buffer too short", d.DataType(), n, what)
	}
	if d.NullN() != 0 && len(bufs) > 0 && bufs[0] != nil && blen(0)*8 < end {
		return short("validity")
	}
	if n == 0 {
		return nil
	}
	switch t := d.DataType().(type) {
	case *arrow.BooleanType:
		if blen(1)*8 < end {
			return short("value")
		}
	case arrow.FixedWidthDataType:
		if w := int64(t.BitWidth()); w%8 == 0 && blen(1) < end*w/8 {
			return short("value")
		}
	case *arrow.StringType, *arrow.BinaryType:
		if blen(1) < (end+1)*4 {
			return short("offset")
		}
		if err := offsets32(bufs[1].Bytes(), off, end, blen(2)); err != nil {
			return fmt.Errorf("%s array: %w", t, err)
		}
	case *arrow.ListType:
		if blen(1) < (end+1)*4 || len(d.Children()) != 1 {
			return short("offset")
		}
		child := d.Children()[0]
		if err := offsets32(bufs[1].Bytes(), off, end, int64(child.Len())); err != nil {
			return fmt.Errorf("%s array: %w", t, err)
		}
		return validate(child)
	case *arrow.FixedSizeListType:
		if len(d.Children()) != 1 || int64(d.Children()[0].Len()) < end*int64(t.Len()) {
			return short("child")
		}
		return validate(d.Children()[0])
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		if blen(1) < (end+1)*8 {
			return short("offset")
		}
		if err := offsets64(bufs[1].Bytes(), off, end, blen(2)); err != nil {
			return fmt.Errorf("%s array: %w", t, err)
		}
	case *arrow.LargeListType:
		if blen(1) < (end+1)*8 || len(d.Children()) != 1 {
			return short("offset")
		}
		child := d.Children()[0]
		if err := offsets64(bufs[1].Bytes(), off, end, int64(child.Len())); err != nil {
			return fmt.Errorf("%s array: %w", t, err)
		}
		return validate(child)
	case *arrow.MapType:
		if blen(1) < (end+1)*4 || len(d.Children()) != 1 {
			return short("offset")
		}
		child := d.Children()[0]
		if err := offsets32(bufs[1].Bytes(), off, end, int64(child.Len())); err != nil {
			return fmt.Errorf("%s array: %w", t, err)
		}
		return validate(child)
	case *arrow.StructType:
		if len(d.Children()) != t.NumFields() {
			return short("child")
		}
		for _, c := range d.Children() {
			if int64(c.Len()) < end {
				return short("child")
			}
			if err := validate(c); err != nil {
				return err
			}
		}
	case *arrow.NullType:
	default:
		return fmt.Errorf("type %s is not supported by the arrow ipc reader", t)
	}
	return nil
}

// offsets64 is offsets32 for int64 offsets.
func offsets64(b []byte, from, to, limit int64) error {
	prev := int64(binary.LittleEndian.Uint64(b[from*8:]))
	if prev < 0 {
		return fmt.Errorf("negative offset %d", prev)
	}
	for i := from + 1; i <= to; i++ {
		o := int64(binary.LittleEndian.Uint64(b[i*8:]))
		if o < prev {
			return fmt.Errorf("offsets decrease at row %d", i-1)
		}
		prev = o
	}
	if prev > limit {
		return fmt.Errorf("offset %d past the end of %d values", prev, limit)
	}
	return nil
}

// offsets32 checks int32 offsets [from, to] rise and stay within limit.
func offsets32(b []byte, from, to, limit int64) error {
	prev := int64(int32(binary.LittleEndian.Uint32(b[from*4:])))
	if prev < 0 {
		return fmt.Errorf("negative offset %d", prev)
	}
	for i := from + 1; i <= to; i++ {
		o := int64(int32(binary.LittleEndian.Uint32(b[i*4:])))
		if o < prev {
			return fmt.Errorf("offsets decrease at row %d", i-1)
		}
		prev = o
	}
	if prev > limit {
		return fmt.Errorf("offset %d past the end of %d values", prev, limit)
	}
	return nil
}

func validateRecord(rec arrow.Record) error {
	for i, c := range rec.Columns() {
		if int64(c.Len()) != rec.NumRows() {
			return fmt.Errorf("column %s has %d rows, batch has %d", rec.Schema().Field(i).Name, c.Len(), rec.NumRows())
		}
		if err := validate(c.Data()); err != nil {
			return fmt.Errorf("column %s: %w", rec.Schema().Field(i).Name, err)
		}
	}
	return nil
}
