package design

import (
	"errors"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// CSR is a compressed sparse row matrix of N rows and D columns: row i's
// non-zero entries are Values[Offsets[i]:Offsets[i+1]] at the columns
// Indices[Offsets[i]:Offsets[i+1]], strictly increasing and in [0, D).
// Entries stored with the value 0 are allowed (they are what the sparse
// vector holds).
type CSR struct {
	N, D    int
	Offsets []int64 // N+1 entries, Offsets[0] = 0
	Indices []int32
	Values  []float64
}

// Row returns row i's column indices and values (aliasing m).
func (m *CSR) Row(i int) ([]int32, []float64) {
	lo, hi := m.Offsets[i], m.Offsets[i+1]
	return m.Indices[lo:hi], m.Values[lo:hi]
}

// NNZ returns the number of stored entries.
func (m *CSR) NNZ() int { return int(m.Offsets[m.N]) }

// ReadKeepSparse is Read that keeps a sparse vector features column
// sparse: the returned Data then has X nil and Sparse set (one compact
// copy of the batches' indices and values), with the checks of Read (a
// null vector, a NaN or infinite value, vectors of different sizes) and
// those of the sparse layout (indices and values of different lengths,
// an index out of [0, size) or not increasing), each naming the column
// and the row. A dense features column reads as with Read. r is borrowed.
func ReadKeepSparse(r table.Reader, featuresCol, labelCol, weightCol string) (*Data, error) {
	i, err := table.FieldIndex(r.Schema(), featuresCol)
	if err != nil {
		return nil, err
	}
	if !table.IsSparseVector(r.Schema().Field(i).Type) {
		return Read(r, featuresCol, labelCol, weightCol)
	}
	d := &Data{D: -1, Sparse: &CSR{Offsets: []int64{0}}}
	sp := d.Sparse
	var view CSR
	for r.Next() {
		rec := r.Record()
		start := int64(d.N)
		if err := SparseFeatures(rec, featuresCol, d.D, start, &view); err != nil {
			return nil, err
		}
		if d.D < 0 {
			d.D = view.D
		}
		if d.Y, err = appendNumbers(d.Y, rec, labelCol, start); err != nil {
			return nil, err
		}
		if weightCol != "" {
			if d.W, err = appendNumbers(d.W, rec, weightCol, start); err != nil {
				return nil, err
			}
		}
		base := int64(len(sp.Indices))
		for _, o := range view.Offsets[1:] {
			sp.Offsets = append(sp.Offsets, base+o)
		}
		sp.Indices = append(sp.Indices, view.Indices...)
		sp.Values = append(sp.Values, view.Values...)
		d.N += view.N
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if d.D < 0 {
		d.D = 0
	}
	sp.N, sp.D = d.N, d.D
	if err := d.check(labelCol, weightCol); err != nil {
		return nil, err
	}
	return d, nil
}

// IsSparse reports whether rec's column col is a sparse vector column
// (false when there is no such column).
func IsSparse(rec arrow.Record, col string) bool {
	i, err := table.FieldIndex(rec.Schema(), col)
	return err == nil && table.IsSparseVector(rec.Column(i).DataType())
}

// SparseFeatures sets m to a CSR view of rec's sparse vector column col:
// m.Indices and m.Values alias the column's Arrow buffers (valid while rec
// is), m.Offsets is rebuilt in m's own storage (one int64 per row, reused
// across calls). want is the expected dimension (-1: any) and start the
// batch's first row, for errors. The checks are those of ReadKeepSparse.
func SparseFeatures(rec arrow.Record, col string, want int, start int64, m *CSR) error {
	ci, err := table.FieldIndex(rec.Schema(), col)
	if err != nil {
		return err
	}
	arr := rec.Column(ci)
	if !table.IsSparseVector(arr.DataType()) {
		return fmt.Errorf("column %q has type %s, want a sparse vector", col, arr.DataType())
	}
	s := arr.(*array.Struct)
	n := s.Len()
	sizes := s.Field(0).(*array.Int32)
	il := s.Field(1).(*array.List)
	vl := s.Field(2).(*array.List)
	ic := il.ListValues().(*array.Int32)
	vc := vl.ListValues().(*array.Float64)
	if n == 0 {
		m.N, m.D = 0, max(want, 0)
		m.Offsets = append(m.Offsets[:0], 0)
		m.Indices, m.Values = nil, nil
		return nil
	}
	io, vo := il.Data().Offset(), vl.Data().Offset()
	if len(il.Offsets()) < io+n+1 || len(vl.Offsets()) < vo+n+1 {
		return fmt.Errorf("column %q: corrupt sparse vector offsets", col)
	}
	iOff := il.Offsets()[io : io+n+1]
	vOff := vl.Offsets()[vo : vo+n+1]
	ib, vb := iOff[0], vOff[0]
	if iOff[n] < ib || vOff[n] < vb || int(iOff[n]) > ic.Len() || int(vOff[n]) > vc.Len() {
		return fmt.Errorf("column %q: corrupt sparse vector offsets", col)
	}
	indices := ic.Int32Values()[ib:iOff[n]]
	values := vc.Float64Values()[vb:vOff[n]]
	if ic.NullN() > 0 || vc.NullN() > 0 {
		// Nulls inside the vectors: find the first row holding one.
		for j := range n {
			for p := iOff[j]; p < iOff[j+1]; p++ {
				if ic.IsNull(int(p)) {
					return pipeline.InvalidValue("column %q row %d: null index inside the vector", col, start+int64(j))
				}
			}
			for p := vOff[j]; p < vOff[j+1]; p++ {
				if vc.IsNull(int(p)) {
					return pipeline.InvalidValue("column %q row %d: null value inside the vector", col, start+int64(j))
				}
			}
		}
	}
	dim := want
	m.Offsets = append(m.Offsets[:0], 0)
	for j := range n {
		row := start + int64(j)
		if s.IsNull(j) {
			return pipeline.InvalidValue("column %q row %d: null feature vector", col, row)
		}
		size := int(sizes.Value(j))
		if dim < 0 {
			dim = size
		}
		if size != dim {
			return pipeline.InvalidValue("column %q row %d: vector of size %d, want %d", col, row, size, dim)
		}
		ilo, ihi := iOff[j]-ib, iOff[j+1]-ib
		vlo, vhi := vOff[j]-vb, vOff[j+1]-vb
		if ihi < ilo || ihi-ilo != vhi-vlo || vlo != ilo {
			return pipeline.InvalidValue("column %q row %d: sparse vector has %d indices but %d values", col, row, ihi-ilo, vhi-vlo)
		}
		prev := int32(-1)
		for p := ilo; p < ihi; p++ {
			ix := indices[p]
			if ix < 0 || int(ix) >= size {
				return pipeline.InvalidValue("column %q row %d: index %d out of range [0, %d)", col, row, ix, size)
			}
			if ix <= prev {
				return pipeline.InvalidValue("column %q row %d: index %d after %d, want strictly increasing indices", col, row, ix, prev)
			}
			prev = ix
			if v := values[p]; math.IsNaN(v) || math.IsInf(v, 0) {
				return pipeline.InvalidValue("column %q row %d: feature %d is %v", col, row, ix, v)
			}
		}
		m.Offsets = append(m.Offsets, int64(ihi))
	}
	if dim < 0 {
		dim = 0
	}
	m.N, m.D = n, dim
	m.Indices, m.Values = indices, values
	return nil
}

// check checks the labels and weights read into d.
func (d *Data) check(labelCol, weightCol string) error {
	if d.N == 0 {
		return errors.New("no rows to fit")
	}
	for i, v := range d.Y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return pipeline.InvalidValue("column %q row %d: label is %v", labelCol, i, v)
		}
	}
	for i, v := range d.W {
		if !(v >= 0) || math.IsInf(v, 0) {
			return pipeline.InvalidValue("column %q row %d: weight is %v, want a finite value >= 0", weightCol, i, v)
		}
	}
	return nil
}
