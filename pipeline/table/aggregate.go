package table

import (
	"bytes"
	"fmt"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// AggOp is an aggregation function.
type AggOp int

// The aggregation functions. All of them skip nulls.
const (
	// Count counts the non-null values of the column, or the rows of the
	// group when the column is -1. Result: int64.
	Count AggOp = iota
	// Sum adds the values: int64 for integer columns (wrapping on
	// overflow), float64 for float columns; 0 for a group without values.
	Sum
	// Mean is the arithmetic mean as float64; null for a group without
	// values.
	Mean
	// Min is the smallest value, in the column's type (timestamps stay
	// timestamps); null for a group without values. NaN values are skipped.
	Min
	// Max is the largest value, as Min.
	Max
	// Variance is the sample variance (divided by n-1) as float64, by
	// Welford's online algorithm (B. P. Welford, "Note on a method for
	// calculating corrected sums of squares and products", Technometrics
	// 4(3), 1962); null for a group with fewer than two values.
	Variance
)

var aggNames = [...]string{"count", "sum", "mean", "min", "max", "variance"}

// String returns the lowercase name of the function.
func (op AggOp) String() string {
	if op < 0 || int(op) >= len(aggNames) {
		return fmt.Sprintf("aggop(%d)", int(op))
	}
	return aggNames[op]
}

// Aggregation is one aggregate column: Op over column Col (an index into
// the record; -1 with Count counts rows), named Name in the result (default
// "<op>_<column>", or "count" for a row count).
type Aggregation struct {
	Op   AggOp
	Col  int
	Name string
}

// GroupIDs assigns every row of rec a group id by the values of the key
// columns: rows with equal keys (nulls equal nulls, floats compared by their
// bits) share an id, and ids are numbered in order of first appearance.
// first[g] is the first row of group g. With no key columns every row is in
// group 0. Keys are hashed with HashKeys and compared on collision, so any
// HashKeys key type works.
func GroupIDs(rec arrow.Record, keyCols []int) (ids []int32, first []int, err error) {
	n := int(rec.NumRows())
	ids = make([]int32, n)
	if len(keyCols) == 0 {
		if n > 0 {
			first = []int{0}
		}
		return ids, first, nil
	}
	h, err := HashKeys(nil, rec, keyCols)
	if err != nil {
		return nil, nil, fmt.Errorf("group by: %w", err)
	}
	eqs := make([]func(i, j int) bool, len(keyCols))
	for k, c := range keyCols {
		eqs[k] = equalFunc(rec.Column(c).Data())
	}
	head := make(map[uint64]int32)
	var next []int32 // next group with the same hash, or -1
	for i, x := range h {
		g, ok := head[x]
		for ok && g >= 0 {
			r := first[g]
			same := true
			for _, eq := range eqs {
				if !eq(r, i) {
					same = false
					break
				}
			}
			if same {
				break
			}
			g = next[g]
		}
		if !ok || g < 0 {
			g = int32(len(first))
			first = append(first, i)
			if ok {
				next = append(next, head[x])
			} else {
				next = append(next, -1)
			}
			head[x] = g
		}
		ids[i] = g
	}
	return ids, first, nil
}

// equalFunc returns a comparison of two rows of d; it handles the types
// HashKeys accepts.
func equalFunc(d arrow.ArrayData) func(i, j int) bool {
	off := d.Offset()
	var valid []byte
	if d.NullN() > 0 {
		valid = bufBytes(d.Buffers()[0])
	}
	nullEq := func(i, j int) (decided, eq bool) {
		if valid == nil {
			return false, false
		}
		vi, vj := bitutil.BitIsSet(valid, off+i), bitutil.BitIsSet(valid, off+j)
		if vi && vj {
			return false, false
		}
		return true, vi == vj
	}
	switch t := d.DataType().(type) {
	case *arrow.BooleanType:
		vals := bufBytes(d.Buffers()[1])
		return func(i, j int) bool {
			if dec, eq := nullEq(i, j); dec {
				return eq
			}
			return bitutil.BitIsSet(vals, off+i) == bitutil.BitIsSet(vals, off+j)
		}
	case *arrow.StringType, *arrow.BinaryType:
		return varEqual(cast[int32](bufBytes(d.Buffers()[1]))[off:], bufBytes(d.Buffers()[2]), nullEq)
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		return varEqual(cast[int64](bufBytes(d.Buffers()[1]))[off:], bufBytes(d.Buffers()[2]), nullEq)
	case arrow.FixedWidthDataType:
		vals := bufBytes(d.Buffers()[1])
		switch t.BitWidth() {
		case 8:
			return fixedEqual(vals[off:], nullEq)
		case 16:
			return fixedEqual(cast[uint16](vals)[off:], nullEq)
		case 32:
			return fixedEqual(cast[uint32](vals)[off:], nullEq)
		}
		return fixedEqual(cast[uint64](vals)[off:], nullEq)
	}
	return func(i, j int) bool { return false }
}

func fixedEqual[T comparable](vals []T, nullEq func(i, j int) (bool, bool)) func(i, j int) bool {
	return func(i, j int) bool {
		if dec, eq := nullEq(i, j); dec {
			return eq
		}
		return vals[i] == vals[j]
	}
}

func varEqual[O int32 | int64](offs []O, data []byte, nullEq func(i, j int) (bool, bool)) func(i, j int) bool {
	return func(i, j int) bool {
		if dec, eq := nullEq(i, j); dec {
			return eq
		}
		return bytes.Equal(data[offs[i]:offs[i+1]], data[offs[j]:offs[j+1]])
	}
}

// Aggregate groups the rows of rec by the key columns and computes aggs per
// group, like SQL's SELECT keys, aggs... GROUP BY keys. The result has one
// row per group, in order of first appearance, with the key columns first
// (their fields unchanged) and then one column per aggregation. With no key
// columns it has exactly one row over all of rec. Count works on any
// column; the other functions on integer and float columns, and Min and
// Max also on dates, times, timestamps and durations. Aggregate a Table by
// Combine-ing it first. The caller owns one Release of the result.
func Aggregate(mem memory.Allocator, rec arrow.Record, keyCols []int, aggs ...Aggregation) (arrow.Record, error) {
	ids, first, err := GroupIDs(rec, keyCols)
	if err != nil {
		return nil, fmt.Errorf("aggregate: %w", err)
	}
	ng := len(first)
	if len(keyCols) == 0 {
		ng = 1
	}
	fields := make([]arrow.Field, 0, len(keyCols)+len(aggs))
	cols := make([]arrow.Array, 0, len(keyCols)+len(aggs))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for _, c := range keyCols {
		a, err := TakeArray(mem, rec.Column(c), first)
		if err != nil {
			return nil, fmt.Errorf("aggregate: key %q: %w", rec.ColumnName(c), err)
		}
		cols = append(cols, a)
		fields = append(fields, rec.Schema().Field(c))
	}
	for k, ag := range aggs {
		name := ag.Name
		if ag.Col == -1 && ag.Op == Count {
			if name == "" {
				name = "count"
			}
			cnt := make([]int64, ng)
			for _, g := range ids {
				cnt[g]++
			}
			cols = append(cols, makeArray(mem, arrow.PrimitiveTypes.Int64, cnt, nil))
			fields = append(fields, arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64})
			continue
		}
		if ag.Col < 0 || ag.Col >= int(rec.NumCols()) {
			return nil, fmt.Errorf("aggregate: aggregation %d (%s): column %d out of range [0, %d)", k, ag.Op, ag.Col, rec.NumCols())
		}
		if name == "" {
			name = ag.Op.String() + "_" + rec.ColumnName(ag.Col)
		}
		a, err := aggregateColumn(mem, ag.Op, rec.Column(ag.Col).Data(), ids, ng)
		if err != nil {
			return nil, fmt.Errorf("aggregate: %s of column %q: %w", ag.Op, rec.ColumnName(ag.Col), err)
		}
		cols = append(cols, a)
		fields = append(fields, arrow.Field{Name: name, Type: a.DataType(), Nullable: true})
	}
	return array.NewRecord(arrow.NewSchema(fields, nil), cols, int64(ng)), nil
}

