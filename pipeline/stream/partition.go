package stream

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/table"
)

// Hash partitioning. A row's key hash is deterministic across processes
// (FNV-1a for bytes, the splitmix64 finaliser for fixed-width values), so a
// key maps to the same key group after a restart. Key group g of K goes to
// subtask g*n/K, as in Flink's KeyGroupRangeAssignment, so that a later
// increment can redistribute keyed state by key group when parallelism
// changes.

const (
	hashSeed = 0x9E3779B97F4A7C15
	nullHash = 0x6A09E667F3BCC909
)

// mix64 is the splitmix64 finaliser (Steele, Lea, Flood: "Fast splittable
// pseudorandom number generators", OOPSLA 2014).
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

// keyCol reads one key column of one batch.
type keyCol interface {
	// hash folds the column's per-row hashes into h (len h = rows).
	hash(h []uint64)
	// encode appends an exact, self-delimiting encoding of row's value.
	encode(buf []byte, row int) []byte
	// appendTo appends row's value to b, a builder of the column's type.
	appendTo(b array.Builder, row int)
}

type intArr[T any] interface {
	arrow.Array
	Value(int) T
}

type intKey[T ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64] struct{ a intArr[T] }

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
		return append(buf, 0)
	}
	return binary.LittleEndian.AppendUint64(append(buf, 1), uint64(k.a.Value(row)))
}

func (k intKey[T]) appendTo(b array.Builder, row int) {
	if k.a.IsNull(row) {
		b.AppendNull()
		return
	}
	b.(interface{ Append(T) }).Append(k.a.Value(row))
}

type floatKey[T float32 | float64] struct{ a intArr[T] }

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
		return append(buf, 0)
	}
	return binary.LittleEndian.AppendUint64(append(buf, 1), floatBits(float64(k.a.Value(row))))
}

func (k floatKey[T]) appendTo(b array.Builder, row int) {
	if k.a.IsNull(row) {
		b.AppendNull()
		return
	}
	b.(interface{ Append(T) }).Append(k.a.Value(row))
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
		return append(buf, 0)
	}
	v := k.val(row)
	buf = binary.AppendUvarint(append(buf, 1), uint64(len(v)))
	return append(buf, v...)
}

func (k strKey[T]) appendTo(b array.Builder, row int) {
	if k.a.IsNull(row) {
		b.AppendNull()
		return
	}
	switch bb := b.(type) {
	case *array.StringBuilder:
		bb.Append(string(k.val(row)))
	case *array.LargeStringBuilder:
		bb.Append(string(k.val(row)))
	case *array.BinaryBuilder:
		bb.Append([]byte(k.val(row)))
	}
}

type boolKey struct{ a *array.Boolean }

func (k boolKey) hash(h []uint64) {
	for i := range h {
		v := uint64(nullHash)
		if k.a.IsValid(i) {
			v = 2
			if k.a.Value(i) {
				v = 3
			}
		}
		h[i] = mix64(h[i] ^ v)
	}
}

func (k boolKey) encode(buf []byte, row int) []byte {
	switch {
	case k.a.IsNull(row):
		return append(buf, 0)
	case k.a.Value(row):
		return append(buf, 2)
	}
	return append(buf, 1)
}

func (k boolKey) appendTo(b array.Builder, row int) {
	if k.a.IsNull(row) {
		b.AppendNull()
		return
	}
	b.(*array.BooleanBuilder).Append(k.a.Value(row))
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

// keySelector resolves key column names against a batch's schema, caching
// the indices for the last schema seen.
type keySelector struct {
	names  []string
	schema *arrow.Schema
	idx    []int
}

func (k *keySelector) resolve(s *arrow.Schema) ([]int, error) {
	if k.schema != nil && (k.schema == s || k.schema.Equal(s)) {
		return k.idx, nil
	}
	idx, err := table.FieldIndices(s, k.names...)
	if err != nil {
		return nil, fmt.Errorf("key by: %w", err)
	}
	k.schema, k.idx = s, idx
	return idx, nil
}

// columns returns the key columns of rec.
func (k *keySelector) columns(rec arrow.Record) ([]keyCol, error) {
	idx, err := k.resolve(rec.Schema())
	if err != nil {
		return nil, err
	}
	cols := make([]keyCol, len(idx))
	for i, c := range idx {
		if cols[i], err = newKeyCol(k.names[i], rec.Column(c)); err != nil {
			return nil, err
		}
	}
	return cols, nil
}

// hashPartitioner splits batches by key for one upstream subtask. Its
// buffers are reused from batch to batch.
type hashPartitioner struct {
	keys    keySelector
	n       int
	groups  int
	hashes  []uint64
	part    []int32
	counts  []int
	indices [][]int
}

func newHashPartitioner(keys []string, n, maxKeyGroups int) *hashPartitioner {
	return &hashPartitioner{keys: keySelector{names: keys}, n: n, groups: maxKeyGroups,
		counts: make([]int, n), indices: make([][]int, n)}
}

// subtaskOf maps a key hash to a subtask through its key group.
func subtaskOf(h uint64, groups, n int) int {
	g := int(h % uint64(groups))
	return g * n / groups
}

// split returns, for each subtask, the rows of rec whose key maps to it (nil
// when none). The caller owns one Release of each non-nil result; rec is
// borrowed. A batch whose rows all map to one subtask is passed through
// without a copy.
//
// It uses table.Take per partition; when pipeline/table grows a
// PartitionByHash kernel this can switch to it (keeping this hash, which
// defines key groups).
func (p *hashPartitioner) split(mem memory.Allocator, rec arrow.Record) ([]arrow.Record, error) {
	cols, err := p.keys.columns(rec)
	if err != nil {
		return nil, err
	}
	rows := int(rec.NumRows())
	p.hashes = growU64(p.hashes, rows)
	for i := range p.hashes {
		p.hashes[i] = hashSeed
	}
	for _, c := range cols {
		c.hash(p.hashes)
	}
	if cap(p.part) < rows {
		p.part = make([]int32, rows)
	}
	p.part = p.part[:rows]
	clear(p.counts)
	for i, h := range p.hashes {
		s := subtaskOf(h, p.groups, p.n)
		p.part[i] = int32(s)
		p.counts[s]++
	}
	out := make([]arrow.Record, p.n)
	for s, c := range p.counts {
		if c == rows {
			rec.Retain()
			out[s] = rec
			return out, nil
		}
		p.indices[s] = p.indices[s][:0]
	}
	for i, s := range p.part {
		p.indices[s] = append(p.indices[s], i)
	}
	for s, idx := range p.indices {
		if len(idx) == 0 {
			continue
		}
		if out[s], err = table.Take(mem, rec, idx); err != nil {
			releaseAll(out)
			return nil, fmt.Errorf("hash partition: %w", err)
		}
	}
	return out, nil
}

func growU64(b []uint64, n int) []uint64 {
	if cap(b) < n {
		return make([]uint64, n)
	}
	return b[:n]
}

func releaseAll(recs []arrow.Record) {
	for i, r := range recs {
		if r != nil {
			r.Release()
			recs[i] = nil
		}
	}
}
