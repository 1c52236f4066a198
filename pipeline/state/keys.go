package state

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/eddyml/eddy/pipeline/table"
)

// Keys. A key is the values of one row's key columns encoded into bytes by
// a KeyCodec: exact (equal keys give equal bytes), self-delimiting and
// self-describing, so that HashKey computes, from the bytes alone, the same
// hash the engine computes column by column to partition a batch. Each
// component is a tag byte and a payload:
//
//	0 null
//	1 fixed 8 bytes, little endian: integer types (as uint64), float types
//	  (IEEE bits, with -0 = +0 and one NaN), timestamps, dates, durations
//	2 false, 3 true
//	4 uvarint length then bytes: string, large string, binary
//
// The hash is deterministic across processes: per component
// h = mix64(h ^ v) starting from a fixed seed, where v is the fixed value,
// 2 or 3 for booleans, FNV-1a of the bytes for strings and a constant for
// null; mix64 is the splitmix64 finaliser (Steele, Lea, Flood: "Fast
// splittable pseudorandom number generators", OOPSLA 2014).

const (
	hashSeed = 0x9E3779B97F4A7C15
	nullHash = 0x6A09E667F3BCC909

	tagNull  = 0
	tagFixed = 1
	tagFalse = 2
	tagTrue  = 3
	tagBytes = 4
)

func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xBF58476D1CE4E5B9
	x ^= x >> 27
	x *= 0x94D049BB133111EB
	x ^= x >> 31
	return x
}

func fnv1a[T string | []byte](b T) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(b); i++ {
		h ^= uint64(b[i])
		h *= 1099511628211
	}
	return h
}

// KeyGroup maps a key hash to its key group in [0, maxKeyGroups).
func KeyGroup(hash uint64, maxKeyGroups int) int {
	return int(hash % uint64(maxKeyGroups))
}

// SubtaskOf returns the subtask that owns key group g when a keyed operator
// runs with parallelism subtasks: g*parallelism/maxKeyGroups, as Flink's
// KeyGroupRangeAssignment, so every subtask owns a contiguous range.
func SubtaskOf(g, maxKeyGroups, parallelism int) int {
	return g * parallelism / maxKeyGroups
}

// KeyGroupRange returns the key groups [lo, hi) owned by subtask of
// parallelism.
func KeyGroupRange(maxKeyGroups, parallelism, subtask int) (lo, hi int) {
	ceil := func(a, b int) int { return (a + b - 1) / b }
	return ceil(subtask*maxKeyGroups, parallelism), ceil((subtask+1)*maxKeyGroups, parallelism)
}

// HashKey returns the hash of an encoded key, equal to the hash the
// KeyCodec computed for the row it was encoded from.
func HashKey(key []byte) (uint64, error) {
	h := uint64(hashSeed)
	for len(key) > 0 {
		var v uint64
		switch key[0] {
		case tagNull:
			v, key = nullHash, key[1:]
		case tagFixed:
			if len(key) < 9 {
				return 0, errors.New("key: truncated fixed-width component")
			}
			v, key = binary.LittleEndian.Uint64(key[1:9]), key[9:]
		case tagFalse, tagTrue:
			v, key = uint64(key[0]), key[1:]
		case tagBytes:
			n, k := binary.Uvarint(key[1:])
			if k <= 0 || uint64(len(key)-1-k) < n {
				return 0, errors.New("key: truncated string component")
			}
			b := key[1+k : 1+k+int(n)]
			v, key = fnv1a(b), key[1+k+int(n):]
		default:
			return 0, fmt.Errorf("key: unknown component tag %d", key[0])
		}
		h = mix64(h ^ v)
	}
	return h, nil
}

// keyCol reads one key column of one batch.
type keyCol interface {
	// hash folds the column's per-row hashes into h (len h = rows).
	hash(h []uint64)
	// encode appends the encoding of row's value.
	encode(buf []byte, row int) []byte
}

