package table

import (
	"errors"
	"fmt"
	"sort"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Table is a bounded, in-memory sequence of record batches that share one
// schema. It is reference counted: New, ReadAll, Slice, Concat, Select and
// Retain each give the caller one Release. Its batches are immutable and it
// is safe for concurrent readers.
type Table struct {
	refs    atomic.Int64
	schema  *arrow.Schema
	batches []arrow.Record
	starts  []int64 // starts[i] is the first row of batch i; starts[len] = NumRows
}

// New returns a table over recs, retaining each. Every record must have
// exactly schema (fields, types, nullability and metadata, roles included);
// the error names the first batch and field that differ.
func New(schema *arrow.Schema, recs ...arrow.Record) (*Table, error) {
	if schema == nil {
		return nil, errors.New("new table: nil schema")
	}
	for i, r := range recs {
		if r == nil {
			return nil, fmt.Errorf("new table: batch %d is nil", i)
		}
		if err := schemaDiff(r.Schema(), schema); err != nil {
			return nil, fmt.Errorf("new table: batch %d: %w", i, err)
		}
	}
	for _, r := range recs {
		r.Retain()
	}
	return newOwned(schema, append([]arrow.Record(nil), recs...)), nil
}

// newOwned takes over one reference of each record.
func newOwned(schema *arrow.Schema, recs []arrow.Record) *Table {
	t := &Table{schema: schema, batches: recs, starts: make([]int64, len(recs)+1)}
	for i, r := range recs {
		t.starts[i+1] = t.starts[i] + r.NumRows()
	}
	t.refs.Store(1)
	return t
}

// schemaDiff explains how got differs from want, or returns nil if equal.
func schemaDiff(got, want *arrow.Schema) error {
	if got.Equal(want) {
		return nil
	}
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("schema has %d fields, want %d (got %s; want %s)", got.NumFields(), want.NumFields(), fieldList(got), fieldList(want))
	}
	for i := range want.Fields() {
		g, w := got.Field(i), want.Field(i)
		if !g.Equal(w) {
			return fmt.Errorf("schema differs at field %d: got %s, want %s", i, describeField(g), describeField(w))
		}
	}
	return fmt.Errorf("schema differs in endianness")
}

func fieldList(s *arrow.Schema) string {
	out := ""
	for i, f := range s.Fields() {
		if i > 0 {
			out += ", "
		}
		out += describeField(f)
	}
	return out
}

// describeField renders "name: type [role] (not null) {metadata}".
func describeField(f arrow.Field) string {
	s := f.Name + ": " + TypeName(f.Type)
	if r := RoleOf(f); r != "" {
		s += " [" + string(r) + "]"
	}
	if !f.Nullable {
		s += " not null"
	}
	if f.Metadata.Len() > 0 {
		s += " " + f.Metadata.String()
	}
	return s
}

// ReadAll reads r to its end into a table; the table retains each record.
// The caller still owns r and releases it.
func ReadAll(r Reader) (*Table, error) {
	schema := r.Schema()
	var recs []arrow.Record
	release := func() {
		for _, rec := range recs {
			rec.Release()
		}
	}
	for r.Next() {
		rec := r.Record()
		if err := schemaDiff(rec.Schema(), schema); err != nil {
			release()
			return nil, fmt.Errorf("read all: batch %d: %w", len(recs), err)
		}
		rec.Retain()
		recs = append(recs, rec)
	}
	if err := r.Err(); err != nil {
		release()
		return nil, fmt.Errorf("read all: %w", err)
	}
	return newOwned(schema, recs), nil
}

// Schema returns the table's schema.
func (t *Table) Schema() *arrow.Schema { return t.schema }

// NumRows returns the total number of rows.
func (t *Table) NumRows() int64 { return t.starts[len(t.batches)] }

// NumBatches returns the number of batches.
func (t *Table) NumBatches() int { return len(t.batches) }

// Batch returns batch i, owned by the table: Retain it to keep it past the
// table's Release.
func (t *Table) Batch(i int) arrow.Record { return t.batches[i] }

// Retain adds a reference.
func (t *Table) Retain() { t.refs.Add(1) }

// Release drops a reference; the last one releases the batches.
func (t *Table) Release() {
	if t.refs.Add(-1) == 0 {
		for _, r := range t.batches {
			r.Release()
		}
		t.batches = nil
	}
}

// Slice returns the rows [offset, offset+n) as a new table sharing the
// batches' memory (no copy), cutting batches at the boundaries. offset and n
// are clamped to the table, so the result may be empty. The caller owns one
// Release.
func (t *Table) Slice(offset, n int64) *Table {
	total := t.NumRows()
	offset = min(max(offset, 0), total)
	end := offset + min(max(n, 0), total-offset)
	var recs []arrow.Record
	for i, r := range t.batches {
		lo, hi := t.starts[i], t.starts[i+1]
		if hi <= offset || lo >= end || hi == lo {
			continue
		}
		a, b := max(offset, lo)-lo, min(end, hi)-lo
		if a == 0 && b == r.NumRows() {
			r.Retain()
			recs = append(recs, r)
			continue
		}
		recs = append(recs, r.NewSlice(a, b))
	}
	return newOwned(t.schema, recs)
}

