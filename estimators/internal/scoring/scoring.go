// Package scoring holds what the models of the clustering and
// classification estimators share when they score a batch: output
// columns in allocator memory wrapped without copying, the output schema
// with an optional model version column, and reading a features-only
// training set (no label) into a row-major matrix.
package scoring

import (
	"errors"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// Column is an output column being filled: Values has N*Dim float64
// values in allocator memory. Dim 0 means a scalar float64 column, > 0 a
// dense vector column of that size.
type Column struct {
	Field  arrow.Field
	Values []float64
	buf    *memory.Buffer
	dim, n int
}

// NewColumn allocates a float64 column (dim 0) or a dense vector column of
// size dim for n rows. Finish or Release it.
func NewColumn(mem memory.Allocator, name string, dim, n int) *Column {
	size := n * max(dim, 1)
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(size * 8)
	c := &Column{buf: buf, dim: dim, n: n, Values: arrow.Float64Traits.CastFromBytes(buf.Bytes())[:size]}
	c.Field = arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64}
	if dim > 0 {
		c.Field.Type = table.DenseVectorType(dim)
	}
	return c
}

// Field returns the field of a float64 (dim 0) or dense vector column.
func Field(name string, dim int) arrow.Field {
	if dim > 0 {
		return arrow.Field{Name: name, Type: table.DenseVectorType(dim)}
	}
	return arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Float64}
}

// Release frees the column's buffer if it was not turned into an array.
func (c *Column) Release() {
	if c.buf != nil {
		c.buf.Release()
		c.buf = nil
	}
}

func (c *Column) array() arrow.Array {
	buf := c.buf
	c.buf = nil
	if c.dim == 0 {
		data := array.NewData(arrow.PrimitiveTypes.Float64, c.n, []*memory.Buffer{nil, buf}, nil, 0, 0)
		buf.Release()
		defer data.Release()
		return array.MakeFromData(data)
	}
	child := array.NewData(arrow.PrimitiveTypes.Float64, c.n*c.dim, []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	defer child.Release()
	data := array.NewData(table.DenseVectorType(c.dim), c.n, []*memory.Buffer{nil}, []arrow.ArrayData{child}, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// OutputSchema checks that in has a vector column featuresCol and appends
// fields and, when versionCol is not empty, the model version field.
func OutputSchema(in *arrow.Schema, featuresCol string, fields []arrow.Field, versionCol string) (*arrow.Schema, error) {
	if err := design.CheckFeatures(in, featuresCol); err != nil {
		return nil, err
	}
	out := in
	var err error
	for _, f := range fields {
		if out, err = pipeline.AppendField(out, f); err != nil {
			return nil, err
		}
	}
	if versionCol != "" {
		if out, err = pipeline.AppendField(out, pipeline.VersionField(versionCol)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Finish returns rec (borrowed) with cols appended (consumed, even on
// error) and, when versionCol is not empty, a model version column.
// schema is what OutputSchema returned for rec's schema.
func Finish(mem memory.Allocator, rec arrow.Record, schema *arrow.Schema, cols []*Column, versionCol string, version int64) (arrow.Record, error) {
	arrs := append(make([]arrow.Array, 0, int(rec.NumCols())+len(cols)), rec.Columns()...)
	for _, c := range cols {
		a := c.array()
		defer a.Release()
		arrs = append(arrs, a)
	}
	n := rec.NumRows()
	if versionCol == "" {
		return array.NewRecord(schema, arrs, n), nil
	}
	fields := schema.Fields()
	md := schema.Metadata()
	base := array.NewRecord(arrow.NewSchema(fields[:len(fields)-1], &md), arrs, n)
	defer base.Release()
	return pipeline.AppendVersionColumn(mem, base, versionCol, version)
}

// Features returns the batch's feature matrix (row-major, n rows of dim
// values, dim as fitted), with the errors of design.Features.
func Features(rec arrow.Record, col string, dim int) ([]float64, error) {
	x, _, err := design.Features(rec, col, dim, 0, nil)
	return x, err
}

// ReadFeatures reads the vector column col of r (borrowed) to its end into
// a row-major matrix. It is an error when there are no rows, a vector is
// null or holds NaN or an infinity, or sizes differ (naming the column and
// the row).
//
// The matrix is read-only: when r delivers one batch of dense vectors it is
// that batch's Arrow buffer itself (no copy; the batch is retained), else
// one exact-size copy of the batches. Call release once x is no longer
// used (it is never nil, also on error).
func ReadFeatures(r table.Reader, col string) (x []float64, n, dim int, release func(), err error) {
	var recs []arrow.Record
	release = func() {
		for _, rec := range recs {
			rec.Release()
		}
		recs = nil
	}
	fail := func(err error) ([]float64, int, int, func(), error) {
		release()
		return nil, 0, 0, func() {}, err
	}
	if err := design.CheckFeatures(r.Schema(), col); err != nil {
		return fail(err)
	}
	ci, _ := table.FieldIndex(r.Schema(), col)
	sparse := table.IsSparseVector(r.Schema().Field(ci).Type)
	dim = -1
	// Batches are kept (dense ones as views of retained records) and
	// joined once at the end: appending batch by batch would copy a large
	// matrix several times over as the slice doubles.
	var pieces [][]float64
	for r.Next() {
		rec := r.Record()
		xb, d, err := design.Features(rec, col, dim, int64(n), nil)
		if err != nil {
			return fail(err)
		}
		if !sparse {
			rec.Retain()
			recs = append(recs, rec)
		}
		dim = d
		pieces = append(pieces, xb)
		n += int(rec.NumRows())
	}
	if err := r.Err(); err != nil {
		return fail(err)
	}
	if n == 0 {
		return fail(errors.New("no rows to fit"))
	}
	if dim == 0 {
		return fail(fmt.Errorf("column %q: vectors of size 0", col))
	}
	if len(pieces) == 1 {
		return pieces[0], n, dim, release, nil
	}
	x = make([]float64, 0, n*dim)
	for _, p := range pieces {
		x = append(x, p...)
	}
	release()
	return x, n, dim, func() {}, nil
}