type valArr[T any] interface {
	arrow.Array
	Value(int) T
}

type intKey[T ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64] struct{ a valArr[T] }

func (k intKey[T]) hash(h []uint64) {
	nulls := k.a.NullN() > 0
	for i := range h {
		v := uint64(nullHash)
		if !nulls || k.a.IsValid(i) {
			v = uint64(k.a.Value(i))
		}
		h[i] = mix64(h[i] ^ v)
	}
}

func (k intKey[T]) encode(buf []byte, row int) []byte {
	if k.a.IsNull(row) {
		return append(buf, tagNull)
	}
	return binary.LittleEndian.AppendUint64(append(buf, tagFixed), uint64(k.a.Value(row)))
}

type floatKey[T float32 | float64] struct{ a valArr[T] }

func floatBits(v float64) uint64 {
	if v == 0 {
		return 0 // -0 == +0
	}
	if v != v {
		return 0x7FF8000000000001 // every NaN is one key
	}
	return math.Float64bits(v)
}

func (k floatKey[T]) hash(h []uint64) {
	for i := range h {
		v := uint64(nullHash)
		if k.a.IsValid(i) {
			v = floatBits(float64(k.a.Value(i)))
		}
		h[i] = mix64(h[i] ^ v)
	}
}

func (k floatKey[T]) encode(buf []byte, row int) []byte {
	if k.a.IsNull(row) {
		return append(buf, tagNull)
	}
	return binary.LittleEndian.AppendUint64(append(buf, tagFixed), floatBits(float64(k.a.Value(row))))
}

type strKey[T string | []byte] struct {
	a   arrow.Array
	val func(int) T
}

func (k strKey[T]) hash(h []uint64) {
	for i := range h {
		v := uint64(nullHash)
		if k.a.IsValid(i) {
			v = fnv1a(k.val(i))
		}
		h[i] = mix64(h[i] ^ v)
	}
}

func (k strKey[T]) encode(buf []byte, row int) []byte {
	if k.a.IsNull(row) {
		return append(buf, tagNull)
	}
	v := k.val(row)
	buf = binary.AppendUvarint(append(buf, tagBytes), uint64(len(v)))
	return append(buf, v...)
}

type boolKey struct{ a *array.Boolean }

func (k boolKey) hash(h []uint64) {
	for i := range h {
		v := uint64(nullHash)
		if k.a.IsValid(i) {
			v = tagFalse
			if k.a.Value(i) {
				v = tagTrue
			}
		}
		h[i] = mix64(h[i] ^ v)
	}
}

func (k boolKey) encode(buf []byte, row int) []byte {
	switch {
	case k.a.IsNull(row):
		return append(buf, tagNull)
	case k.a.Value(row):
		return append(buf, tagTrue)
	}
	return append(buf, tagFalse)
}

// newKeyCol wraps a key column; name is for errors.
func newKeyCol(name string, arr arrow.Array) (keyCol, error) {
	switch a := arr.(type) {
	case *array.Int8:
		return intKey[int8]{a}, nil
	case *array.Int16:
		return intKey[int16]{a}, nil
	case *array.Int32:
		return intKey[int32]{a}, nil
	case *array.Int64:
		return intKey[int64]{a}, nil
	case *array.Uint8:
		return intKey[uint8]{a}, nil
	case *array.Uint16:
		return intKey[uint16]{a}, nil
	case *array.Uint32:
		return intKey[uint32]{a}, nil
	case *array.Uint64:
		return intKey[uint64]{a}, nil
	case *array.Timestamp:
		return intKey[arrow.Timestamp]{a}, nil
	case *array.Date32:
		return intKey[arrow.Date32]{a}, nil
	case *array.Date64:
		return intKey[arrow.Date64]{a}, nil
	case *array.Duration:
		return intKey[arrow.Duration]{a}, nil
	case *array.Float32:
		return floatKey[float32]{a}, nil
	case *array.Float64:
		return floatKey[float64]{a}, nil
	case *array.Boolean:
		return boolKey{a}, nil
	case *array.String:
		return strKey[string]{a: a, val: a.Value}, nil
	case *array.LargeString:
		return strKey[string]{a: a, val: a.Value}, nil
	case *array.Binary:
		return strKey[[]byte]{a: a, val: a.Value}, nil
	}
	return nil, fmt.Errorf("key column %q: type %s is not supported as a key", name, arr.DataType())
}

