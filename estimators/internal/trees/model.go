package trees

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/design"
	"github.com/eddyml/eddy/pipeline"
	"github.com/eddyml/eddy/pipeline/param"
	"github.com/eddyml/eddy/pipeline/table"
)

// core is what classifier and regressor models share.
type core struct {
	kind    string
	clf     bool
	boosted bool
	params  *param.Set
	state   pipeline.ModelState[*Ensemble]
}

func (c *core) Kind() string              { return c.kind }
func (c *core) Params() *param.Set        { return c.params }
func (c *core) ModelData() []arrow.Record { return c.state.ModelData() }
func (c *core) ModelVersion() int64       { return c.state.ModelVersion() }

// SetModelData replaces the model data (see Ensemble.Records).
func (c *core) SetModelData(recs ...arrow.Record) error {
	err := c.state.Set(recs, func(data []arrow.Record) (*Ensemble, error) { return Decode(data, c.clf, c.boosted) })
	if err != nil {
		return fmt.Errorf("stage %q: set model data: %w", c.kind, err)
	}
	return nil
}

// SetEnsemble encodes e with mem and makes it the model data.
func (c *core) SetEnsemble(mem memory.Allocator, e *Ensemble) error {
	recs, err := e.Records(mem)
	if err != nil {
		return fmt.Errorf("stage %q: %w", c.kind, err)
	}
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	return c.SetModelData(recs...)
}

// Ensemble returns the current trees (nil without model data); they must
// not be modified.
func (c *core) Ensemble() *Ensemble { return c.ensemble() }

func (c *core) ensemble() *Ensemble {
	if s := c.state.Load(); s != nil {
		return s.State
	}
	return nil
}

// FeatureImportances returns the importance of each feature, summing to 1
// (all zeros when no tree splits): the mean decrease in impurity for
// trees and forests (scikit-learn's feature_importances_), the total split
// gain normalised for boosted trees. Nil without model data.
func (c *core) FeatureImportances() []float64 {
	if e := c.ensemble(); e != nil {
		return Importances(e.Trees, e.Dim)
	}
	return nil
}

// NumTrees is the number of trees (0 without model data).
func (c *core) NumTrees() int {
	if e := c.ensemble(); e != nil {
		return len(e.Trees)
	}
	return 0
}

// NumFeatures is the feature vector size the model expects.
func (c *core) NumFeatures() int {
	if e := c.ensemble(); e != nil {
		return e.Dim
	}
	return 0
}

// Depths returns the depth of each tree.
func (c *core) Depths() []int {
	e := c.ensemble()
	if e == nil {
		return nil
	}
	out := make([]int, len(e.Trees))
	for i := range e.Trees {
		out[i] = e.Trees[i].Depth()
	}
	return out
}

// Labels returns the class labels of a classifier.
func (c *core) Labels() []float64 {
	if e := c.ensemble(); e != nil {
		return slices.Clone(e.Labels)
	}
	return nil
}

func (c *core) outSchema(in *arrow.Schema, featuresCol, versionCol string, fields []arrow.Field) (*arrow.Schema, error) {
	if err := design.CheckFeatures(in, featuresCol); err != nil {
		return nil, fmt.Errorf("stage %q: %w", c.kind, err)
	}
	out := in
	var err error
	if versionCol != "" {
		fields = append(fields, pipeline.VersionField(versionCol))
	}
	for _, f := range fields {
		if out, err = pipeline.AppendField(out, f); err != nil {
			return nil, fmt.Errorf("stage %q: %w", c.kind, err)
		}
	}
	return out, nil
}

