package logreg

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/internal/trustedrec"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// ModelDataRecords builds logistic_regression_model data: coefs[v] and
// intercepts[v] for each coefficient vector (one for a binomial model,
// one per label for a multinomial one) and the sorted class labels. The
// caller owns one Release of each record.
func ModelDataRecords(mem memory.Allocator, coefs [][]float64, intercepts, labels []float64) ([]arrow.Record, error) {
	if err := checkShape(coefs, intercepts, labels); err != nil {
		return nil, err
	}
	c, err := table.Build(mem, table.Col("intercept", intercepts), table.DenseCol("coefficients", len(coefs[0]), coefs))
	if err != nil {
		return nil, err
	}
	l, err := table.Build(mem, table.Col("label", labels))
	if err != nil {
		c.Release()
		return nil, err
	}
	return []arrow.Record{c, l}, nil
}

func checkShape(coefs [][]float64, intercepts, labels []float64) error {
	if len(labels) < 2 {
		return fmt.Errorf("%d labels, want at least 2", len(labels))
	}
	if !slices.IsSorted(labels) || len(slices.Compact(slices.Clone(labels))) != len(labels) {
		return errors.New("labels are not sorted and distinct")
	}
	if len(coefs) != len(intercepts) {
		return fmt.Errorf("%d coefficient vectors for %d intercepts", len(coefs), len(intercepts))
	}
	if len(coefs) != 1 && len(coefs) != len(labels) {
		return fmt.Errorf("%d coefficient vectors for %d labels, want 1 or %d", len(coefs), len(labels), len(labels))
	}
	if len(coefs) == 1 && len(labels) != 2 {
		return fmt.Errorf("one coefficient vector for %d labels (binomial needs 2)", len(labels))
	}
	for _, c := range coefs {
		if len(c) != len(coefs[0]) {
			return errors.New("coefficient vectors differ in size")
		}
	}
	return nil
}

type state struct {
	coef       []float64 // nvec × dim
	intercepts []float64
	labels     []float64
	dim        int
}

func (s state) binomial() bool { return len(s.intercepts) == 1 }

func decode(data []arrow.Record) (state, error) {
	if len(data) != 2 {
		return state{}, fmt.Errorf("want 2 model data records (coefficients, labels), got %d", len(data))
	}
	c, l := data[0], data[1]
	ii, err := table.FieldIndex(c.Schema(), "intercept")
	if err != nil {
		return state{}, err
	}
	ci, err := table.FieldIndex(c.Schema(), "coefficients")
	if err != nil {
		return state{}, err
	}
	li, err := table.FieldIndex(l.Schema(), "label")
	if err != nil {
		return state{}, err
	}
	intercepts, err := table.Float64s(c.Column(ii))
	if err != nil {
		return state{}, fmt.Errorf("column \"intercept\": %w", err)
	}
	coef, dim, err := table.DenseVectors(c.Column(ci))
	if err != nil {
		return state{}, fmt.Errorf("column \"coefficients\": %w", err)
	}
	labels, err := table.Float64s(l.Column(li))
	if err != nil {
		return state{}, fmt.Errorf("column \"label\": %w", err)
	}
	coefs := make([][]float64, len(intercepts))
	for v := range coefs {
		coefs[v] = coef[v*dim : (v+1)*dim]
	}
	if len(intercepts) == 0 {
		return state{}, errors.New("no coefficient vectors")
	}
	if err := checkShape(coefs, intercepts, labels); err != nil {
		return state{}, err
	}
	return state{coef: coef, intercepts: intercepts, labels: labels, dim: dim}, nil
}

// Model is the logistic_regression_model.
type Model struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	params *param.Set
	state  pipeline.ModelState[state]
	// schemas caches the last output schema built by Transform, so that a
	// model scoring one small batch after another (a server) does not
	// rebuild a schema of every input column per call.
	schemas atomic.Pointer[schemaEntry]
}

// schemaEntry is an output schema computed for an input schema and the
// column params it was computed with.
type schemaEntry struct {
	in              *arrow.Schema
	k               int
	fc, pc, rc, prc string
	vc              string
	out             *arrow.Schema
}

