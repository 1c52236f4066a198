package ftrl

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline/param"
)

// Kind is the learner's kind name.
const Kind = "ftrl"

// Params.
var (
	Alpha       = param.New("alpha", "FTRL learning rate scale alpha", 0.2, param.Gt(0.0))
	Beta        = param.New("beta", "FTRL learning rate smoothing beta", 1.0, param.GtEq(0.0))
	L1          = param.New("l1", "L1 regularisation strength", 1.0, param.GtEq(0.0))
	L2          = param.New("l2", "L2 regularisation strength", 1.0, param.GtEq(0.0))
	NumFeatures = param.New("num_features", "size of the feature vectors; 0 takes it from the first batch", 0, param.GtEq(0))
)

// maxFeatures bounds num_features (2^31 coordinates of 16 bytes).
const maxFeatures = 1 << 31

type coord struct{ z, sq float64 } // sq = sqrt(n)

type hyper struct{ alpha, beta, l1, l2, ia float64 }

// FTRL is an FTRL-Proximal logistic regression learner.
type FTRL struct {
	param.HasFeaturesCol
	param.HasLabelCol
	params *param.Set

	h      hyper
	dim    int
	st     []coord // dim feature coordinates, then the bias
	labels [2]float64
	rows   int64

	ybuf, pbuf, w []float64
}

// New builds an FTRL learner from param values.
func New(values map[string]any) (*FTRL, error) {
	f := &FTRL{labels: [2]float64{0, 1}}
	f.params = param.NewSet(Kind, &f.HasFeaturesCol, &f.HasLabelCol, Alpha, Beta, L1, L2, NumFeatures)
	if err := f.params.SetMap(values); err != nil {
		return nil, err
	}
	if n := NumFeatures.Get(f.params); n > 0 {
		if err := f.init(n); err != nil {
			return nil, err
		}
	}
	f.readHyper()
	return f, nil
}

func (f *FTRL) Kind() string       { return Kind }
func (f *FTRL) Params() *param.Set { return f.params }

func (f *FTRL) readHyper() {
	a := Alpha.Get(f.params)
	f.h = hyper{alpha: a, beta: Beta.Get(f.params), l1: L1.Get(f.params), l2: L2.Get(f.params), ia: 1 / a}
}

func (f *FTRL) init(n int) error {
	if n > maxFeatures {
		return fmt.Errorf("learner %q: param \"num_features\": %d is more than %d", Kind, n, maxFeatures)
	}
	f.dim = n
	f.st = make([]coord, n+1)
	return nil
}

// Dim returns the feature vector size, 0 before the first batch when
// num_features is 0.
func (f *FTRL) Dim() int { return f.dim }

// Rows returns the number of rows learned.
func (f *FTRL) Rows() int64 { return f.rows }

// Labels returns the two class labels (negative, positive).
func (f *FTRL) Labels() [2]float64 { return f.labels }

func (h *hyper) weight(c *coord) float64 {
	z := c.z
	if z <= h.l1 && z >= -h.l1 {
		return 0
	}
	s := h.l1
	if z < 0 {
		s = -h.l1
	}
	return -(z - s) / ((h.beta+c.sq)*h.ia + h.l2)
}

func sigmoid(x float64) float64 {
	if x > 35 {
		x = 35
	} else if x < -35 {
		x = -35
	}
	return 1 / (1 + math.Exp(-x))
}

// Weights writes the current weights into dst (grown to Dim) and returns it
// with the bias.
func (f *FTRL) Weights(dst []float64) (w []float64, bias float64) {
	dst = olearn.Grow(dst, f.dim)
	for i := range f.dim {
		dst[i] = f.h.weight(&f.st[i])
	}
	if f.st == nil {
		return dst, 0
	}
	return dst, f.h.weight(&f.st[f.dim])
}

// target maps a label to 0 or 1.
func (f *FTRL) target(y float64) (float64, bool) {
	switch y {
	case f.labels[1]:
		return 1, true
	case f.labels[0]:
		return 0, true
	}
	return 0, false
}

