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
	cols   []arrow.Array
}

// New returns a record of schema over cols (retained) with rows rows.
// The caller promises col i has schema.Field(i).Type; it gets an error
// when the count differs or a column is shorter than rows.
func New(schema *arrow.Schema, cols []arrow.Array, rows int64) (arrow.Record, error) {
	if len(cols) != schema.NumFields() {
		return nil, fmt.Errorf("trusted record: %d columns for a schema of %d fields", len(cols), schema.NumFields())
	}
	for i, c := range cols {
		if c == nil || int64(c.Len()) < rows {
			return nil, fmt.Errorf("trusted record: column %q is nil or shorter than %d rows", schema.Field(i).Name, rows)
		}
	}
	r := &record{schema: schema, rows: rows, cols: make([]arrow.Array, len(cols))}
	copy(r.cols, cols)
	for _, c := range r.cols {
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
	} else if n < 0 {
		panic("trustedrec: too many releases")
	}
}

func (r *record) Schema() *arrow.Schema    { return r.schema }
func (r *record) NumRows() int64           { return r.rows }
func (r *record) NumCols() int64           { return int64(len(r.cols)) }
func (r *record) Columns() []arrow.Array   { return r.cols }
func (r *record) Column(i int) arrow.Array { return r.cols[i] }
func (r *record) ColumnName(i int) string  { return r.schema.Field(i).Name }
func (r *record) MarshalJSON() ([]byte, error) {
	c := r.checked()
	defer c.Release()
	return c.MarshalJSON()
}

// checked is the same record through array.NewRecord (which validates).
func (r *record) checked() arrow.Record { return array.NewRecord(r.schema, r.cols, r.rows) }

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
