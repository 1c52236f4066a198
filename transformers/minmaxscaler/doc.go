// Package minmaxscaler rescales each feature of a vector column to
// [min, max]: the estimator min_max_scaler learns each feature's data_min
// and data_max, its model min_max_scaler_model writes
//
//	scale_j = (max - min) / (data_max_j - data_min_j)
//	y_j     = x_j*scale_j + (min - data_min_j*scale_j)
//
// exactly as scikit-learn's MinMaxScaler (feature_range=(min, max)) and
// like Flink ML's MinMaxScaler. A constant feature (range below 10 machine
// epsilons) gets range 1, as scikit-learn's _handle_zeros_in_scale.
//
// # Params
//
// input_col (vector, dense or sparse), output_col (dense vector), min
// (default 0), max (default 1; must exceed min), model_version_col.
//
// # Nulls
//
// Null vectors are ignored by Fit and give null outputs. NaN values are
// ignored by Fit (as scikit-learn's nanmin/nanmax) and stay NaN.
//
// # Model data
//
// One record, one row per feature, float64 columns "data_min" and
// "data_max".
package minmaxscaler
