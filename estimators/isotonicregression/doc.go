// Package isotonicregression implements isotonic regression: the
// estimator isotonic_regression (scikit-learn's IsotonicRegression, Spark
// ML's IsotonicRegression) and its model isotonic_regression_model.
//
// # Algorithm
//
// Fit finds the monotone step function f minimising
// sum_i w_i (y_i - f(x_i))² over one feature x. As scikit-learn 1.2:
// rows with weight 0 are dropped, rows are sorted by (x, y), rows with
// equal x (closer than 1e-15) are merged into one point whose y is their
// weighted mean and whose weight is their sum, and the pool adjacent
// violators algorithm (Ayer et al. 1955; scikit-learn's single pass with
// backtracking, O(n)) pools neighbouring blocks until the block means are
// non-decreasing (for a decreasing fit, the points are reversed first).
// The fitted values are then clipped to [y_min, y_max]. Interior points
// whose value equals both neighbours' are dropped: the model keeps the
// boundaries x_0 < x_1 < ... and the values f(x_j).
//
// increasing=auto fits an increasing function when Spearman's rank
// correlation of x and y (average ranks for ties, unweighted, all rows) is
// >= 0, as scikit-learn's check_increasing; a NaN correlation (constant x
// or y) means decreasing, as there.
//
// Prediction interpolates linearly between the two boundaries around x
// (exactly f(x_j) at a boundary). Outside [x_0, x_last], out_of_bounds
// decides: nan (the default) predicts NaN, clip predicts the end value,
// raise fails the batch naming the row. A NaN x predicts NaN.
//
// # Params
//
// features_col (a numeric column, or a dense or sparse vector column of
// which feature_index is used, as Spark), feature_index (0), label_col,
// weight_col (empty: every row weighs 1), increasing (true | false |
// auto; a bool is accepted too), y_min and y_max (default ∓MaxFloat64:
// no bound), out_of_bounds (nan | clip | raise), prediction_col,
// model_version_col. Warm start does not apply (the fit is exact and
// non-iterative).
//
// # Output
//
// prediction: float64, the interpolated fitted value. FitReport also
// reports whether the fit was increasing (useful with auto) and the
// number of boundaries.
//
// # Errors
//
// A null, NaN or infinite feature or label, a negative, NaN or infinite
// weight (naming the column and row), no rows with positive weight,
// feature_index outside the vector, y_min > y_max; at transform a null
// feature, and with out_of_bounds=raise a value outside the training
// range.
//
// # Model data
//
// One record, one row per boundary, sorted: float64 "boundary" (x) and
// float64 "prediction" (f(x)), as Spark's model data.
package isotonicregression
