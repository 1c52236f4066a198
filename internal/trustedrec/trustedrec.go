package trustedrec

import (
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
)

type record struct {
	refs   atomic.Int64
	schema *arrow.Schema
	rows   int64
	cols   []arrow.Array // New: every column; Extend: nil (see all)

	// Extend's records hold their parent and the columns they add; the
	// full column list is made on the first Columns call.
	parent arrow.Record
	npar   int
	extra  []arrow.Array
	all    atomic.Pointer[[]arrow.Array]
}

// New returns a record of schema over cols (retained) with rows rows.
// The caller promises col i has schema.Field(i).Type; it gets an error
// when the count differs or a column is shorter than rows.
func New(schema *arrow.Schema, cols []arrow.Array, rows int64) (arrow.Record, error) {
	if err := check(schema, cols, rows); err != nil {
		return nil, err
	}
	r := &record{schema: schema, rows: rows, cols: make([]arrow.Array, len(cols))}
	copy(r.cols, cols)
	for _, c := range r.cols {
		c.Retain()
	}
	r.refs.Store(1)
	return r, nil
}

// Own is New taking over the caller's references to cols and cols
// itself (the record keeps the slice: the caller must not change it) in
// place of retaining them. On error the caller keeps its references.
func Own(schema *arrow.Schema, cols []arrow.Array, rows int64) (arrow.Record, error) {
	if err := check(schema, cols, rows); err != nil {
		return nil, err
	}
	r := &record{schema: schema, rows: rows, cols: cols}
	r.refs.Store(1)
	return r, nil
}

func check(schema *arrow.Schema, cols []arrow.Array, rows int64) error {
	if len(cols) != schema.NumFields() {
		return fmt.Errorf("trusted record: %d columns for a schema of %d fields", len(cols), schema.NumFields())
	}
	for i, c := range cols {
		if c == nil || int64(c.Len()) < rows {
			return fmt.Errorf("trusted record: column %q is nil or shorter than %d rows", schema.Field(i).Name, rows)
		}
	}
	return nil
}

// Extend returns a record of schema whose columns are parent's followed
// by extra, with parent's rows. It retains parent once and each extra
// column, instead of every column: a stage that appends a column or two
// to a wide batch pays for what it adds, not for the batch's width. The
// caller promises that schema is parent's schema with the fields of
// extra appended (col i of extra has schema.Field(parent.NumCols()+i).Type);
// it gets an error when the count differs or an extra column is nil or
// shorter than parent.
func Extend(schema *arrow.Schema, parent arrow.Record, extra ...arrow.Array) (arrow.Record, error) {
	npar := int(parent.NumCols())
	if npar+len(extra) != schema.NumFields() {
		return nil, fmt.Errorf("trusted record: %d+%d columns for a schema of %d fields", npar, len(extra), schema.NumFields())
	}
	rows := parent.NumRows()
	for i, c := range extra {
		if c == nil || int64(c.Len()) < rows {
			return nil, fmt.Errorf("trusted record: column %q is nil or shorter than %d rows", schema.Field(npar+i).Name, rows)
		}
	}
	r := &record{schema: schema, rows: rows, parent: parent, npar: npar, extra: make([]arrow.Array, len(extra))}
	copy(r.extra, extra)
	parent.Retain()
	for _, c := range r.extra {
		c.Retain()
	}
	r.refs.Store(1)
	return r, nil
}

func (r *record) Retain() { r.refs.Add(1) }

func (r *record) Release() {
	if n := r.refs.Add(-1); n == 0 {
		for _, c := range r.cols {
			c.Release()
		}
		r.cols = nil
		if r.parent != nil {
			for _, c := range r.extra {
				c.Release()
			}
			r.parent.Release()
			r.parent, r.extra = nil, nil
			r.all.Store(nil)
		}
	} else if n < 0 {
		panic("trustedrec: too many releases")
	}
}

func (r *record) Schema() *arrow.Schema { return r.schema }
func (r *record) NumRows() int64        { return r.rows }

func (r *record) NumCols() int64 {
	if r.parent != nil {
		return int64(r.npar + len(r.extra))
	}
	return int64(len(r.cols))
}

func (r *record) Columns() []arrow.Array {
	if r.parent == nil {
		return r.cols
	}
	if all := r.all.Load(); all != nil {
		return *all
	}
	all := append(append(make([]arrow.Array, 0, r.npar+len(r.extra)), r.parent.Columns()...), r.extra...)
	r.all.CompareAndSwap(nil, &all)
	return *r.all.Load()
}

func (r *record) Column(i int) arrow.Array {
	if r.parent != nil {
		if i < r.npar {
			return r.parent.Column(i)
		}
		return r.extra[i-r.npar]
	}
	return r.cols[i]
}

func (r *record) ColumnName(i int) string { return r.schema.Field(i).Name }
func (r *record) MarshalJSON() ([]byte, error) {
	c := r.checked()
	defer c.Release()
	return c.MarshalJSON()
}

// checked is the same record through array.NewRecord (which validates).
func (r *record) checked() arrow.Record { return array.NewRecord(r.schema, r.Columns(), r.rows) }

func (r *record) SetColumn(i int, col arrow.Array) (arrow.Record, error) {
	c := r.checked()
	defer c.Release()
	return c.SetColumn(i, col)
}

func (r *record) NewSlice(i, j int64) arrow.Record {
	c := r.checked()
	defer c.Release()
	return c.NewSlice(i, j)
}
