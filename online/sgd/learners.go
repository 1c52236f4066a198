package sgd

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/estimators/linreg"
	"github.com/eddyml/eddy/estimators/logreg"
	"github.com/eddyml/eddy/online/internal/olearn"
	"github.com/eddyml/eddy/pipeline/param"
)

func newSet(kind string, values map[string]any, fc, lc param.Declarer) (*param.Set, error) {
	s := param.NewSet(kind, fc, lc, Optimizer, LearningRate, PowerT, RegParam,
		Beta1, Beta2, Decay, Epsilon, FitIntercept, MiniBatchSize, NumFeatures)
	if err := s.SetMap(values); err != nil {
		return nil, err
	}
	return s, nil
}

func (l *learner) setup(kind string, logistic bool, s *param.Set, fc, lc func() string) error {
	l.kind, l.logistic, l.params, l.fc, l.lc = kind, logistic, s, fc, lc
	l.labels = [2]float64{0, 1}
	l.readHyper()
	if n := NumFeatures.Get(s); n > 0 {
		return l.init(n)
	}
	return nil
}

// Logistic is online logistic regression (binary labels, 0 and 1 by
// default; WarmStart takes the batch model's labels).
type Logistic struct {
	param.HasFeaturesCol
	param.HasLabelCol
	l learner
}

// NewLogistic builds an online_logistic_regression learner.
func NewLogistic(values map[string]any) (*Logistic, error) {
	m := &Logistic{}
	s, err := newSet(LogisticKind, values, &m.HasFeaturesCol, &m.HasLabelCol)
	if err != nil {
		return nil, err
	}
	return m, m.l.setup(LogisticKind, true, s, m.FeaturesCol, m.LabelCol)
}

func (m *Logistic) Kind() string       { return LogisticKind }
func (m *Logistic) Params() *param.Set { return m.l.params }

// Dim returns the feature vector size (0 while unknown).
func (m *Logistic) Dim() int { return m.l.dim }

// Rows returns the number of rows learned.
func (m *Logistic) Rows() int64 { return m.l.rows }

// Update learns the rows of rec (borrowed). A bad row fails the whole batch
// before any row is learned, naming the column and the row.
func (m *Logistic) Update(ctx context.Context, rec arrow.Record) error {
	_, err := m.l.update(ctx, rec, nil, false)
	return err
}

// UpdatePredict is Update that also writes into dst (grown to the row
// count) each row's probability of the positive label predicted before the
// row was learned.
func (m *Logistic) UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error) {
	return m.l.update(ctx, rec, dst, true)
}

// UpdateRow learns one sparse row and returns the probability predicted
// before learning it.
func (m *Logistic) UpdateRow(indices []int32, values []float64, y float64) (float64, error) {
	return m.l.updateRow(indices, values, y)
}

// UpdateDense learns one dense row.
func (m *Logistic) UpdateDense(x []float64, y float64) (float64, error) {
	return m.l.updateDense(x, y)
}

// Predict writes each row's probability of the positive label into dst.
func (m *Logistic) Predict(rec arrow.Record, dst []float64) ([]float64, error) {
	return m.l.predict(rec, dst)
}

// Weights returns the coefficients (written into dst) and the intercept.
func (m *Logistic) Weights(dst []float64) ([]float64, float64) { return m.l.weights(dst) }

// ModelData returns the current weights as logistic_regression_model data
// stamped with version; the caller owns one Release of each record.
func (m *Logistic) ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error) {
	if m.l.w == nil {
		return nil, fmt.Errorf("learner %q: no model yet: num_features is unknown", LogisticKind)
	}
	w, b := m.l.weights(nil)
	recs, err := logreg.ModelDataRecords(mem, [][]float64{w}, []float64{b}, m.l.labels[:])
	return olearn.Stamp(LogisticKind, version, recs, err)
}

// Model returns an independent logistic_regression_model of the current
// weights with the given version.
func (m *Logistic) Model(version int64) (*logreg.Model, error) {
	return olearn.NewModel(logreg.NewModel, m.FeaturesCol(), m.LabelCol(), m.ModelData, version)
}

