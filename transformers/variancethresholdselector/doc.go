// Package variancethresholdselector removes low-variance features from a
// vector column: the estimator variance_threshold_selector learns each
// feature's variance, its model variance_threshold_selector_model keeps
// the features whose variance is above variance_threshold, like
// scikit-learn's VarianceThreshold and Flink ML's
// VarianceThresholdSelector.
//
// # Params
//
// input_col (vector, dense or sparse), output_col (dense vector),
// variance_threshold (>= 0, default 0: remove constant features), and on
// the model model_version_col. The model selects with its own
// variance_threshold (copied from the estimator by Fit), so it can be
// changed without refitting.
//
// # Variance
//
// The population variance (ddof=0) as scikit-learn (Flink ML uses the
// sample variance), computed in one pass with Welford's update; NaN values
// are ignored (numpy.nanvar), null vectors are skipped, and sparse vectors
// count their implicit zeros. As scikit-learn with threshold 0, the
// variance of a feature without NaN is capped by its peak-to-peak range
// max - min, so constant features get exactly 0 (Welford gives 0 for them
// anyway). Feature j is kept when variance_j > variance_threshold; a
// feature whose values are all NaN has variance NaN and is removed.
//
// # Errors
//
// Fit fails when no feature is kept, as scikit-learn ("no feature in X
// meets the variance threshold"). A model whose threshold is later raised
// above every variance writes empty vectors.
//
// # Model data
//
// One record, one row per input feature: float64 column "variance".
package variancethresholdselector