// cachedOutSchema is outSchema(in, k), reusing the last answer when the
// input fields and the column params are unchanged.
func (m *Model) cachedOutSchema(in *arrow.Schema, k int) (*arrow.Schema, error) {
	fc, pc, rc, prc, vc := m.FeaturesCol(), m.PredictionCol(), m.RawPredictionCol(), m.ProbabilityCol(), m.ModelVersionCol()
	if e := m.schemas.Load(); e != nil && e.k == k && e.fc == fc && e.pc == pc && e.rc == rc && e.prc == prc && e.vc == vc {
		if e.in == in {
			return e.out, nil
		}
		if table.SameSchema(e.in, in) {
			// Keep the newest input pointer: a caller that reuses its
			// schema then hits on the identity test.
			m.schemas.Store(&schemaEntry{in: in, k: k, fc: fc, pc: pc, rc: rc, prc: prc, vc: vc, out: e.out})
			return e.out, nil
		}
	}
	out, err := m.outSchema(in, k)
	if err != nil {
		return nil, err
	}
	m.schemas.Store(&schemaEntry{in: in, k: k, fc: fc, pc: pc, rc: rc, prc: prc, vc: vc, out: out})
	return out, nil
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a logistic_regression_model (without data) from param
// values. It declares the estimator's params too, so that a fitted model
// records how it was made.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	var lc param.HasLabelCol
	var wc param.HasWeightCol
	m.params = param.NewSet(ModelKind, &m.HasFeaturesCol, &lc, &wc, &m.HasPredictionCol, &m.HasRawPredictionCol,
		&m.HasProbabilityCol, &m.HasModelVersionCol,
		MaxIter, Tol, RegParam, ElasticNetParam, FitIntercept, Family, ClassWeight, ClassWeights)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Model) Kind() string              { return ModelKind }
func (m *Model) Params() *param.Set        { return m.params }
func (m *Model) ModelData() []arrow.Record { return m.state.ModelData() }
func (m *Model) ModelVersion() int64       { return m.state.ModelVersion() }

// SetModelData replaces the model data (see ModelDataRecords).
func (m *Model) SetModelData(recs ...arrow.Record) error {
	if err := m.state.Set(recs, decode); err != nil {
		return fmt.Errorf("stage %q: set model data: %w", ModelKind, err)
	}
	return nil
}

// Coefficients returns a copy of the coefficient vectors (one for a
// binomial model, one per class otherwise); nil without data.
func (m *Model) Coefficients() [][]float64 {
	snap := m.state.Load()
	if snap == nil {
		return nil
	}
	s := snap.State
	out := make([][]float64, len(s.intercepts))
	for v := range out {
		out[v] = slices.Clone(s.coef[v*s.dim : (v+1)*s.dim])
	}
	return out
}

// Intercepts returns a copy of the intercepts.
func (m *Model) Intercepts() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.intercepts)
	}
	return nil
}

// Labels returns a copy of the class labels.
func (m *Model) Labels() []float64 {
	if snap := m.state.Load(); snap != nil {
		return slices.Clone(snap.State.labels)
	}
	return nil
}

func (m *Model) outFields(k int) []arrow.Field {
	return []arrow.Field{
		{Name: m.PredictionCol(), Type: arrow.PrimitiveTypes.Float64},
		{Name: m.RawPredictionCol(), Type: table.DenseVectorType(k)},
		{Name: m.ProbabilityCol(), Type: table.DenseVectorType(k)},
	}
}

// OutputSchema appends prediction, raw prediction and probability (and
// model version) columns. It needs model data to know the class count.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, pipeline.ErrNoModelData
	}
	return m.outSchema(in, len(snap.State.labels))
}

func (m *Model) outSchema(in *arrow.Schema, k int) (*arrow.Schema, error) {
	if err := design.CheckFeatures(in, m.FeaturesCol()); err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	out := in
	var err error
	for _, f := range m.outFields(k) {
		if out, err = pipeline.AppendField(out, f); err != nil {
			return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
		}
	}
	if vc := m.ModelVersionCol(); vc != "" {
		if out, err = pipeline.AppendField(out, pipeline.VersionField(vc)); err != nil {
			return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
		}
	}
	return out, nil
}