func aggregateColumn(mem memory.Allocator, op AggOp, d arrow.ArrayData, ids []int32, ng int) (arrow.Array, error) {
	if op < Count || op > Variance {
		return nil, fmt.Errorf("unknown aggregation %d", int(op))
	}
	off := d.Offset()
	var valid []byte
	if d.NullN() > 0 {
		valid = bufBytes(d.Buffers()[0])
	}
	if op == Count {
		cnt := make([]int64, ng)
		for i, g := range ids {
			if valid == nil || bitutil.BitIsSet(valid, off+i) {
				cnt[g]++
			}
		}
		return makeArray(mem, arrow.PrimitiveTypes.Int64, cnt, nil), nil
	}
	dt := d.DataType()
	vals := bufBytes(d.Buffers()[1])
	switch dt.ID() {
	case arrow.INT8:
		return aggNumbers(mem, op, dt, cast[int8](vals)[off:], valid, off, ids, ng), nil
	case arrow.INT16:
		return aggNumbers(mem, op, dt, cast[int16](vals)[off:], valid, off, ids, ng), nil
	case arrow.INT32:
		return aggNumbers(mem, op, dt, cast[int32](vals)[off:], valid, off, ids, ng), nil
	case arrow.INT64:
		return aggNumbers(mem, op, dt, cast[int64](vals)[off:], valid, off, ids, ng), nil
	case arrow.UINT8:
		return aggNumbers(mem, op, dt, cast[uint8](vals)[off:], valid, off, ids, ng), nil
	case arrow.UINT16:
		return aggNumbers(mem, op, dt, cast[uint16](vals)[off:], valid, off, ids, ng), nil
	case arrow.UINT32:
		return aggNumbers(mem, op, dt, cast[uint32](vals)[off:], valid, off, ids, ng), nil
	case arrow.UINT64:
		return aggNumbers(mem, op, dt, cast[uint64](vals)[off:], valid, off, ids, ng), nil
	case arrow.FLOAT32:
		return aggNumbers(mem, op, dt, cast[float32](vals)[off:], valid, off, ids, ng), nil
	case arrow.FLOAT64:
		return aggNumbers(mem, op, dt, cast[float64](vals)[off:], valid, off, ids, ng), nil
	case arrow.DATE32, arrow.TIME32:
		if op == Min || op == Max {
			return aggNumbers(mem, op, dt, cast[int32](vals)[off:], valid, off, ids, ng), nil
		}
	case arrow.DATE64, arrow.TIME64, arrow.TIMESTAMP, arrow.DURATION:
		if op == Min || op == Max {
			return aggNumbers(mem, op, dt, cast[int64](vals)[off:], valid, off, ids, ng), nil
		}
	}
	return nil, fmt.Errorf("unsupported column type %s", dt)
}

