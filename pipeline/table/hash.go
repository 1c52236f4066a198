package table

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// FNV-1a 64-bit parameters (Fowler, Noll, Vo; IETF draft-eastlake-fnv).
const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// HashKeys writes into dst (grown as needed and returned) the key hash of
// every row of rec over the columns keyCols, in order.
//
// The hash is 64-bit FNV-1a over the key bytes, so it is stable across runs,
// processes and machines. For each key column in order it hashes one tag
// byte, 0 for null (and nothing else) or 1 for a value, followed by the
// value's bytes: fixed-width numbers, timestamps, dates and durations as
// their little-endian bytes at the type's width, booleans as one byte 0 or
// 1, strings and binaries as their 4-byte little-endian length and then
// their bytes. Floats hash their IEEE 754 bits, so -0.0 and 0.0 are distinct
// keys and a NaN equals a NaN with the same bits.
//
// Supported key types: bool, signed and unsigned integers, float16/32/64,
// date, time, timestamp, duration, string, large_string, binary and
// large_binary.
func HashKeys(dst []uint64, rec arrow.Record, keyCols []int) ([]uint64, error) {
	n := int(rec.NumRows())
	if cap(dst) < n {
		dst = make([]uint64, n)
	}
	dst = dst[:n]
	for i := range dst {
		dst[i] = fnvOffset64
	}
	for _, c := range keyCols {
		if c < 0 || c >= int(rec.NumCols()) {
			return nil, fmt.Errorf("hash keys: key column %d out of range [0, %d)", c, rec.NumCols())
		}
		if err := hashColumn(dst, rec.Column(c).Data()); err != nil {
			return nil, fmt.Errorf("hash keys: column %q: %w", rec.ColumnName(c), err)
		}
	}
	return dst, nil
}

func hashColumn(h []uint64, d arrow.ArrayData) error {
	off := d.Offset()
	var valid []byte
	if d.NullN() > 0 {
		valid = bufBytes(d.Buffers()[0])
	}
	switch t := d.DataType().(type) {
	case *arrow.BooleanType:
		vals := bufBytes(d.Buffers()[1])
		for i := range h {
			x := h[i]
			if valid != nil && !bitutil.BitIsSet(valid, off+i) {
				h[i] = x * fnvPrime64 // tag byte 0
				continue
			}
			x = (x ^ 1) * fnvPrime64
			var b uint64
			if bitutil.BitIsSet(vals, off+i) {
				b = 1
			}
			h[i] = (x ^ b) * fnvPrime64
		}
		return nil
	case *arrow.StringType, *arrow.BinaryType:
		hashVarBinary(h, cast[int32](bufBytes(d.Buffers()[1]))[off:], bufBytes(d.Buffers()[2]), valid, off)
		return nil
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		hashVarBinary(h, cast[int64](bufBytes(d.Buffers()[1]))[off:], bufBytes(d.Buffers()[2]), valid, off)
		return nil
	case *arrow.DictionaryType, *arrow.FixedSizeBinaryType, *arrow.Decimal128Type, *arrow.Decimal256Type, arrow.ExtensionType:
		return fmt.Errorf("unsupported key type %s", t)
	case arrow.FixedWidthDataType:
		vals := bufBytes(d.Buffers()[1])
		switch t.BitWidth() {
		case 8:
			hashFixed(h, vals[off:], valid, off)
		case 16:
			hashFixed(h, cast[uint16](vals)[off:], valid, off)
		case 32:
			hashFixed(h, cast[uint32](vals)[off:], valid, off)
		case 64:
			hashFixed(h, cast[uint64](vals)[off:], valid, off)
		default:
			return fmt.Errorf("unsupported key type %s", t)
		}
		return nil
	}
	return fmt.Errorf("unsupported key type %s", d.DataType())
}

func hashFixed[T uint8 | uint16 | uint32 | uint64](h []uint64, vals []T, valid []byte, off int) {
	var z T
	w := int(unsafe.Sizeof(z))
	for i := range h {
		x := h[i]
		if valid != nil && !bitutil.BitIsSet(valid, off+i) {
			h[i] = x * fnvPrime64
			continue
		}
		x = (x ^ 1) * fnvPrime64
		v := uint64(vals[i])
		for b := 0; b < w; b++ {
			x = (x ^ (v & 0xff)) * fnvPrime64
			v >>= 8
		}
		h[i] = x
	}
}

func hashVarBinary[O int32 | int64](h []uint64, offs []O, data []byte, valid []byte, off int) {
	for i := range h {
		x := h[i]
		if valid != nil && !bitutil.BitIsSet(valid, off+i) {
			h[i] = x * fnvPrime64
			continue
		}
		x = (x ^ 1) * fnvPrime64
		b := data[offs[i]:offs[i+1]]
		l := uint32(len(b))
		for k := 0; k < 4; k++ {
			x = (x ^ uint64(l&0xff)) * fnvPrime64
			l >>= 8
		}
		for _, c := range b {
			x = (x ^ uint64(c)) * fnvPrime64
		}
		h[i] = x
	}
}

// PartitionByHash splits the rows of rec into n records by the hash of the
// key columns (see HashKeys): row i goes to partition HashKeys(i) mod n, so
// equal keys always land in the same partition, in every run. Rows keep
// their relative order. It always returns n records (some possibly empty);
// the caller owns one Release of each.
func PartitionByHash(mem memory.Allocator, rec arrow.Record, keyCols []int, n int) ([]arrow.Record, error) {
	if n < 1 {
		return nil, fmt.Errorf("partition by hash: %d partitions, want at least 1", n)
	}
	if len(keyCols) == 0 {
		return nil, fmt.Errorf("partition by hash: no key columns")
	}
	h, err := HashKeys(nil, rec, keyCols)
	if err != nil {
		return nil, fmt.Errorf("partition by hash: %w", err)
	}
	// Counting sort of row indices by partition.
	start := make([]int, n+1)
	for i, x := range h {
		p := int(x % uint64(n))
		h[i] = uint64(p)
		start[p+1]++
	}
	for p := 1; p <= n; p++ {
		start[p] += start[p-1]
	}
	idx := make([]int, len(h))
	next := make([]int, n)
	copy(next, start[:n])
	for i, p := range h {
		idx[next[p]] = i
		next[p]++
	}
	out := make([]arrow.Record, 0, n)
	for p := 0; p < n; p++ {
		r, err := takeRecord(mem, rec, idx[start[p]:start[p+1]])
		if err != nil {
			for _, o := range out {
				o.Release()
			}
			return nil, fmt.Errorf("partition by hash: %w", err)
		}
		out = append(out, r)
	}
	return out, nil
}
