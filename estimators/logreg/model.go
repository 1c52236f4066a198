package logreg

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/estimators/internal/linmodel"
	"github.com/eddyml/eddy/internal/trustedrec"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/table"
)

// ModelDataRecords builds logistic_regression_model data: coefs[v] and
// intercepts[v] for each coefficient vector (one for a binomial model,
// one per label for a multinomial one) and the sorted class labels. The
// caller owns one Release of each record.
func ModelDataRecords(mem memory.Allocator, coefs [][]float64, intercepts, labels []float64) ([]arrow.Record, error) {
	return linmodel.Records(mem, coefs, intercepts, labels, vectors)
}

// vectors checks the number of coefficient vectors for nlabels classes:
// one (binomial, two classes) or one per class (multinomial).
func vectors(nvec, nlabels int) error {
	if nvec != 1 && nvec != nlabels {
		return fmt.Errorf("%d coefficient vectors for %d labels, want 1 or %d", nvec, nlabels, nlabels)
	}
	if nvec == 1 && nlabels != 2 {
		return fmt.Errorf("one coefficient vector for %d labels (binomial needs 2)", nlabels)
	}
	return nil
}

// state is the decoded model data.
type state = linmodel.Coefs

// binomial reports whether s has one coefficient vector (two classes).
func binomial(s state) bool { return len(s.Intercepts) == 1 }

// modelBase holds the model's column params, param set and model data.
type modelBase = linmodel.Model

// Model is the logistic_regression_model. Besides the methods below it
// has Kind, Params, ModelData, ModelVersion, SetModelData (see
// ModelDataRecords), Coefficients (a copy of the coefficient vectors: one
// for a binomial model, one per class otherwise; nil without data),
// Intercepts and Labels (copies), and the getters and setters of the
// features, prediction, raw prediction, probability and model version
// columns.
type Model struct {
	modelBase
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
	if err := linmodel.InitModel(&m.modelBase, ModelKind, vectors, values,
		MaxIter, Tol, RegParam, ElasticNetParam, FitIntercept, Family, ClassWeight, ClassWeights); err != nil {
		return nil, err
	}
	return m, nil
}

// OutputSchema appends prediction, raw prediction and probability (and
// model version) columns. It needs model data to know the class count.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	snap := linmodel.Snapshot(&m.modelBase)
	if snap == nil {
		return nil, pipeline.ErrNoModelData
	}
	return m.outSchema(in, len(snap.State.Labels))
}

func (m *Model) outSchema(in *arrow.Schema, k int) (*arrow.Schema, error) {
	if err := design.CheckFeatures(in, m.FeaturesCol()); err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	out := in
	var err error
	for _, f := range linmodel.Fields(&m.modelBase, k) {
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
	snap := linmodel.Snapshot(&m.modelBase)
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	s := snap.State
	k := len(s.Labels)
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
		err = design.SparseFeatures(rec, m.FeaturesCol(), s.Dim, 0, sp)
	} else {
		x, _, err = design.Features(rec, m.FeaturesCol(), s.Dim, 0, nil)
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
	d, k := s.Dim, len(s.Labels)
	for i := range n {
		xi := x[i*d : (i+1)*d]
		r, p := raw[i*k:(i+1)*k], prob[i*k:(i+1)*k]
		if binomial(s) {
			z := s.Intercepts[0]
			for j, v := range xi {
				z += v * s.Coef[j]
			}
			r[0], r[1] = -z, z
			p1 := sigmoid(z)
			p[0], p[1] = 1-p1, p1
			pred[i] = s.Labels[0]
			if z > 0 {
				pred[i] = s.Labels[1]
			}
			continue
		}
		best := 0
		zmax := math.Inf(-1)
		for c := range k {
			w := s.Coef[c*d : (c+1)*d]
			z := s.Intercepts[c]
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
		pred[i] = s.Labels[best]
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
