package stream

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/pipeline/table"
)

// Map adds an operator applying fn to every batch, with the stream's
// parallelism. rec is borrowed; the result is owned by the engine. fn may
// return rec itself (the engine retains it) or nil to drop the batch.
func (s *Stream) Map(name string, fn func(rec arrow.Record) (arrow.Record, error)) *Stream {
	return s.process("map", name, func() Operator { return mapOp(fn) }, 0, partDefault, nil)
}

type mapOp func(arrow.Record) (arrow.Record, error)

func (f mapOp) ProcessBatch(_ context.Context, rec arrow.Record, out Collector) error {
	res, err := f(rec)
	if err != nil || res == nil {
		return err
	}
	if res == rec {
		res.Retain()
	}
	return out.Emit(res)
}

// Filter adds an operator keeping the rows where the mask returned by fn is
// true (len(mask) must equal the number of rows). A batch whose rows all
// pass goes on without a copy.
func (s *Stream) Filter(name string, fn func(rec arrow.Record) ([]bool, error)) *Stream {
	return s.process("filter", name, func() Operator { return &filterOp{fn: fn} }, 0, partDefault, nil)
}

type filterOp struct {
	fn  func(arrow.Record) ([]bool, error)
	mem memory.Allocator
}

func (f *filterOp) Open(_ context.Context, oc *OperatorContext) error {
	f.mem = oc.Allocator
	return nil
}

func (f *filterOp) ProcessBatch(_ context.Context, rec arrow.Record, out Collector) error {
	mask, err := f.fn(rec)
	if err != nil {
		return err
	}
	if int64(len(mask)) != rec.NumRows() {
		return fmt.Errorf("filter: mask has %d entries for %d rows", len(mask), rec.NumRows())
	}
	kept := 0
	for _, m := range mask {
		if m {
			kept++
		}
	}
	switch kept {
	case 0:
		return nil
	case len(mask):
		rec.Retain()
		return out.Emit(rec)
	}
	res, err := table.Filter(f.mem, rec, mask)
	if err != nil {
		return err
	}
	return out.Emit(res)
}

// FlatMap adds an operator calling fn for every batch; fn emits any number
// of batches through out. rec is borrowed.
func (s *Stream) FlatMap(name string, fn func(ctx context.Context, rec arrow.Record, out Collector) error) *Stream {
	return s.process("flat-map", name, func() Operator { return OperatorFunc(fn) }, 0, partDefault, nil)
}

// Project keeps the named columns, in that order, without copying data.
func (s *Stream) Project(cols ...string) *Stream {
	name := s.job.uniqueName(fmt.Sprintf("project(%s)", strings.Join(cols, ",")))
	return s.process("project", name, func() Operator { return &projectOp{keys: keySelector{names: cols}} }, 0, partDefault, nil)
}

type projectOp struct {
	keys   keySelector
	schema *arrow.Schema // output schema for keys.schema
	cols   []arrow.Array
}

func (p *projectOp) ProcessBatch(_ context.Context, rec arrow.Record, out Collector) error {
	in := p.keys.schema
	idx, err := p.keys.resolve(rec.Schema())
	if err != nil {
		return fmt.Errorf("project: %w", err)
	}
	if p.schema == nil || in != p.keys.schema {
		fields := make([]arrow.Field, len(idx))
		for i, c := range idx {
			fields[i] = rec.Schema().Field(c)
		}
		md := rec.Schema().Metadata()
		p.schema = arrow.NewSchema(fields, &md)
	}
	p.cols = p.cols[:0]
	for _, c := range idx {
		p.cols = append(p.cols, rec.Column(c))
	}
	return out.Emit(array.NewRecord(p.schema, p.cols, rec.NumRows()))
}

// AssignWatermarks adds an operator that forwards batches and emits the
// watermark max(event time seen) - outOfOrderness read from column col; see
// WatermarkFromColumn.
func (s *Stream) AssignWatermarks(col string, outOfOrderness time.Duration) *Stream {
	return s.process("watermarks", s.job.uniqueName("watermarks("+col+")"), WatermarkFromColumn(col, outOfOrderness), 0, partDefault, nil)
}

// WatermarkFromColumn returns an operator factory for Process: the operator
// forwards every batch unchanged and, after it, the watermark
// max(timestamp seen so far) - outOfOrderness in milliseconds, whenever that
// advances (bounded out-of-orderness, as Flink's
// BoundedOutOfOrdernessWatermarks). col is an Arrow timestamp column (any
// unit) or an int64 column of milliseconds; nulls are skipped. Upstream
// watermarks are replaced by the computed ones; the end of input still sends
// MaxWatermark.
func WatermarkFromColumn(col string, outOfOrderness time.Duration) func() Operator {
	return func() Operator {
		return &wmOp{keys: keySelector{names: []string{col}}, lag: outOfOrderness.Milliseconds(), max: MinWatermark}
	}
}

type wmOp struct {
	keys    keySelector
	lag     int64
	max     int64
	resumed bool // restored max not yet re-emitted
}

// Snapshot keeps the largest timestamp seen, so that a restored job
// resumes event time where it stopped instead of from the beginning (rows
// that were late stay late).
func (w *wmOp) Snapshot(context.Context, int64) ([]byte, error) {
	return binary.AppendVarint(nil, w.max), nil
}

// Restore takes the largest of the restored maxima.
func (w *wmOp) Restore(_ context.Context, _ int64, states [][]byte) error {
	w.max = MinWatermark
	for _, b := range states {
		v, n := binary.Varint(b)
		if n <= 0 {
			return fmt.Errorf("watermarks: restore: bad snapshot of %d bytes", len(b))
		}
		w.max = max(w.max, v)
	}
	w.resumed = w.max != MinWatermark
	return nil
}

func (w *wmOp) ProcessBatch(_ context.Context, rec arrow.Record, out Collector) error {
	if w.resumed {
		w.resumed = false
		if err := out.EmitWatermark(w.max - w.lag); err != nil {
			return err
		}
	}
	idx, err := w.keys.resolve(rec.Schema())
	if err != nil {
		return fmt.Errorf("watermarks: %w", err)
	}
	m, err := maxMillis(rec.Column(idx[0]))
	if err != nil {
		return fmt.Errorf("watermarks: column %q: %w", w.keys.names[0], err)
	}
	w.max = max(w.max, m)
	rec.Retain()
	if err := out.Emit(rec); err != nil {
		return err
	}
	if w.max == MinWatermark {
		return nil
	}
	return out.EmitWatermark(w.max - w.lag)
}

// OnWatermark drops upstream watermarks: this operator computes its own.
func (w *wmOp) OnWatermark(context.Context, int64, Collector) error { return nil }

// maxMillis returns the largest non-null value of a timestamp or int64
// column in milliseconds (MinWatermark when there is none).
func maxMillis(arr arrow.Array) (int64, error) {
	m := MinWatermark
	switch a := arr.(type) {
	case *array.Int64:
		for i, v := range a.Int64Values() {
			if v > m && a.IsValid(i) {
				m = v
			}
		}
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		var div, mul int64 = 1, 1
		switch unit {
		case arrow.Second:
			mul = 1000
		case arrow.Microsecond:
			div = 1000
		case arrow.Nanosecond:
			div = 1_000_000
		}
		for i, v := range a.TimestampValues() {
			if t := int64(v); t > m && a.IsValid(i) {
				m = t
			}
		}
		if m != MinWatermark {
			m = floorDiv(m, div) * mul
		}
	default:
		return 0, fmt.Errorf("type %s: want timestamp or int64 milliseconds", arr.DataType())
	}
	return m, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