// WarmStart starts from a binomial logistic_regression_model's data: its
// coefficients, intercept and labels; accumulators and counters restart at
// zero. The records are borrowed.
func (m *Logistic) WarmStart(data ...arrow.Record) error {
	coef, b, labels, err := olearn.WarmBinary(LogisticKind, logreg.NewModel, data, "a binomial model")
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
func (m *Logistic) Snapshot() ([]byte, error) { return m.l.snapshot("EDDYOLOG"), nil }

// Restore replaces the state with a Snapshot taken with the same params;
// on error the learner is unchanged.
func (m *Logistic) Restore(b []byte) error { return m.l.restore(b, "EDDYOLOG") }

// Linear is online linear regression.
type Linear struct {
	param.HasFeaturesCol
	param.HasLabelCol
	l learner
}

// NewLinear builds an online_linear_regression learner.
func NewLinear(values map[string]any) (*Linear, error) {
	m := &Linear{}
	s, err := newSet(LinearKind, values, &m.HasFeaturesCol, &m.HasLabelCol)
	if err != nil {
		return nil, err
	}
	return m, m.l.setup(LinearKind, false, s, m.FeaturesCol, m.LabelCol)
}

func (m *Linear) Kind() string       { return LinearKind }
func (m *Linear) Params() *param.Set { return m.l.params }

// Dim returns the feature vector size (0 while unknown).
func (m *Linear) Dim() int { return m.l.dim }

// Rows returns the number of rows learned.
func (m *Linear) Rows() int64 { return m.l.rows }

// Update learns the rows of rec (borrowed).
func (m *Linear) Update(ctx context.Context, rec arrow.Record) error {
	_, err := m.l.update(ctx, rec, nil, false)
	return err
}

// UpdatePredict is Update that also writes each row's prediction made
// before learning it into dst.
func (m *Linear) UpdatePredict(ctx context.Context, rec arrow.Record, dst []float64) ([]float64, error) {
	return m.l.update(ctx, rec, dst, true)
}

// UpdateRow learns one sparse row and returns the prediction made before.
func (m *Linear) UpdateRow(indices []int32, values []float64, y float64) (float64, error) {
	return m.l.updateRow(indices, values, y)
}

// UpdateDense learns one dense row.
func (m *Linear) UpdateDense(x []float64, y float64) (float64, error) {
	return m.l.updateDense(x, y)
}

// Predict writes each row's prediction into dst.
func (m *Linear) Predict(rec arrow.Record, dst []float64) ([]float64, error) {
	return m.l.predict(rec, dst)
}

// Weights returns the coefficients (written into dst) and the intercept.
func (m *Linear) Weights(dst []float64) ([]float64, float64) { return m.l.weights(dst) }

// ModelData returns the current weights as linear_regression_model data
// stamped with version; the caller owns one Release of each record.
func (m *Linear) ModelData(mem memory.Allocator, version int64) ([]arrow.Record, error) {
	if m.l.w == nil {
		return nil, fmt.Errorf("learner %q: no model yet: num_features is unknown", LinearKind)
	}
	w, b := m.l.weights(nil)
	rec, err := linreg.ModelDataRecord(mem, w, b)
	return olearn.Stamp(LinearKind, version, []arrow.Record{rec}, err)
}

// Model returns an independent linear_regression_model of the current
// weights with the given version.
func (m *Linear) Model(version int64) (*linreg.Model, error) {
	return olearn.NewModel(linreg.NewModel, m.FeaturesCol(), m.LabelCol(), m.ModelData, version)
}

// WarmStart starts from a linear_regression_model's data (borrowed).
func (m *Linear) WarmStart(data ...arrow.Record) error {
	coef, b, err := olearn.WarmLinear(LinearKind, linreg.NewModel, data)
	if err != nil {
		return err
	}
	return m.l.warm(coef, b)
}

// Snapshot encodes the full learner state bit for bit.
func (m *Linear) Snapshot() ([]byte, error) { return m.l.snapshot("EDDYOLIN"), nil }

// Restore replaces the state with a Snapshot taken with the same params.
func (m *Linear) Restore(b []byte) error { return m.l.restore(b, "EDDYOLIN") }
