package pa

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/linearsvc"
	"github.com/eddyml/eddy/estimators/linreg"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline/param"
)

// Kind names.
const (
	ClassifierKind = "online_pa_classifier"
	RegressorKind  = "online_pa_regressor"
)

// Params.
var (
	C            = param.New("c", "aggressiveness C of PA-I and PA-II", 1.0, param.Gt(0.0))
	Variant      = param.New("variant", "pa, pa1 (PA-I) or pa2 (PA-II)", "pa1", param.OneOf("pa", "pa1", "pa2"))
	Epsilon      = param.New("epsilon", "regressor: width of the insensitive zone", 0.1, param.GtEq(0.0))
	FitIntercept = param.New("fit_intercept", "learn an intercept", true)
	NumFeatures  = param.New("num_features", "size of the feature vectors; 0 takes it from the first batch", 0, param.GtEq(0))
)

const maxFeatures = 1 << 30

type learner struct {
	kind   string
	class  bool
	params *param.Set
	fc, lc func() string

	c, eps  float64
	variant int // 0 pa, 1 pa1, 2 pa2
	fitB    bool
	labels  [2]float64
	dim     int
	w       []float64 // dim+1, intercept last
	rows    int64
	ybuf    []float64
	tbuf    []float64
}

func (l *learner) readHyper() {
	l.c, l.eps, l.fitB = C.Get(l.params), Epsilon.Get(l.params), FitIntercept.Get(l.params)
	l.variant = map[string]int{"pa": 0, "pa1": 1, "pa2": 2}[Variant.Get(l.params)]
}

func (l *learner) setup(kind string, class bool, values map[string]any, fc, lc param.Declarer, fcol, lcol func() string) error {
	l.kind, l.class, l.fc, l.lc = kind, class, fcol, lcol
	l.labels = [2]float64{0, 1}
	l.params = param.NewSet(kind, fc, lc, C, Variant, Epsilon, FitIntercept, NumFeatures)
	if err := l.params.SetMap(values); err != nil {
		return err
	}
	l.readHyper()
	if n := NumFeatures.Get(l.params); n > 0 {
		return l.init(n)
	}
	return nil
}

func (l *learner) init(n int) error {
	if n > maxFeatures {
		return fmt.Errorf("learner %q: param \"num_features\": %d is more than %d", l.kind, n, maxFeatures)
	}
	l.dim, l.w = n, make([]float64, n+1)
	return nil
}

// target maps a label to ±1 (classifier) or itself (regressor).
func (l *learner) target(y float64) (float64, bool) {
	if !l.class {
		return y, !math.IsNaN(y) && !math.IsInf(y, 0)
	}
	switch y {
	case l.labels[1]:
		return 1, true
	case l.labels[0]:
		return -1, true
	}
	return 0, false
}

// step scores then learns one row (idx nil: dense x) with target t.
func (l *learner) step(idx []int32, vals, x []float64, t float64) float64 {
	w := l.w
	m := w[l.dim]
	var q float64
	if idx != nil {
		vals = vals[:len(idx)]
		for k, i := range idx {
			m += w[i] * vals[k]
			q += vals[k] * vals[k]
		}
	} else {
		for i, v := range x {
			if v != 0 {
				m += w[i] * v
				q += v * v
			}
		}
	}
	var loss, s float64
	if l.class {
		loss, s = max(0, 1-t*m), t
	} else {
		d := t - m
		loss = max(0, math.Abs(d)-l.eps)
		s = 1
		if d < 0 {
			s = -1
		}
	}
	if l.fitB {
		q++
	}
	if loss == 0 || q == 0 {
		return m
	}
	var tau float64
	switch l.variant {
	case 0:
		tau = loss / q
	case 1:
		tau = min(l.c, loss/q)
	default:
		tau = loss / (q + 1/(2*l.c))
	}
	ts := tau * s
	if idx != nil {
		for k, i := range idx {
			w[i] += ts * vals[k]
		}
	} else {
		for i, v := range x {
			if v != 0 {
				w[i] += ts * v
			}
		}
	}
	if l.fitB {
		w[l.dim] += ts
	}
	return m
}