// KeyCodec reads the key columns of batches: per-row hashes (which define
// key groups), per-row byte keys, and the key fields for output. Bind it to
// a batch, then call Hash and Append. It caches column indices for the last
// schema seen and is used by one goroutine.
type KeyCodec struct {
	names  []string
	schema *arrow.Schema
	idx    []int
	fields []arrow.Field
	cols   []keyCol
	rows   int
	unique bool
}

// NewKeyCodec returns a codec for the named key columns.
func NewKeyCodec(names ...string) *KeyCodec {
	return &KeyCodec{names: append([]string(nil), names...)}
}

// Names returns the key column names.
func (k *KeyCodec) Names() []string { return append([]string(nil), k.names...) }

// Bind makes rec the batch that Hash and Append read. rec is borrowed:
// it must stay valid until the next Bind.
func (k *KeyCodec) Bind(rec arrow.Record) error {
	if len(k.names) == 0 {
		return errors.New("key by: no key columns")
	}
	s := rec.Schema()
	if k.schema == nil || (k.schema != s && !k.schema.Equal(s)) {
		idx, err := table.FieldIndices(s, k.names...)
		if err != nil {
			return fmt.Errorf("key by: %w", err)
		}
		fields := make([]arrow.Field, len(idx))
		for i, c := range idx {
			fields[i] = s.Field(c)
			fields[i].Nullable = true
			fields[i].Metadata = arrow.Metadata{}
		}
		if k.fields != nil {
			for i, f := range fields {
				if !arrow.TypeEqual(f.Type, k.fields[i].Type) {
					return fmt.Errorf("key column %q changed type from %s to %s", k.names[i], k.fields[i].Type, f.Type)
				}
			}
		}
		k.schema, k.idx, k.fields = s, idx, fields
	}
	if cap(k.cols) < len(k.idx) {
		k.cols = make([]keyCol, len(k.idx))
	}
	k.cols = k.cols[:len(k.idx)]
	for i, c := range k.idx {
		kc, err := newKeyCol(k.names[i], rec.Column(c))
		if err != nil {
			return err
		}
		k.cols[i] = kc
	}
	k.rows = int(rec.NumRows())
	k.unique = false
	if len(k.idx) == 1 {
		arr := rec.Column(k.idx[0])
		switch k.cols[0].(type) {
		case intKey[int8], intKey[int16], intKey[int32], intKey[int64],
			intKey[uint8], intKey[uint16], intKey[uint32], intKey[uint64],
			intKey[arrow.Timestamp], intKey[arrow.Date32], intKey[arrow.Date64], intKey[arrow.Duration],
			floatKey[float32], floatKey[float64]:
			k.unique = arr.NullN() == 0
		}
	}
	return nil
}

// HashDeterminesKey reports whether, in the bound batch, a row's hash
// determines its key among fixed-width keys: the key is one integer,
// float, timestamp, date or duration column without nulls, so the hash is
// a bijection of the value. Two such rows, or such a row and any stored
// key of FixedKeyLen bytes, have equal keys exactly when their hashes are
// equal, which lets hash-indexed state skip comparing key bytes.
func (k *KeyCodec) HashDeterminesKey() bool { return k.unique }

// FixedKeyLen is the length of an encoded key made of one non-null
// fixed-width component (see HashDeterminesKey).
const FixedKeyLen = 9

