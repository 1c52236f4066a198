// Package robustscaler scales a vector column with statistics robust to
// outliers: the estimator robust_scaler learns each feature's median and
// interquartile range, its model robust_scaler_model writes
//
//	y_j = (x_j - median_j) / (q_hi_j - q_lo_j)
//
// as a dense vector, like scikit-learn's RobustScaler (and Flink ML's
// RobustScaler, which uses approximate quantiles).
//
// # Params
//
// input_col (vector, dense or sparse), output_col (dense vector),
// with_centering (default true, as scikit-learn; Flink ML defaults to
// false), with_scaling (default true), quantile_range (two percentiles
// 0 <= lo <= hi <= 100, default [25, 75], as scikit-learn), and on the
// model model_version_col.
//
// # Statistics
//
// Exact, as scikit-learn: Fit keeps every value in memory. The median is
// numpy.nanmedian (mean of the two middle values for an even count) and
// the quantiles numpy.nanpercentile with the default 'linear' method:
// with the m non-NaN values sorted, q in [0, 1] and h = (m-1) q, the
// quantile is a[floor h] + (h - floor h)(a[floor h + 1] - a[floor h]),
// computed as numpy's _lerp. NaN values are ignored by Fit and stay NaN
// through Transform; null vectors are ignored by Fit and give null
// outputs. Sparse vectors count their implicit zeros, as scikit-learn's
// sparse path. A scale of 0 (or below 10 machine epsilons) is replaced by
// 1 (scikit-learn's _handle_zeros_in_scale); a feature with no non-NaN
// value has median and scale NaN (scikit-learn warns; here the outputs are
// NaN).
//
// # Model data
//
// One record, one row per feature, float64 columns "center" (the median)
// and "scale" (after the zero replacement).
package robustscaler