func (l *learner) updateRow(indices []int32, values, x []float64, y float64) (float64, error) {
	if x != nil && l.w == nil {
		if err := l.init(len(x)); err != nil {
			return 0, err
		}
	}
	if l.w == nil {
		return 0, fmt.Errorf("learner %q: num_features is unknown: set it or learn a batch first", l.kind)
	}
	t, ok := l.target(y)
	if !ok {
		return 0, fmt.Errorf("learner %q: label %v is not valid", l.kind, y)
	}
	if x != nil {
		if len(x) != l.dim {
			return 0, fmt.Errorf("learner %q: vector of size %d, want %d", l.kind, len(x), l.dim)
		}
		if err := olearn.CheckFinite(l.kind, x); err != nil {
			return 0, err
		}
	} else {
		if err := olearn.CheckSparseRow(l.kind, indices, values, l.dim); err != nil {
			return 0, err
		}
		if indices == nil {
			indices = []int32{}
		}
	}
	l.rows++
	return l.step(indices, values, x, t), nil
}

func (l *learner) update(ctx context.Context, rec arrow.Record, dst []float64, keep bool) (out []float64, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("learner %q: update panicked: %v", l.kind, r)
		}
	}()
	feats, err := olearn.ReadFeatures(rec, l.fc(), l.dim, l.rows)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", l.kind, err)
	}
	y, err := olearn.Labels(rec, l.lc(), l.rows, l.ybuf)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", l.kind, err)
	}
	l.ybuf = y
	l.tbuf = olearn.Grow(l.tbuf, len(y))
	for i, v := range y {
		var ok bool
		if l.tbuf[i], ok = l.target(v); !ok {
			return nil, fmt.Errorf("learner %q: column %q row %d: label %v is not one of %v", l.kind, l.lc(), l.rows+int64(i), v, l.labels)
		}
	}
	if keep {
		dst = olearn.Grow(dst, feats.N)
	}
	if feats.N == 0 {
		return dst, nil
	}
	l.readHyper()
	if l.w == nil {
		if err := l.init(feats.Dim); err != nil {
			return nil, err
		}
	}
	empty := []int32{}
	for r := range feats.N {
		var m float64
		if feats.IsSparse {
			idx, vals := feats.SparseRow(r)
			if idx == nil {
				idx = empty
			}
			m = l.step(idx, vals, nil, l.tbuf[r])
		} else {
			m = l.step(nil, nil, feats.Row(r), l.tbuf[r])
		}
		if keep {
			dst[r] = m
		}
	}
	l.rows += int64(feats.N)
	return dst, nil
}

func (l *learner) predict(rec arrow.Record, dst []float64) ([]float64, error) {
	feats, err := olearn.ReadFeatures(rec, l.fc(), l.dim, 0)
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", l.kind, err)
	}
	dst = olearn.Grow(dst, feats.N)
	for r := range feats.N {
		if l.w == nil {
			dst[r] = 0
			continue
		}
		m := l.w[l.dim]
		if feats.IsSparse {
			idx, vals := feats.SparseRow(r)
			for k, i := range idx {
				m += l.w[i] * vals[k]
			}
		} else {
			for i, v := range feats.Row(r) {
				if v != 0 {
					m += l.w[i] * v
				}
			}
		}
		dst[r] = m
	}
	return dst, nil
}

func (l *learner) weights() ([]float64, float64) {
	if l.w == nil {
		return nil, 0
	}
	return append([]float64(nil), l.w[:l.dim]...), l.w[l.dim]
}

func (l *learner) warm(coef []float64, b float64) error {
	if n := NumFeatures.Get(l.params); n > 0 && n != len(coef) {
		return fmt.Errorf("learner %q: warm start: model has %d coefficients, num_features is %d", l.kind, len(coef), n)
	}
	if err := l.init(len(coef)); err != nil {
		return err
	}
	copy(l.w, coef)
	l.w[l.dim] = b
	l.rows = 0
	return nil
}

func (l *learner) snapshot(magic string) []byte {
	e := olearn.NewEnc(magic, 1, 8*len(l.w)+96)
	e.F64(l.c)
	e.F64(l.eps)
	e.U32(uint32(l.variant))
	e.Bool(l.fitB)
	e.F64(l.labels[0])
	e.F64(l.labels[1])
	e.I64(l.rows)
	e.U64(uint64(l.dim))
	e.F64s(l.w)
	return e.B
}

