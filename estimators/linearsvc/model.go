package linearsvc

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/internal/linmodel"
	"github.com/eddyml/eddy/estimators/internal/scoring"
	"github.com/eddyml/eddy/pipeline"
)

// ModelDataRecords builds linear_svc_model data: coefs[v] and
// intercepts[v] for each weight vector (one for two classes, one per
// class for one-vs-rest) and the sorted class labels. The caller owns one
// Release of each record.
func ModelDataRecords(mem memory.Allocator, coefs [][]float64, intercepts, labels []float64) ([]arrow.Record, error) {
	return linmodel.Records(mem, coefs, intercepts, labels, vectors)
}

// vectors is the number of weight vectors for nlabels classes: one for
// two, one per class otherwise.
func vectors(nvec, nlabels int) error {
	want := nlabels
	if want == 2 {
		want = 1
	}
	if nvec != want {
		return fmt.Errorf("%d coefficient vectors for %d labels, want %d", nvec, nlabels, want)
	}
	return nil
}

// state is the decoded model data.
type state = linmodel.Coefs

// modelBase holds the model's column params, param set and model data.
type modelBase = linmodel.Model

// Model is the linear_svc_model. Besides the methods below it has Kind,
// Params, ModelData, ModelVersion, SetModelData (see ModelDataRecords),
// Coefficients (a copy of the weight vectors), Intercepts and Labels
// (copies), and the getters and setters of the features, prediction, raw
// prediction, probability and model version columns.
type Model struct {
	modelBase
}

var (
	_ pipeline.Model     = (*Model)(nil)
	_ pipeline.Versioned = (*Model)(nil)
)

// NewModel builds a linear_svc_model (without data) from param values.
func NewModel(values map[string]any) (*Model, error) {
	m := &Model{}
	if err := linmodel.InitModel(&m.modelBase, ModelKind, vectors, values,
		MaxIter, Tol, RegParam, FitIntercept, InterceptScaling); err != nil {
		return nil, err
	}
	return m, nil
}

// OutputSchema appends prediction, raw prediction and probability columns
// (and the model version column). It needs model data for the class
// count.
func (m *Model) OutputSchema(in *arrow.Schema) (*arrow.Schema, error) {
	snap := linmodel.Snapshot(&m.modelBase)
	if snap == nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, pipeline.ErrNoModelData)
	}
	out, err := scoring.OutputSchema(in, m.FeaturesCol(), linmodel.Fields(&m.modelBase, len(snap.State.Labels)), m.ModelVersionCol())
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
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
	schema, err := m.OutputSchema(rec.Schema())
	if err != nil {
		return nil, err
	}
	x, err := scoring.Features(rec, m.FeaturesCol(), s.Dim)
	if err != nil {
		return nil, fmt.Errorf("stage %q: %w", ModelKind, err)
	}
	mem := pipeline.Allocator(ctx)
	n, k, d := int(rec.NumRows()), len(s.Labels), s.Dim
	pred := scoring.NewColumn(mem, m.PredictionCol(), 0, n)
	raw := scoring.NewColumn(mem, m.RawPredictionCol(), k, n)
	prob := scoring.NewColumn(mem, m.ProbabilityCol(), k, n)
	for i := range n {
		xi := x[i*d : (i+1)*d]
		r, p := raw.Values[i*k:(i+1)*k], prob.Values[i*k:(i+1)*k]
		if k == 2 {
			z := s.Intercepts[0]
			for j, v := range xi {
				z += v * s.Coef[j]
			}
			r[0], r[1] = -z, z
			p1 := sigmoid(z)
			p[0], p[1] = 1-p1, p1
			pred.Values[i] = s.Labels[0]
			if z > 0 {
				pred.Values[i] = s.Labels[1]
			}
			continue
		}
		best := 0
		var sum float64
		for c := range k {
			z := s.Intercepts[c]
			for j, v := range xi {
				z += v * s.Coef[c*d+j]
			}
			r[c] = z
			if z > r[best] {
				best = c
			}
			p[c] = sigmoid(z)
			sum += p[c]
		}
		for c := range p {
			p[c] /= sum
		}
		pred.Values[i] = s.Labels[best]
	}
	return scoring.Finish(mem, rec, schema, []*scoring.Column{pred, raw, prob}, m.ModelVersionCol(), snap.Version)
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