// Transform scores rec (borrowed).
func (m *Model) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	snap := m.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	s := snap.State
	k := len(s.labels)
	schema, err := m.cachedOutSchema(rec.Schema(), k)
	if err != nil {
		return nil, err
	}
	var x []float64
	var sp *design.CSR
	if design.IsSparse(rec, m.FeaturesCol()) {
		// Score by the stored entries: the CSR view aliases rec's
		// buffers, only its row offsets are (pooled) storage.
		sp = csrPool.Get().(*design.CSR)
		defer func() {
			sp.Indices, sp.Values = nil, nil
			csrPool.Put(sp)
		}()
		err = design.SparseFeatures(rec, m.FeaturesCol(), s.dim, 0, sp)
	} else {
		x, _, err = design.Features(rec, m.FeaturesCol(), s.dim, 0, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	predBuf := memory.NewResizableBuffer(mem)
	predBuf.Resize(n * 8)
	rawBuf := memory.NewResizableBuffer(mem)
	rawBuf.Resize(n * k * 8)
	probBuf := memory.NewResizableBuffer(mem)
	probBuf.Resize(n * k * 8)
	pred := arrow.Float64Traits.CastFromBytes(predBuf.Bytes())[:n]
	raw := arrow.Float64Traits.CastFromBytes(rawBuf.Bytes())[:n*k]
	prob := arrow.Float64Traits.CastFromBytes(probBuf.Bytes())[:n*k]
	if sp != nil {
		scoreSparse(s, sp, pred, raw, prob)
	} else {
		score(s, x, n, pred, raw, prob)
	}
	cols := make([]arrow.Array, 0, 4)
	predArr := wrap(arrow.PrimitiveTypes.Float64, n, predBuf)
	rawArr := wrapVectors(k, n, rawBuf)
	probArr := wrapVectors(k, n, probBuf)
	defer predArr.Release()
	defer rawArr.Release()
	defer probArr.Release()
	cols = append(cols, predArr, rawArr, probArr)
	if m.ModelVersionCol() != "" {
		verBuf := memory.NewResizableBuffer(mem)
		verBuf.Resize(n * 8)
		vers := arrow.Int64Traits.CastFromBytes(verBuf.Bytes())[:n]
		for i := range vers {
			vers[i] = snap.Version
		}
		verArr := wrap(arrow.PrimitiveTypes.Int64, n, verBuf)
		defer verArr.Release()
		cols = append(cols, verArr)
	}
	// The columns are rec's (of the types its schema says) and ours (of
	// the types outSchema appended): skip array.NewRecord's per-column
	// reflect.DeepEqual type check, and retain rec once rather than each
	// of its columns.
	out, err := trustedrec.Extend(schema, rec, cols...)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	return out, nil
}

// score writes predictions, margins and probabilities for n row-major
// rows of x; it allocates nothing.
func score(s state, x []float64, n int, pred, raw, prob []float64) {
	d, k := s.dim, len(s.labels)
	for i := range n {
		xi := x[i*d : (i+1)*d]
		r, p := raw[i*k:(i+1)*k], prob[i*k:(i+1)*k]
		if s.binomial() {
			z := s.intercepts[0]
			for j, v := range xi {
				z += v * s.coef[j]
			}
			r[0], r[1] = -z, z
			p1 := sigmoid(z)
			p[0], p[1] = 1-p1, p1
			pred[i] = s.labels[0]
			if z > 0 {
				pred[i] = s.labels[1]
			}
			continue
		}
		best := 0
		zmax := math.Inf(-1)
		for c := range k {
			w := s.coef[c*d : (c+1)*d]
			z := s.intercepts[c]
			for j, v := range xi {
				z += v * w[j]
			}
			r[c] = z
			if z > zmax {
				zmax, best = z, c
			}
		}
		var sum float64
		for c := range k {
			p[c] = math.Exp(r[c] - zmax)
			sum += p[c]
		}
		for c := range k {
			p[c] /= sum
		}
		pred[i] = s.labels[best]
	}
}

func wrap(dt arrow.DataType, n int, buf *memory.Buffer) arrow.Array {
	data := array.NewData(dt, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	defer data.Release()
	return array.MakeFromData(data)
}

func wrapVectors(k, n int, buf *memory.Buffer) arrow.Array {
	child := array.NewData(arrow.PrimitiveTypes.Float64, n*k, []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	defer child.Release()
	data := array.NewData(table.DenseVectorType(k), n, []*memory.Buffer{nil}, []arrow.ArrayData{child}, 0, 0)
	defer data.Release()
	return array.MakeFromData(data)
}