// transform scores rec: fields are the output fields without the version
// column, widths their vector sizes (0: a float64 column), score fills one
// buffer per field for rows [lo, hi).
func (c *core) transform(ctx context.Context, rec arrow.Record, featuresCol, versionCol string,
	outputs func(e *Ensemble) ([]arrow.Field, []int),
	score func(e *Ensemble, x []float64, lo, hi int, out [][]float64)) (arrow.Record, error) {
	snap := c.state.Load()
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", c.kind, pipeline.ErrNoModelData)
	}
	e := snap.State
	fields, widths := outputs(e)
	schema, err := c.outSchema(rec.Schema(), featuresCol, versionCol, fields)
	if err != nil {
		return nil, err
	}
	x, _, err := design.Features(rec, featuresCol, e.Dim, 0, nil)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", c.kind, err)
	}
	mem := pipeline.Allocator(ctx)
	n := int(rec.NumRows())
	bufs := make([]*memory.Buffer, len(fields))
	out := make([][]float64, len(fields))
	for i, w := range widths {
		bufs[i] = memory.NewResizableBuffer(mem)
		bufs[i].Resize(n * max(w, 1) * 8)
		out[i] = arrow.Float64Traits.CastFromBytes(bufs[i].Bytes())[:n*max(w, 1)]
	}
	// Two goroutines on large batches; each writes its own rows.
	if n*len(e.Trees) >= 1<<15 && n >= 2 {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			score(e, x, n/2, n, out)
		}()
		score(e, x, 0, n/2, out)
		wg.Wait()
	} else {
		score(e, x, 0, n, out)
	}
	cols := slices.Clone(rec.Columns())
	for i, w := range widths {
		var a arrow.Array
		if w == 0 {
			a = wrap(n, bufs[i])
		} else {
			a = wrapVectors(w, n, bufs[i])
		}
		defer a.Release()
		cols = append(cols, a)
	}
	if versionCol == "" {
		return array.NewRecord(schema, cols, int64(n)), nil
	}
	fs := schema.Fields()
	md := schema.Metadata()
	base := array.NewRecord(arrow.NewSchema(fs[:len(fs)-1], &md), cols, int64(n))
	defer base.Release()
	return pipeline.AppendVersionColumn(mem, base, versionCol, snap.Version)
}

func wrap(n int, buf *memory.Buffer) arrow.Array {
	data := array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
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

// ClassifierModel is the model of a tree classifier: prediction,
// raw_prediction and probability columns.
type ClassifierModel struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasRawPredictionCol
	param.HasProbabilityCol
	param.HasModelVersionCol
	core
}

// NewClassifierModel builds a classifier model of kind (boosted or
// averaged trees) without data. extra declares the estimator's own params
// so that a fitted model records how it was made.
func NewClassifierModel(kind string, boosted bool, values map[string]any, extra ...param.Declarer) (*ClassifierModel, error) {
	m := &ClassifierModel{core: core{kind: kind, clf: true, boosted: boosted}}
	var lc param.HasLabelCol
	var wc param.HasWeightCol
	var sd param.HasSeed
	decls := append([]param.Declarer{&m.HasFeaturesCol, &lc, &wc, &m.HasPredictionCol, &m.HasRawPredictionCol,
		&m.HasProbabilityCol, &m.HasModelVersionCol, &sd}, extra...)
	m.params = param.NewSet(kind, decls...)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *ClassifierModel) fields(k int) []arrow.Field {
	return []arrow.Field{
		{Name: m.PredictionCol(), Type: arrow.PrimitiveTypes.Float64},
		{Name: m.RawPredictionCol(), Type: table.DenseVectorType(k)},
		{Name: m.ProbabilityCol(), Type: table.DenseVectorType(k)},
	}
}

// OutputSchema appends prediction (float64), raw_prediction and
// probability (dense vectors of one value per class) and the model version
// column when set. It needs model data to know the class count.
func (m *ClassifierModel) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	e := m.ensemble()
	if e == nil {
		return nil, fmt.Errorf("stage %q: %w", m.kind, pipeline.ErrNoModelData)
	}
	return m.outSchema(in, m.FeaturesCol(), m.ModelVersionCol(), m.fields(len(e.Labels)))
}

// Transform scores rec (borrowed); the caller owns the result.
func (m *ClassifierModel) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	return m.transform(ctx, rec, m.FeaturesCol(), m.ModelVersionCol(), func(e *Ensemble) ([]arrow.Field, []int) {
		k := len(e.Labels)
		return m.fields(k), []int{0, k, k}
	}, ScoreClassifier)
}

