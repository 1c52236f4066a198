package eval

import (
	"fmt"
	"math"
)

// RegressionMetrics are the metrics of a regressor's predictions.
type RegressionMetrics struct {
	Rows                  int64
	WeightSum             float64
	MSE, RMSE, MAE        float64
	R2, ExplainedVariance float64
}

// RegressionAccumulator accumulates targets and predictions in O(1) state
// with weighted Welford updates (West 1979) of the target and of the
// residual, so R2 and explained variance are exact in one pass. Its zero
// value is ready to use.
type RegressionAccumulator struct {
	rows       int64
	sw         float64
	sse, sae   float64
	yMean, yM2 float64 // weighted mean and sum of squared deviations of y
	eMean, eM2 float64 // the same for the residual y - yhat
}

// Add adds a batch of targets y, predictions yhat and weights w (nil: 1).
// On error nothing is added.
func (r *RegressionAccumulator) Add(y, yhat, w []float64) error {
	if err := checkLen("predictions", len(yhat), len(y)); err != nil {
		return err
	}
	if err := checkWeights(w, len(y)); err != nil {
		return err
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsNaN(yhat[i]) {
			return fmt.Errorf("row %d: target or prediction is NaN", i)
		}
	}
	for i, v := range y {
		wi := weight(w, i)
		if wi == 0 {
			continue
		}
		e := v - yhat[i]
		r.sw += wi
		r.sse += wi * e * e
		r.sae += wi * math.Abs(e)
		d := v - r.yMean
		r.yMean += d * wi / r.sw
		r.yM2 += wi * d * (v - r.yMean)
		d = e - r.eMean
		r.eMean += d * wi / r.sw
		r.eM2 += wi * d * (e - r.eMean)
	}
	r.rows += int64(len(y))
	return nil
}

// Reset forgets every row.
func (r *RegressionAccumulator) Reset() { *r = RegressionAccumulator{} }

// Metrics returns the metrics of the rows so far (NaN before any row of
// positive weight).
func (r *RegressionAccumulator) Metrics() RegressionMetrics {
	m := RegressionMetrics{Rows: r.rows, WeightSum: r.sw}
	if r.sw == 0 {
		nan := math.NaN()
		m.MSE, m.RMSE, m.MAE, m.R2, m.ExplainedVariance = nan, nan, nan, nan, nan
		return m
	}
	m.MSE = r.sse / r.sw
	m.RMSE = math.Sqrt(m.MSE)
	m.MAE = r.sae / r.sw
	m.R2 = score(r.sse, r.yM2)
	m.ExplainedVariance = score(r.eM2, r.yM2)
	return m
}

// score is 1 - num/den with scikit-learn's force_finite rules.
func score(num, den float64) float64 {
	if den == 0 {
		if num == 0 {
			return 1
		}
		return 0
	}
	return 1 - num/den
}

// Regression metrics on slices; w may be nil.
func regression(y, yhat, w []float64) (RegressionMetrics, error) {
	var r RegressionAccumulator
	if err := r.Add(y, yhat, w); err != nil {
		return RegressionMetrics{}, err
	}
	return r.Metrics(), nil
}

// RMSE returns the root mean squared error.
func RMSE(y, yhat, w []float64) (float64, error) {
	m, err := regression(y, yhat, w)
	return m.RMSE, err
}

// MSE returns the mean squared error.
func MSE(y, yhat, w []float64) (float64, error) {
	m, err := regression(y, yhat, w)
	return m.MSE, err
}

// MAE returns the mean absolute error.
func MAE(y, yhat, w []float64) (float64, error) {
	m, err := regression(y, yhat, w)
	return m.MAE, err
}

// R2 returns the coefficient of determination.
func R2(y, yhat, w []float64) (float64, error) {
	m, err := regression(y, yhat, w)
	return m.R2, err
}

// ExplainedVariance returns 1 - Var(y - yhat) / Var(y).
func ExplainedVariance(y, yhat, w []float64) (float64, error) {
	m, err := regression(y, yhat, w)
	return m.ExplainedVariance, err
}