type number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~float32 | ~float64
}

func isFloat[T number]() bool {
	var z T
	switch any(z).(type) {
	case float32, float64:
		return true
	}
	return false
}

// aggNumbers computes op per group over vals; one pass, nothing allocated
// per row.
func aggNumbers[T number](mem memory.Allocator, op AggOp, dt arrow.DataType, vals []T, valid []byte, off int, ids []int32, ng int) arrow.Array {
	present := func(i int) bool { return valid == nil || bitutil.BitIsSet(valid, off+i) }
	cnt := make([]int64, ng)
	switch op {
	case Sum:
		if !isFloat[T]() {
			sum := make([]int64, ng)
			for i, g := range ids {
				if present(i) {
					sum[g] += int64(vals[i])
				}
			}
			return makeArray(mem, arrow.PrimitiveTypes.Int64, sum, nil)
		}
		sum := make([]float64, ng)
		for i, g := range ids {
			if present(i) {
				sum[g] += float64(vals[i])
			}
		}
		return makeArray(mem, arrow.PrimitiveTypes.Float64, sum, nil)
	case Mean:
		sum := make([]float64, ng)
		for i, g := range ids {
			if present(i) {
				sum[g] += float64(vals[i])
				cnt[g]++
			}
		}
		ok := make([]bool, ng)
		for g := range sum {
			if cnt[g] > 0 {
				sum[g] /= float64(cnt[g])
				ok[g] = true
			}
		}
		return makeArray(mem, arrow.PrimitiveTypes.Float64, sum, ok)
	case Variance:
		mean := make([]float64, ng)
		m2 := make([]float64, ng)
		for i, g := range ids {
			if present(i) {
				x := float64(vals[i])
				cnt[g]++
				delta := x - mean[g]
				mean[g] += delta / float64(cnt[g])
				m2[g] += delta * (x - mean[g])
			}
		}
		ok := make([]bool, ng)
		for g := range m2 {
			if cnt[g] > 1 {
				m2[g] /= float64(cnt[g] - 1)
				ok[g] = true
			} else {
				m2[g] = 0
			}
		}
		return makeArray(mem, arrow.PrimitiveTypes.Float64, m2, ok)
	}
	// Min, Max.
	best := make([]T, ng)
	ok := make([]bool, ng)
	isMin := op == Min
	for i, g := range ids {
		if !present(i) {
			continue
		}
		x := vals[i]
		if x != x { // NaN
			continue
		}
		if !ok[g] || (isMin && x < best[g]) || (!isMin && x > best[g]) {
			best[g] = x
			ok[g] = true
		}
	}
	return makeArray(mem, dt, best, ok)
}

// makeArray builds an array of type dt (whose layout must be a primitive of
// T's width) from vals; valid[i] == false makes row i null, nil means no
// nulls.
func makeArray[T any](mem memory.Allocator, dt arrow.DataType, vals []T, valid []bool) arrow.Array {
	n := len(vals)
	var z T
	vb := newBuffer(mem, n*int(unsafe.Sizeof(z)))
	copy(cast[T](vb.Bytes()), vals)
	var nb *memory.Buffer
	nulls := 0
	if valid != nil {
		for _, v := range valid {
			if !v {
				nulls++
			}
		}
		if nulls > 0 {
			nb = newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
			bm := nb.Bytes()
			clear(bm)
			for i, v := range valid {
				if v {
					bitutil.SetBit(bm, i)
				}
			}
		}
	}
	bufs := []*memory.Buffer{nb, vb}
	defer releaseAll(bufs)
	d := array.NewData(dt, n, bufs, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}
