package window

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/state"
)

// Aggregation is one output column computed per (key, window): a built-in
// (Count, Sum, Mean, Min, Max, Variance) or a user aggregation (Custom).
// Rename its column with As.
type Aggregation interface {
	// Name is the output column's name.
	Name() string
	impl() aggImpl
}

// aggImpl is what the window operator runs. Built-ins keep their
// accumulator in float64 slots of acc.f; custom aggregations in acc.u.
type aggImpl interface {
	column() string // input column ("" for none)
	outType() arrow.DataType
	nslots() int // float64 slots (0 for custom)
	custom() bool
	init(a *acc, slot int)
	// add folds rows of the bound batch into a.
	add(a *acc, slot int, b *batchView, col int, rows []int) error
	merge(dst, src *acc, slot int)
	result(a *acc, slot int, bld array.Builder) error
}

// batchView is one input batch with its aggregated columns as float64.
type batchView struct {
	rec   arrow.Record
	vals  [][]float64 // per input column index used, nil otherwise
	valid [][]bool    // nil when the column has no nulls
}

// acc is the state of one window of one key.
type acc struct {
	start int64
	end   int64
	fired bool
	dirty bool // touched by the current batch; not stored
	f     []float64
	u     []any
	fbuf  [4]float64 // f's storage when it fits: one allocation, one cache line less
}

type named struct {
	Aggregation
	name string
}

func (n named) Name() string { return n.name }

// As renames a's output column.
func As(name string, a Aggregation) Aggregation { return named{Aggregation: a, name: name} }

// builtin is a numeric aggregation over one column (or over rows for
// Count).
type builtin struct {
	op  string // count, sum, mean, min, max, variance: the column prefix
	fn  aggFn
	col string
	k   int // slots
	typ arrow.DataType
}

func (b *builtin) Name() string {
	if b.col == "" {
		return b.op
	}
	return b.op + "_" + b.col
}
func (b *builtin) impl() aggImpl           { return b }
func (b *builtin) column() string          { return b.col }
func (b *builtin) outType() arrow.DataType { return b.typ }
func (b *builtin) nslots() int             { return b.k }
func (b *builtin) custom() bool            { return false }

type aggFn uint8

const (
	fnCount aggFn = iota
	fnSum
	fnMean
	fnMin
	fnMax
	fnVariance
)

// Count counts the rows of each window (int64 column "count").
func Count() Aggregation {
	return &builtin{op: "count", fn: fnCount, k: 1, typ: arrow.PrimitiveTypes.Int64}
}

// Sum adds the non-null values of col (float64 column "sum_<col>", null
// when the window has no value). col is any integer or float column.
func Sum(col string) Aggregation {
	return &builtin{op: "sum", fn: fnSum, col: col, k: 2, typ: arrow.PrimitiveTypes.Float64}
}

// Mean averages the non-null values of col ("mean_<col>"), by Welford's
// running mean.
func Mean(col string) Aggregation {
	return &builtin{op: "mean", fn: fnMean, col: col, k: 2, typ: arrow.PrimitiveTypes.Float64}
}

// Min is the smallest non-null value of col ("min_<col>").
func Min(col string) Aggregation {
	return &builtin{op: "min", fn: fnMin, col: col, k: 2, typ: arrow.PrimitiveTypes.Float64}
}

// Max is the largest non-null value of col ("max_<col>").
func Max(col string) Aggregation {
	return &builtin{op: "max", fn: fnMax, col: col, k: 2, typ: arrow.PrimitiveTypes.Float64}
}

// Variance is the sample variance (n-1 denominator) of the non-null
// values of col ("variance_<col>", null below two values). It is
// accumulated by Welford's online algorithm (B. P. Welford, "Note on a
// method for calculating corrected sums of squares and products",
// Technometrics 4(3), 1962) and merged, for sessions, by the pairwise
// update of Chan, Golub and LeVeque ("Updating formulae and a pairwise
// algorithm for computing sample variances", 1979).
func Variance(col string) Aggregation {
	return &builtin{op: "variance", fn: fnVariance, col: col, k: 3, typ: arrow.PrimitiveTypes.Float64}
}

