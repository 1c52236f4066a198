// Package standardscaler standardises a vector column: the estimator
// standard_scaler learns each feature's mean and standard deviation, its
// model standard_scaler_model writes
//
//	y_j = (x_j - mean_j) / std_j
//
// as a dense vector, like scikit-learn's StandardScaler and Flink ML's
// StandardScaler.
//
// # Params
//
// input_col (vector, dense or sparse), output_col (dense vector), with_mean
// (default true, as scikit-learn; Flink ML defaults to false), with_std
// (default true), and on the model model_version_col.
//
// # Statistics
//
// std is the population standard deviation (ddof=0), as scikit-learn,
// computed in one pass with Welford's update (Welford 1962; Chan, Golub
// and LeVeque 1983 for the merge). A feature with std 0 is scaled by 1
// (scikit-learn's _handle_zeros_in_scale). Null vectors are ignored by Fit
// and give null outputs.
//
// # Model data
//
// One record, one row per feature, float64 columns "mean" and "std".
package standardscaler