// stepSparse predicts then learns one sparse row whose indices are valid;
// y is 0 or 1. It allocates nothing.
func (f *FTRL) stepSparse(idx []int32, vals []float64, y float64) float64 {
	h := f.h
	st := f.st
	if cap(f.w) < len(idx) {
		f.w = make([]float64, len(idx)*2)
	}
	w := f.w[:len(idx)]
	vals = vals[:len(idx)]
	cb := &st[f.dim]
	wb := h.weight(cb)
	sum := wb
	for k, i := range idx {
		wk := h.weight(&st[i])
		w[k] = wk
		sum += wk * vals[k]
	}
	p := sigmoid(sum)
	g := p - y
	nsq := math.Sqrt(cb.sq*cb.sq + g*g)
	cb.z += g - (nsq-cb.sq)*h.ia*wb
	cb.sq = nsq
	for k, i := range idx {
		gi := g * vals[k]
		if gi == 0 {
			continue
		}
		c := &st[i]
		nsq := math.Sqrt(c.sq*c.sq + gi*gi)
		c.z += gi - (nsq-c.sq)*h.ia*w[k]
		c.sq = nsq
	}
	return p
}

// stepDense is stepSparse for a dense row of size dim, skipping zeros.
func (f *FTRL) stepDense(x []float64, y float64) float64 {
	h := f.h
	st := f.st[:len(x)+1]
	if cap(f.w) < len(x) {
		f.w = make([]float64, len(x))
	}
	w := f.w[:len(x)]
	cb := &st[len(x)]
	wb := h.weight(cb)
	sum := wb
	for i, v := range x {
		if v == 0 {
			continue
		}
		wi := h.weight(&st[i])
		w[i] = wi
		sum += wi * v
	}
	p := sigmoid(sum)
	g := p - y
	nsq := math.Sqrt(cb.sq*cb.sq + g*g)
	cb.z += g - (nsq-cb.sq)*h.ia*wb
	cb.sq = nsq
	for i, v := range x {
		gi := g * v
		if gi == 0 {
			continue
		}
		c := &st[i]
		nsq := math.Sqrt(c.sq*c.sq + gi*gi)
		c.z += gi - (nsq-c.sq)*h.ia*w[i]
		c.sq = nsq
	}
	return p
}

// UpdateRow learns one sparse row (indices in [0, Dim), values finite) with
// label y and returns P(y = positive label) predicted before learning it.
func (f *FTRL) UpdateRow(indices []int32, values []float64, y float64) (float64, error) {
	if f.st == nil {
		return 0, fmt.Errorf("learner %q: num_features is unknown: set it or learn a batch first", Kind)
	}
	t, ok := f.target(y)
	if !ok {
		return 0, fmt.Errorf("learner %q: label %v is not one of %v", Kind, y, f.labels)
	}
	if err := olearn.CheckSparseRow(Kind, indices, values, f.dim); err != nil {
		return 0, err
	}
	f.rows++
	return f.stepSparse(indices, values, t), nil
}

// UpdateDense learns one dense row of size Dim with label y and returns
// the probability predicted before learning it.
func (f *FTRL) UpdateDense(x []float64, y float64) (float64, error) {
	if f.st == nil {
		if err := f.init(len(x)); err != nil {
			return 0, err
		}
	}
	if len(x) != f.dim {
		return 0, fmt.Errorf("learner %q: vector of size %d, want %d", Kind, len(x), f.dim)
	}
	t, ok := f.target(y)
	if !ok {
		return 0, fmt.Errorf("learner %q: label %v is not one of %v", Kind, y, f.labels)
	}
	if err := olearn.CheckFinite(Kind, x); err != nil {
		return 0, err
	}
	f.rows++
	return f.stepDense(x, t), nil
}

// Update learns the rows of rec in order. rec is borrowed. A bad row
// (null, NaN, unknown label, wrong size) fails the whole batch before any
// row is learned, naming the column and the row.
func (f *FTRL) Update(ctx context.Context, rec arrow.Record) error {
	_, err := f.update(ctx, rec, nil, false)
	return err
}