func (b *builtin) init(a *acc, s int) {
	switch b.fn {
	case fnMin:
		a.f[s+1] = math.Inf(1)
	case fnMax:
		a.f[s+1] = math.Inf(-1)
	}
}

func (b *builtin) add(a *acc, s int, v *batchView, col int, rows []int) error {
	if b.fn == fnCount {
		a.f[s] += float64(len(rows))
		return nil
	}
	vals, valid := v.vals[col], v.valid[col]
	f := a.f[s : s+b.k]
	for _, r := range rows {
		if valid != nil && !valid[r] {
			continue
		}
		x := vals[r]
		f[0]++
		switch b.fn {
		case fnSum:
			f[1] += x
		case fnMean:
			f[1] += (x - f[1]) / f[0]
		case fnMin:
			f[1] = math.Min(f[1], x)
		case fnMax:
			f[1] = math.Max(f[1], x)
		case fnVariance:
			d := x - f[1]
			f[1] += d / f[0]
			f[2] += d * (x - f[1])
		}
	}
	return nil
}

// addRow folds row r into f, the aggregation's slots.
func (b *builtin) addRow(f []float64, v *batchView, col int, r int) {
	if b.fn == fnCount {
		f[0]++
		return
	}
	if valid := v.valid[col]; valid != nil && !valid[r] {
		return
	}
	x := v.vals[col][r]
	f[0]++
	switch b.fn {
	case fnSum:
		f[1] += x
	case fnMean:
		f[1] += (x - f[1]) / f[0]
	case fnMin:
		f[1] = math.Min(f[1], x)
	case fnMax:
		f[1] = math.Max(f[1], x)
	case fnVariance:
		d := x - f[1]
		f[1] += d / f[0]
		f[2] += d * (x - f[1])
	}
}

func (b *builtin) merge(dst, src *acc, s int) {
	d, o := dst.f[s:s+b.k], src.f[s:s+b.k]
	switch b.fn {
	case fnCount:
		d[0] += o[0]
		return
	case fnSum:
		d[1] += o[1]
	case fnMin:
		d[1] = math.Min(d[1], o[1])
	case fnMax:
		d[1] = math.Max(d[1], o[1])
	case fnMean, fnVariance:
		n := d[0] + o[0]
		if n == 0 {
			return
		}
		delta := o[1] - d[1]
		mean := d[1] + delta*o[0]/n
		if b.fn == fnVariance {
			d[2] += o[2] + delta*delta*d[0]*o[0]/n
		}
		d[1] = mean
	}
	d[0] += o[0]
}

func (b *builtin) result(a *acc, s int, bld array.Builder) error {
	f := a.f[s : s+b.k]
	if b.fn == fnCount {
		bld.(*array.Int64Builder).Append(int64(f[0]))
		return nil
	}
	fb := bld.(*array.Float64Builder)
	switch {
	case f[0] == 0, b.fn == fnVariance && f[0] < 2:
		fb.AppendNull()
	case b.fn == fnVariance:
		fb.Append(f[2] / (f[0] - 1))
	default:
		fb.Append(f[1])
	}
	return nil
}

// Aggregator is a user aggregation with accumulator type A, folded
// incrementally as rows arrive (like Flink's AggregateFunction):
//
//   - Create returns the accumulator of an empty window;
//   - Add folds rows (indices into rec, borrowed during the call) into acc
//     and returns it (it may update acc in place);
//   - Merge combines two accumulators when session windows merge;
//   - Result appends the window's value to bld, a builder of the type given
//     to Custom.
type Aggregator[A any] interface {
	Create() A
	Add(acc A, rec arrow.Record, rows []int) (A, error)
	Merge(a, b A) A
	Result(acc A, bld array.Builder) error
}