func (l *learner) restore(b []byte, magic string) error {
	d, err := olearn.OpenSnapshot(l.kind, b, magic, 1)
	if err != nil {
		return err
	}
	l.readHyper()
	if c, eps := d.F64(), d.F64(); math.Float64bits(c) != math.Float64bits(l.c) || math.Float64bits(eps) != math.Float64bits(l.eps) {
		d.Fail(fmt.Errorf("snapshot has c=%v epsilon=%v, the learner %v and %v", c, eps, l.c, l.eps))
	}
	if int(d.U32()) != l.variant || d.Bool() != l.fitB {
		d.Fail(fmt.Errorf("snapshot has another variant or fit_intercept"))
	}
	labels := [2]float64{d.F64(), d.F64()}
	rows := d.I64()
	dim := d.U64()
	w := d.F64s(maxFeatures + 1)
	if len(w) != 0 && uint64(len(w)) != dim+1 {
		d.Fail(fmt.Errorf("snapshot holds %d weights for %d features", len(w), dim))
	}
	if n := NumFeatures.Get(l.params); n > 0 && uint64(n) != dim {
		d.Fail(fmt.Errorf("snapshot has %d features, num_features is %d", dim, n))
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("learner %q: restore: %w", l.kind, err)
	}
	if l.class && (!(labels[0] < labels[1]) || math.IsInf(labels[0], 0) || math.IsInf(labels[1], 0)) {
		return fmt.Errorf("learner %q: restore: labels %v are not two increasing finite numbers", l.kind, labels)
	}
	if len(w) == 0 {
		w, dim = nil, 0
	}
	l.labels, l.rows, l.dim, l.w = labels, rows, int(dim), w
	return nil
}

// Classifier is the passive-aggressive binary classifier.
type Classifier struct {
	param.HasFeaturesCol
	param.HasLabelCol
	l learner
}

// NewClassifier builds an online_pa_classifier.
func NewClassifier(values map[string]any) (*Classifier, error) {
	m := &Classifier{}
	if err := m.l.setup(ClassifierKind, true, values, &m.HasFeaturesCol, &m.HasLabelCol,
		func() string { return m.FeaturesCol() }, func() string { return m.LabelCol() }); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Classifier) Kind() string       { return ClassifierKind }
func (m *Classifier) Params() *param.Set { return m.l.params }

// Rows returns the number of rows learned.
func (m *Classifier) Rows() int64 { return m.l.rows }

// Update learns the rows of rec (borrowed) in order.
func (m *Classifier) Update(ctx context.Context, rec arrow.Record) error {
	_, err := m.l.update(ctx, rec, nil, false)
	return err
}

// UpdatePredict is Update that also writes each row's margin before
// learning it into dst.
func (m *Classifier) UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error) {
	return m.l.update(ctx, rec, dst, true)
}

// UpdateRow learns one sparse row and returns its margin before learning.
func (m *Classifier) UpdateRow(indices []int32, values []float64, y float64) (float64, error) {
	return m.l.updateRow(indices, values, nil, y)
}

// UpdateDense learns one dense row.
func (m *Classifier) UpdateDense(x []float64, y float64) (float64, error) {
	return m.l.updateRow(nil, nil, x, y)
}

// Predict writes each row's margin into dst.
func (m *Classifier) Predict(rec arrow.Record, dst []float64) ([]float64, error) {
	return m.l.predict(rec, dst)
}

// Weights returns a copy of the coefficients and the intercept.
func (m *Classifier) Weights() ([]float64, float64) { return m.l.weights() }

// ModelData returns the weights as binary linear_svc_model data stamped
// with version; the caller owns one Release of each record.
func (m *Classifier) ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error) {
	if m.l.w == nil {
		return nil, fmt.Errorf("learner %q: no model yet", ClassifierKind)
	}
	w, b := m.l.weights()
	recs, err := linearsvc.ModelDataRecords(mem, [][]float64{w}, []float64{b}, m.l.labels[:])
	return olearn.Stamp(ClassifierKind, version, recs, err)
}