// Hash returns the key hash of every row of the bound batch, in dst grown
// as needed.
func (k *KeyCodec) Hash(dst []uint64) []uint64 {
	if cap(dst) < k.rows {
		dst = make([]uint64, k.rows)
	}
	dst = dst[:k.rows]
	for i := range dst {
		dst[i] = hashSeed
	}
	for _, c := range k.cols {
		c.hash(dst)
	}
	return dst
}

// Append appends the key of row of the bound batch to dst.
func (k *KeyCodec) Append(dst []byte, row int) []byte {
	for _, c := range k.cols {
		dst = c.encode(dst, row)
	}
	return dst
}

// Fields returns the key fields (nullable, in key order) of the last bound
// batch, nil before the first Bind.
func (k *KeyCodec) Fields() []arrow.Field { return k.fields }

// SetFields sets the key fields before any batch was bound, for instance
// from a restored snapshot.
func (k *KeyCodec) SetFields(fields []arrow.Field) {
	if k.fields == nil {
		k.fields = fields
	}
}

// DecodeKey appends the components of key to builders, one builder per key
// column, each of the column's type (from KeyCodec.Fields).
func DecodeKey(key []byte, builders []array.Builder) error {
	for i, b := range builders {
		if len(key) == 0 {
			return fmt.Errorf("key: %d components for %d columns", i, len(builders))
		}
		tag := key[0]
		key = key[1:]
		switch tag {
		case tagNull:
			b.AppendNull()
		case tagFalse, tagTrue:
			bb, ok := b.(*array.BooleanBuilder)
			if !ok {
				return fmt.Errorf("key component %d: boolean into %s builder", i, b.Type())
			}
			bb.Append(tag == tagTrue)
		case tagFixed:
			if len(key) < 8 {
				return errors.New("key: truncated fixed-width component")
			}
			if err := appendFixed(b, binary.LittleEndian.Uint64(key[:8])); err != nil {
				return fmt.Errorf("key component %d: %w", i, err)
			}
			key = key[8:]
		case tagBytes:
			n, k := binary.Uvarint(key)
			if k <= 0 || uint64(len(key)-k) < n {
				return errors.New("key: truncated string component")
			}
			v := key[k : k+int(n)]
			key = key[k+int(n):]
			switch bb := b.(type) {
			case *array.StringBuilder:
				bb.Append(string(v))
			case *array.LargeStringBuilder:
				bb.Append(string(v))
			case *array.BinaryBuilder:
				bb.Append(v)
			default:
				return fmt.Errorf("key component %d: string into %s builder", i, b.Type())
			}
		default:
			return fmt.Errorf("key: unknown component tag %d", tag)
		}
	}
	if len(key) != 0 {
		return fmt.Errorf("key: %d trailing bytes after %d columns", len(key), len(builders))
	}
	return nil
}

func appendFixed(b array.Builder, v uint64) error {
	switch bb := b.(type) {
	case *array.Int8Builder:
		bb.Append(int8(v))
	case *array.Int16Builder:
		bb.Append(int16(v))
	case *array.Int32Builder:
		bb.Append(int32(v))
	case *array.Int64Builder:
		bb.Append(int64(v))
	case *array.Uint8Builder:
		bb.Append(uint8(v))
	case *array.Uint16Builder:
		bb.Append(uint16(v))
	case *array.Uint32Builder:
		bb.Append(uint32(v))
	case *array.Uint64Builder:
		bb.Append(v)
	case *array.TimestampBuilder:
		bb.Append(arrow.Timestamp(int64(v)))
	case *array.Date32Builder:
		bb.Append(arrow.Date32(int32(v)))
	case *array.Date64Builder:
		bb.Append(arrow.Date64(int64(v)))
	case *array.DurationBuilder:
		bb.Append(arrow.Duration(int64(v)))
	case *array.Float32Builder:
		bb.Append(float32(math.Float64frombits(v)))
	case *array.Float64Builder:
		bb.Append(math.Float64frombits(v))
	default:
		return fmt.Errorf("fixed-width value into %s builder", b.Type())
	}
	return nil
}