// Custom wraps a user Aggregator as an Aggregation producing column name
// of type typ; codec encodes accumulators in checkpoints.
func Custom[A any](name string, typ arrow.DataType, codec state.Codec[A], agg Aggregator[A]) Aggregation {
	return &customAgg[A]{name: name, typ: typ, codec: codec, agg: agg}
}

type customAgg[A any] struct {
	name  string
	typ   arrow.DataType
	codec state.Codec[A]
	agg   Aggregator[A]
}

func (c *customAgg[A]) Name() string            { return c.name }
func (c *customAgg[A]) impl() aggImpl           { return c }
func (c *customAgg[A]) column() string          { return "" }
func (c *customAgg[A]) outType() arrow.DataType { return c.typ }
func (c *customAgg[A]) nslots() int             { return 0 }
func (c *customAgg[A]) custom() bool            { return true }
func (c *customAgg[A]) init(a *acc, s int)      { a.u[s] = c.agg.Create() }

func (c *customAgg[A]) add(a *acc, s int, v *batchView, _ int, rows []int) error {
	x, err := c.agg.Add(a.u[s].(A), v.rec, rows)
	if err != nil {
		return fmt.Errorf("aggregation %q: %w", c.name, err)
	}
	a.u[s] = x
	return nil
}

func (c *customAgg[A]) merge(dst, src *acc, s int) {
	dst.u[s] = c.agg.Merge(dst.u[s].(A), src.u[s].(A))
}

func (c *customAgg[A]) result(a *acc, s int, bld array.Builder) error {
	if err := c.agg.Result(a.u[s].(A), bld); err != nil {
		return fmt.Errorf("aggregation %q: %w", c.name, err)
	}
	return nil
}

func (c *customAgg[A]) encode(dst []byte, v any) []byte { return c.codec.Append(dst, v.(A)) }
func (c *customAgg[A]) decode(src []byte) (any, error)  { return c.codec.Decode(src) }

// customCodec is the checkpoint encoding of a custom accumulator.
type customCodec interface {
	encode(dst []byte, v any) []byte
	decode(src []byte) (any, error)
}

// layout places the aggregations' accumulators in an acc.
type layout struct {
	impls  []aggImpl
	slots  []int // slot in f (built-ins) or u (custom)
	nf, nu int
	codecs []customCodec // custom aggregations in u order
}

func newLayout(aggs []Aggregation) (*layout, error) {
	if len(aggs) == 0 {
		return nil, errors.New("window: no aggregation (give Count(), Sum(col), ...)")
	}
	l := &layout{}
	seen := map[string]bool{}
	for _, a := range aggs {
		if a == nil {
			return nil, errors.New("window: nil aggregation")
		}
		if seen[a.Name()] {
			return nil, fmt.Errorf("window: two aggregations named %q (rename one with As)", a.Name())
		}
		seen[a.Name()] = true
		im := a.impl()
		l.impls = append(l.impls, im)
		if im.custom() {
			l.slots = append(l.slots, l.nu)
			l.nu++
			l.codecs = append(l.codecs, im.(customCodec))
		} else {
			l.slots = append(l.slots, l.nf)
			l.nf += im.nslots()
		}
	}
	return l, nil
}

func (l *layout) newAcc(start, end int64) *acc {
	a := &acc{start: start, end: end}
	if l.nf <= len(a.fbuf) {
		a.f = a.fbuf[:l.nf]
	} else {
		a.f = make([]float64, l.nf)
	}
	if l.nu > 0 {
		a.u = make([]any, l.nu)
	}
	for i, im := range l.impls {
		im.init(a, l.slots[i])
	}
	return a
}

func (l *layout) merge(dst, src *acc) {
	for i, im := range l.impls {
		im.merge(dst, src, l.slots[i])
	}
}

func (l *layout) builders(mem memory.Allocator) []array.Builder {
	out := make([]array.Builder, len(l.impls))
	for i, im := range l.impls {
		out[i] = array.NewBuilder(mem, im.outType())
	}
	return out
}
