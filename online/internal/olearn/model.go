package olearn

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline"
)

// Settable is a batch model type whose data can be set: the model a linear
// learner publishes and warm starts from (linear_svc_model,
// logistic_regression_model, linear_regression_model).
type Settable interface {
	SetModelData(recs ...arrow.Record) error
}

// BinaryModel is a binary linear batch model: one coefficient vector and
// intercept per class vector, and the labels (linear_svc_model,
// logistic_regression_model).
type BinaryModel interface {
	Settable
	Coefficients() [][]float64
	Intercepts() []float64
	Labels() []float64
}

// LinearModel is a single-output linear batch model
// (linear_regression_model).
type LinearModel interface {
	Settable
	Coefficients() []float64
	Intercept() float64
}

// Stamp returns recs, the records a model data builder returned with err,
// stamped with version (each record is replaced by its stamped copy and
// released). A builder's error is wrapped with the learner kind.
func Stamp(kind string, version int64, recs []arrow.Record, err error) ([]arrow.Record, error) {
	if err != nil {
		return nil, fmt.Errorf("learner %q: %w", kind, err)
	}
	for i, r := range recs {
		recs[i] = pipeline.WithModelVersion(r, version)
		r.Release()
	}
	return recs, nil
}

// Release releases each record of recs.
func Release(recs []arrow.Record) {
	for _, r := range recs {
		r.Release()
	}
}

// NewModel returns an independent batch model built by newModel for the
// learner's feature and label columns, holding the learner's model data
// with the given version (data is the learner's ModelData; its records are
// released once set).
func NewModel[M Settable](newModel func(map[string]any) (M, error), featuresCol, labelCol string,
	data func(memory.Allocator, int64) ([]arrow.Record, error), version int64) (M, error) {
	var zero M
	m, err := newModel(map[string]any{"features_col": featuresCol, "label_col": labelCol})
	if err != nil {
		return zero, err
	}
	recs, err := data(memory.DefaultAllocator, version)
	if err != nil {
		return zero, err
	}
	defer Release(recs)
	return m, m.SetModelData(recs...)
}

// LoadModel returns a default model built by newModel holding data
// (borrowed), for a warm start of learner kind. An error setting the data
// is wrapped with the learner kind and "warm start".
func LoadModel[M Settable](kind string, newModel func(map[string]any) (M, error), data []arrow.Record) (M, error) {
	var zero M
	m, err := newModel(nil)
	if err != nil {
		return zero, err
	}
	if err := m.SetModelData(data...); err != nil {
		return zero, fmt.Errorf("learner %q: warm start: %w", kind, err)
	}
	return m, nil
}

// WarmBinary reads the data (borrowed) of a binary model of the type
// newModel builds, for a warm start of learner kind: its coefficients,
// intercept and two labels. A model with other than two classes is an
// error ending in "want " and want.
func WarmBinary[M BinaryModel](kind string, newModel func(map[string]any) (M, error), data []arrow.Record, want string) (coef []float64, intercept float64, labels [2]float64, err error) {
	m, err := LoadModel(kind, newModel, data)
	if err != nil {
		return nil, 0, labels, err
	}
	coefs, ls := m.Coefficients(), m.Labels()
	if len(coefs) != 1 || len(ls) != 2 {
		return nil, 0, labels, fmt.Errorf("learner %q: warm start: model has %d classes, want %s", kind, len(ls), want)
	}
	return coefs[0], m.Intercepts()[0], [2]float64{ls[0], ls[1]}, nil
}

// WarmLinear reads the data (borrowed) of a single-output linear model of
// the type newModel builds, for a warm start of learner kind: its
// coefficients and intercept.
func WarmLinear[M LinearModel](kind string, newModel func(map[string]any) (M, error), data []arrow.Record) (coef []float64, intercept float64, err error) {
	m, err := LoadModel(kind, newModel, data)
	if err != nil {
		return nil, 0, err
	}
	return m.Coefficients(), m.Intercept(), nil
}

// OpenSnapshot checks the magic of snapshot b of learner kind and that its
// format is version, and returns a decoder of the rest. Errors name the
// learner.
func OpenSnapshot(kind string, b []byte, magic string, version uint32) (*Dec, error) {
	d, v, err := NewDec(b, magic)
	if err != nil {
		return nil, fmt.Errorf("learner %q: restore: %w", kind, err)
	}
	if v != version {
		return nil, fmt.Errorf("learner %q: restore: snapshot format %d, want %d", kind, v, version)
	}
	return d, nil
}