// UpdatePredict is Update that also writes into dst (grown to the batch's
// row count) the probability of the positive label predicted for each row
// before it was learned, the test-then-train protocol of prequential
// evaluation.
func (f *FTRL) UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error) {
	return f.update(ctx, rec, dst, true)
}

func (f *FTRL) update(ctx context.Context, rec arrow.Record, dst []float64, keep bool) (out []float64, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("learner %q: update panicked: %v", Kind, r)
		}
	}()
	feats, err := olearn.ReadFeatures(rec, f.FeaturesCol(), f.dim, f.rows)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", Kind, err)
	}
	y, err := olearn.Labels(rec, f.LabelCol(), f.rows, f.ybuf)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", Kind, err)
	}
	f.ybuf = y
	n := feats.N
	f.pbuf = olearn.Grow(f.pbuf, n) // targets, 0/1
	t := f.pbuf
	for i, v := range y {
		var ok bool
		if t[i], ok = f.target(v); !ok {
			return nil, fmt.Errorf("learner %q: column %q row %d: label %v is not one of %v", Kind, f.LabelCol(), f.rows+int64(i), v, f.labels)
		}
	}
	if !keep {
		dst = nil
	} else {
		dst = olearn.Grow(dst, n)
	}
	if n == 0 {
		return dst, nil
	}
	if f.st == nil {
		if err := f.init(feats.Dim); err != nil {
			return nil, err
		}
	}
	f.readHyper()
	if feats.IsSparse {
		sv := &feats.Sparse
		for i := range n {
			_, idx, vals := sv.At(i)
			p := f.stepSparse(idx, vals, t[i])
			if keep {
				dst[i] = p
			}
		}
	} else {
		d := feats.Dim
		x := feats.Dense
		for i := range n {
			p := f.stepDense(x[i*d:(i+1)*d], t[i])
			if keep {
				dst[i] = p
			}
		}
	}
	f.rows += int64(n)
	return dst, nil
}

// Predict writes into dst (grown to the batch's row count) the probability
// of the positive label for each row of rec under the current weights,
// without learning. rec is borrowed.
func (f *FTRL) Predict(rec arrow.Record, dst []float64) ([]float64, error) {
	feats, err := olearn.ReadFeatures(rec, f.FeaturesCol(), f.dim, 0)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", Kind, err)
	}
	dst = olearn.Grow(dst, feats.N)
	if f.st == nil {
		for i := range dst {
			dst[i] = 0.5
		}
		return dst, nil
	}
	h := f.h
	wb := h.weight(&f.st[f.dim])
	for i := range feats.N {
		sum := wb
		if feats.IsSparse {
			idx, vals := feats.SparseRow(i)
			for k, j := range idx {
				sum += h.weight(&f.st[j]) * vals[k]
			}
		} else {
			for j, v := range feats.Row(i) {
				if v != 0 {
					sum += h.weight(&f.st[j]) * v
				}
			}
		}
		dst[i] = sigmoid(sum)
	}
	return dst, nil
}

// ModelData returns the current weights as logistic_regression_model data
// (estimators/logreg), stamped with version. The caller owns one Release
// of each record.
func (f *FTRL) ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error) {
	if f.st == nil {
		return nil, fmt.Errorf("learner %q: no model yet: num_features is unknown", Kind)
	}
	w, b := f.Weights(nil)
	recs, err := logreg.ModelDataRecords(mem, [][]float64{w}, []float64{b}, f.labels[:])
	return olearn.Stamp(Kind, version, recs, err)
}

// Model returns a logistic_regression_model holding the current weights
// with the given version, scoring the learner's features column. It is
// independent of the learner: later updates do not change it.
func (f *FTRL) Model(version int64) (*logreg.Model, error) {
	m, err := olearn.NewModel(logreg.NewModel, f.FeaturesCol(), f.LabelCol(), f.ModelData, version)
	if err != nil {
		return nil, err // no model, even when only setting its data failed
	}
	return m, nil
}