// ScoreClassifier writes predictions (out[0]), raw predictions (out[1])
// and probabilities (out[2]) of rows [lo, hi) of row-major x.
func ScoreClassifier(e *Ensemble, x []float64, lo, hi int, out [][]float64) {
	pred, raw, prob := out[0], out[1], out[2]
	k, d := len(e.Labels), e.Dim
	for i := lo; i < hi; i++ {
		xi := x[i*d : (i+1)*d]
		r, p := raw[i*k:(i+1)*k], prob[i*k:(i+1)*k]
		clear(r)
		switch {
		case !e.Boosted():
			for t := range e.Trees {
				v := e.Trees[t].LeafValue(xi)
				var s float64
				for _, c := range v {
					s += c
				}
				if s > 0 {
					for c := range v {
						r[c] += v[c] / s
					}
				}
			}
			for c := range r {
				p[c] = r[c] / float64(len(e.Trees))
			}
		case k == 2:
			f := e.Baseline[0]
			for t := range e.Trees {
				f += e.Trees[t].LeafValue(xi)[0]
			}
			r[0], r[1] = -f, f
			p1 := Sigmoid(f)
			p[0], p[1] = 1-p1, p1
		default:
			copy(r, e.Baseline)
			for t := range e.Trees {
				r[t%k] += e.Trees[t].LeafValue(xi)[0]
			}
			Softmax(p, r)
		}
		best := 0
		for c := range p {
			if p[c] > p[best] {
				best = c
			}
		}
		pred[i] = e.Labels[best]
	}
}

// Sigmoid is 1/(1+exp(-x)) without overflow.
func Sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	z := math.Exp(x)
	return z / (1 + z)
}

// Softmax writes softmax(z) to p.
func Softmax(p, z []float64) {
	zmax := math.Inf(-1)
	for _, v := range z {
		zmax = math.Max(zmax, v)
	}
	var s float64
	for c, v := range z {
		p[c] = math.Exp(v - zmax)
		s += p[c]
	}
	for c := range p {
		p[c] /= s
	}
}

// RegressorModel is the model of a tree regressor: a prediction column.
type RegressorModel struct {
	param.HasFeaturesCol
	param.HasPredictionCol
	param.HasModelVersionCol
	core
}

// NewRegressorModel builds a regressor model of kind without data; see
// NewClassifierModel.
func NewRegressorModel(kind string, boosted bool, values map[string]any, extra ...param.Declarer) (*RegressorModel, error) {
	m := &RegressorModel{core: core{kind: kind, boosted: boosted}}
	var lc param.HasLabelCol
	var wc param.HasWeightCol
	var sd param.HasSeed
	decls := append([]param.Declarer{&m.HasFeaturesCol, &lc, &wc, &m.HasPredictionCol, &m.HasModelVersionCol, &sd}, extra...)
	m.params = param.NewSet(kind, decls...)
	if err := m.params.SetMap(values); err != nil {
		return nil, err
	}
	return m, nil
}

// OutputSchema appends prediction (float64) and the model version column
// when set.
func (m *RegressorModel) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	if m.ensemble() == nil {
		return nil, fmt.Errorf("stage %q: %w", m.kind, pipeline.ErrNoModelData)
	}
	return m.outSchema(in, m.FeaturesCol(), m.ModelVersionCol(), m.fields())
}

func (m *RegressorModel) fields() []arrow.Field {
	return []arrow.Field{{Name: m.PredictionCol(), Type: arrow.PrimitiveTypes.Float64}}
}

// Transform scores rec (borrowed); the caller owns the result.
func (m *RegressorModel) Transform(ctx context.Context, rec arrow.Record) (arrow.Record, error) {
	return m.transform(ctx, rec, m.FeaturesCol(), m.ModelVersionCol(), func(*Ensemble) ([]arrow.Field, []int) {
		return m.fields(), []int{0}
	}, ScoreRegressor)
}

// ScoreRegressor writes predictions of rows [lo, hi) of x to out[0].
func ScoreRegressor(e *Ensemble, x []float64, lo, hi int, out [][]float64) {
	d := e.Dim
	for i := lo; i < hi; i++ {
		xi := x[i*d : (i+1)*d]
		var f float64
		for t := range e.Trees {
			f += e.Trees[t].LeafValue(xi)[0]
		}
		if e.Boosted() {
			out[0][i] = e.Baseline[0] + f
		} else {
			out[0][i] = f / float64(len(e.Trees))
		}
	}
}