// Model returns an independent linear_svc_model with the given version.
func (m *Classifier) Model(version int64) (*linearsvc.Model, error) {
	return olearn.NewModel(linearsvc.NewModel, m.FeaturesCol(), m.LabelCol(), m.ModelData, version)
}

// WarmStart starts from a binary linear_svc_model's data (borrowed).
func (m *Classifier) WarmStart(data ...arrow.Record) error {
	coef, b, labels, err := olearn.WarmBinary(ClassifierKind, linearsvc.NewModel, data, "2")
	if err != nil {
		return err
	}
	if err := m.l.warm(coef, b); err != nil {
		return err
	}
	m.l.labels = labels
	return nil
}

// Snapshot encodes the full learner state bit for bit.
func (m *Classifier) Snapshot() ([]byte, error) { return m.l.snapshot("EDDYPACL"), nil }

// Restore replaces the state with a Snapshot taken with the same params.
func (m *Classifier) Restore(b []byte) error { return m.l.restore(b, "EDDYPACL") }

// Regressor is the passive-aggressive regressor.
type Regressor struct {
	param.HasFeaturesCol
	param.HasLabelCol
	l learner
}

// NewRegressor builds an online_pa_regressor.
func NewRegressor(values map[string]any) (*Regressor, error) {
	m := &Regressor{}
	if err := m.l.setup(RegressorKind, false, values, &m.HasFeaturesCol, &m.HasLabelCol,
		func() string { return m.FeaturesCol() }, func() string { return m.LabelCol() }); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Regressor) Kind() string       { return RegressorKind }
func (m *Regressor) Params() *param.Set { return m.l.params }

// Rows returns the number of rows learned.
func (m *Regressor) Rows() int64 { return m.l.rows }

// Update learns the rows of rec (borrowed) in order.
func (m *Regressor) Update(ctx context.Context, rec arrow.Record) error {
	_, err := m.l.update(ctx, rec, nil, false)
	return err
}

// UpdatePredict is Update that also writes each row's prediction before
// learning it into dst.
func (m *Regressor) UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error) {
	return m.l.update(ctx, rec, dst, true)
}

// UpdateRow learns one sparse row and returns its prediction before.
func (m *Regressor) UpdateRow(indices []int32, values []float64, y float64) (float64, error) {
	return m.l.updateRow(indices, values, nil, y)
}

// UpdateDense learns one dense row.
func (m *Regressor) UpdateDense(x []float64, y float64) (float64, error) {
	return m.l.updateRow(nil, nil, x, y)
}

// Predict writes each row's prediction into dst.
func (m *Regressor) Predict(rec arrow.Record, dst []float64) ([]float64, error) {
	return m.l.predict(rec, dst)
}

// Weights returns a copy of the coefficients and the intercept.
func (m *Regressor) Weights() ([]float64, float64) { return m.l.weights() }

// ModelData returns the weights as linear_regression_model data stamped
// with version; the caller owns one Release of each record.
func (m *Regressor) ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error) {
	if m.l.w == nil {
		return nil, fmt.Errorf("learner %q: no model yet", RegressorKind)
	}
	w, b := m.l.weights()
	rec, err := linreg.ModelDataRecord(mem, w, b)
	return olearn.Stamp(RegressorKind, version, []arrow.Record{rec}, err)
}

// Model returns an independent linear_regression_model with the given
// version.
func (m *Regressor) Model(version int64) (*linreg.Model, error) {
	return olearn.NewModel(linreg.NewModel, m.FeaturesCol(), m.LabelCol(), m.ModelData, version)
}

// WarmStart starts from a linear_regression_model's data (borrowed).
func (m *Regressor) WarmStart(data ...arrow.Record) error {
	coef, b, err := olearn.WarmLinear(RegressorKind, linreg.NewModel, data)
	if err != nil {
		return err
	}
	return m.l.warm(coef, b)
}

// Snapshot encodes the full learner state bit for bit.
func (m *Regressor) Snapshot() ([]byte, error) { return m.l.snapshot("EDDYPARG"), nil }

// Restore replaces the state with a Snapshot taken with the same params.
func (m *Regressor) Restore(b []byte) error { return m.l.restore(b, "EDDYPARG") }
