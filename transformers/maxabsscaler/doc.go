// Package maxabsscaler scales each feature of a vector column by its
// maximum absolute value: the estimator max_abs_scaler learns max_abs_j,
// its model max_abs_scaler_model writes
//
//	y_j = x_j / max_abs_j
//
// as scikit-learn's MaxAbsScaler and Flink ML's MaxAbsScaler. A zero
// max_abs (below 10 machine epsilons) scales by 1 (_handle_zeros_in_scale).
//
// # Params
//
// input_col (vector, dense or sparse), output_col (dense vector),
// model_version_col.
//
// # Nulls
//
// Null vectors are ignored by Fit and give null outputs; NaN is ignored by
// Fit (scikit-learn's nanmax) and stays NaN.
//
// # Model data
//
// One record, one row per feature, float64 column "max_abs".
package maxabsscaler