// WarmStart replaces the learner's state with the weights of a binomial
// logistic_regression_model given by its model data (Model.ModelData):
// every weight, and the bias, equals the batch model's coefficient and
// intercept, the squared-gradient sums are 0 and the labels are the
// model's. num_features, when set, must match. The records are borrowed.
func (f *FTRL) WarmStart(data ...arrow.Record) error {
	w, icpt, labels, err := olearn.WarmBinary(Kind, logreg.NewModel, data, "a binomial model")
	if err != nil {
		return err
	}
	if n := NumFeatures.Get(f.params); n > 0 && n != len(w) {
		return fmt.Errorf("learner %q: warm start: model has %d coefficients, num_features is %d", Kind, len(w), n)
	}
	f.readHyper()
	if err := f.init(len(w)); err != nil {
		return err
	}
	h := f.h
	set := func(c *coord, wi float64) {
		switch {
		case wi > 0:
			c.z = -wi*(h.beta*h.ia+h.l2) - h.l1
		case wi < 0:
			c.z = -wi*(h.beta*h.ia+h.l2) + h.l1
		}
	}
	for i, wi := range w {
		set(&f.st[i], wi)
	}
	set(&f.st[f.dim], icpt)
	f.labels = labels
	f.rows = 0
	return nil
}

const (
	magic         = "EDDYFTRL"
	formatVersion = 1
)

// Snapshot encodes the full learner state: hyperparameters, labels, rows
// seen and every coordinate's (z, sqrt n), bit for bit.
func (f *FTRL) Snapshot() ([]byte, error) {
	e := olearn.NewEnc(magic, formatVersion, 16*len(f.st)+64)
	h := f.h
	e.F64(h.alpha)
	e.F64(h.beta)
	e.F64(h.l1)
	e.F64(h.l2)
	e.F64(f.labels[0])
	e.F64(f.labels[1])
	e.I64(f.rows)
	e.U64(uint64(f.dim))
	e.Bool(f.st != nil)
	for i := range f.st {
		e.F64(f.st[i].z)
		e.F64(f.st[i].sq)
	}
	return e.B, nil
}

// Restore replaces the learner's state with a Snapshot. The snapshot must
// have been taken with the same alpha, beta, l1 and l2 (and num_features,
// when set); on error the learner is unchanged.
func (f *FTRL) Restore(b []byte) error {
	d, err := olearn.OpenSnapshot(Kind, b, magic, formatVersion)
	if err != nil {
		return err
	}
	f.readHyper()
	h := f.h
	for _, p := range []struct {
		name string
		want float64
	}{{"alpha", h.alpha}, {"beta", h.beta}, {"l1", h.l1}, {"l2", h.l2}} {
		if got := d.F64(); math.Float64bits(got) != math.Float64bits(p.want) {
			d.Fail(fmt.Errorf("snapshot has %s=%v, the learner %v", p.name, got, p.want))
		}
	}
	labels := [2]float64{d.F64(), d.F64()}
	rows := d.I64()
	dim := d.U64()
	has := d.Bool()
	if n := NumFeatures.Get(f.params); n > 0 && uint64(n) != dim {
		d.Fail(fmt.Errorf("snapshot has %d features, num_features is %d", dim, n))
	}
	var st []coord
	if has {
		if dim > maxFeatures || uint64(d.Remaining()) != 16*(dim+1) {
			d.Fail(fmt.Errorf("snapshot of %d features holds %d bytes of coordinates", dim, d.Remaining()))
		} else {
			st = make([]coord, dim+1)
			for i := range st {
				st[i].z = d.F64()
				st[i].sq = d.F64()
			}
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("learner %q: restore: %w", Kind, err)
	}
	if !(labels[0] < labels[1]) || math.IsInf(labels[0], 0) || math.IsInf(labels[1], 0) {
		return fmt.Errorf("learner %q: restore: labels %v are not two increasing finite numbers", Kind, labels)
	}
	f.labels, f.rows, f.dim, f.st = labels, rows, int(dim), st
	if !has {
		f.dim = 0
	}
	return nil
}
