// Package scaler is the online standard scaler: the learner
// online_standard_scaler keeps the running per-feature mean and population
// standard deviation of a vector column (Welford, "Note on a method for
// calculating corrected sums of squares and products", Technometrics 1962)
// and hands out standard_scaler_model snapshots (transformers/standardscaler)
// that standardise (x - mean) / std, as scikit-learn's
// StandardScaler.partial_fit.
//
// # Update
//
// For every row x, with n rows seen:
//
//	n += 1;  d = x_j - mean_j;  mean_j += d / n;  M2_j += d (x_j - mean_j)
//	std_j = sqrt(M2_j / n)
//
// Sparse vectors are densified row by row (every feature sees its zeros),
// so the cost per row is the vector size: meant for dense or small sparse
// vectors, not for hashed features. The result equals the batch
// standard_scaler's fit on all rows seen, up to rounding.
//
// # Reverse communication
//
// Update learns an Arrow batch (the input_col vectors), UpdateDense one
// row; Model returns a standard_scaler_model of the current statistics;
// Snapshot and Restore carry them bit for bit. There is no WarmStart: a
// standard_scaler_model does not keep its row count.
package scaler