// Concat returns a table with the batches of tables, in order, which must
// all have the same schema. The caller owns one Release.
func Concat(tables ...*Table) (*Table, error) {
	if len(tables) == 0 {
		return nil, errors.New("concat: no tables")
	}
	var recs []arrow.Record
	for i, t := range tables {
		if err := schemaDiff(t.schema, tables[0].schema); err != nil {
			return nil, fmt.Errorf("concat: table %d: %w", i, err)
		}
		recs = append(recs, t.batches...)
	}
	return New(tables[0].schema, recs...)
}

// Select returns a table with only the named columns, in the given order.
// The caller owns one Release.
func (t *Table) Select(names ...string) (*Table, error) {
	idx, err := FieldIndices(t.schema, names...)
	if err != nil {
		return nil, fmt.Errorf("select: %w", err)
	}
	schema := selectSchema(t.schema, idx)
	recs := make([]arrow.Record, len(t.batches))
	for i, r := range t.batches {
		recs[i] = selectRecord(schema, r, idx)
	}
	return newOwned(schema, recs), nil
}

// Select returns a record with only the named columns of rec, in the given
// order, sharing their memory. The caller owns one Release.
func Select(rec arrow.Record, names ...string) (arrow.Record, error) {
	idx, err := FieldIndices(rec.Schema(), names...)
	if err != nil {
		return nil, fmt.Errorf("select: %w", err)
	}
	return selectRecord(selectSchema(rec.Schema(), idx), rec, idx), nil
}

func selectSchema(s *arrow.Schema, idx []int) *arrow.Schema {
	fields := make([]arrow.Field, len(idx))
	for k, i := range idx {
		fields[k] = s.Field(i)
	}
	md := s.Metadata()
	return arrow.NewSchema(fields, &md)
}

func selectRecord(schema *arrow.Schema, rec arrow.Record, idx []int) arrow.Record {
	cols := make([]arrow.Array, len(idx))
	for k, i := range idx {
		cols[k] = rec.Column(i)
	}
	return array.NewRecord(schema, cols, rec.NumRows())
}

// Combine returns the whole table as one record, concatenating the batches
// into buffers from mem (a single batch is returned as is, retained). The
// caller owns one Release.
func (t *Table) Combine(mem memory.Allocator) (arrow.Record, error) {
	switch len(t.batches) {
	case 1:
		t.batches[0].Retain()
		return t.batches[0], nil
	case 0:
		cols := make([]arrow.Array, t.schema.NumFields())
		for i, f := range t.schema.Fields() {
			cols[i] = array.MakeArrayOfNull(mem, f.Type, 0)
		}
		rec := array.NewRecord(t.schema, cols, 0)
		for _, c := range cols {
			c.Release()
		}
		return rec, nil
	}
	cols := make([]arrow.Array, 0, t.schema.NumFields())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	parts := make([]arrow.Array, len(t.batches))
	for j, f := range t.schema.Fields() {
		for i, r := range t.batches {
			parts[i] = r.Column(j)
		}
		c, err := array.Concatenate(parts, mem)
		if err != nil {
			return nil, fmt.Errorf("combine: column %q: %w", f.Name, err)
		}
		cols = append(cols, c)
	}
	return array.NewRecord(t.schema, cols, t.NumRows()), nil
}

// Reader returns a reader over the table's batches. It holds a reference to
// the table until its Release, and it implements Seeker: SeekRow cuts the
// batch that holds the row.
func (t *Table) Reader() *TableReader {
	t.Retain()
	r := &TableReader{t: t}
	r.refs.Store(1)
	return r
}

// TableReader is the Reader (and Seeker) of a Table.
type TableReader struct {
	refs   atomic.Int64
	t      *Table
	next   int   // next batch
	skip   int64 // rows to skip at the start of the next batch
	offset int64
	cur    arrow.Record
}

var (
	_ Reader = (*TableReader)(nil)
	_ Seeker = (*TableReader)(nil)
)

// Schema returns the table's schema.
func (r *TableReader) Schema() *arrow.Schema { return r.t.schema }

// Next advances to the next batch.
func (r *TableReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.next >= len(r.t.batches) {
		return false
	}
	rec := r.t.batches[r.next]
	r.next++
	if r.skip > 0 {
		r.cur = rec.NewSlice(r.skip, rec.NumRows())
		r.skip = 0
	} else {
		rec.Retain()
		r.cur = rec
	}
	r.offset += r.cur.NumRows()
	return true
}

// Record returns the current batch, valid until the next call to Next.
func (r *TableReader) Record() arrow.Record { return r.cur }

// Err returns nil: a table cannot fail to read.
func (r *TableReader) Err() error { return nil }

// Offset returns the number of rows delivered, counted from the table's
// first row.
func (r *TableReader) Offset() int64 { return r.offset }

// SeekRow makes the next batch start at row offset; past the end, the
// reader ends.
func (r *TableReader) SeekRow(offset int64) error {
	if offset < 0 {
		return fmt.Errorf("seek row: negative offset %d", offset)
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	total := r.t.NumRows()
	if offset >= total {
		r.next, r.skip, r.offset = len(r.t.batches), 0, total
		return nil
	}
	// The batch holding row offset: the last with start <= offset.
	b := sort.Search(len(r.t.batches), func(i int) bool { return r.t.starts[i+1] > offset })
	r.next, r.skip, r.offset = b, offset-r.t.starts[b], offset
	return nil
}

// Retain adds a reference to the reader.
func (r *TableReader) Retain() { r.refs.Add(1) }

// Release drops a reference; the last one releases the current batch and
// the reader's reference to the table.
func (r *TableReader) Release() {
	if r.refs.Add(-1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.t.Release()
	}
}
