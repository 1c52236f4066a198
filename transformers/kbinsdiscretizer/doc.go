// Package kbinsdiscretizer bins each feature of a vector column into
// intervals: the estimator kbins_discretizer learns bin edges per
// feature, its model kbins_discretizer_model writes each feature's bin
// index (0 .. bins-1, as float64) into a dense vector, like
// scikit-learn's KBinsDiscretizer(encode="ordinal") and Flink ML's
// KBinsDiscretizer.
//
// # Params
//
// input_col (vector, dense or sparse), output_col (dense vector), n_bins
// (at least 2, default 5), strategy (quantile, the default, or uniform;
// scikit-learn's kmeans is not supported), and on the model
// model_version_col.
//
// # Fit
//
// Exact, as scikit-learn: Fit keeps every value in memory and does not
// subsample (scikit-learn 1.2 does not either below 200000 rows; Flink ML
// subsamples 200000 rows). For each feature, with min and max its extreme
// values:
//
//   - uniform: edges = numpy.linspace(min, max, n_bins+1);
//   - quantile: edges = numpy.percentile(values, linspace(0, 100,
//     n_bins+1)) (the 'linear' method), then every edge less than 1e-8
//     above the edge before it is removed, as scikit-learn, so the
//     feature gets fewer bins;
//   - a constant feature (min == max) gets the edges [-inf, inf]: one bin,
//     every value maps to 0.
//
// scikit-learn warns when it removes bins or meets a constant feature;
// Eddy does not log: Model.NBins reports the number of bins each feature
// ended with. NaN values are ignored by Fit (scikit-learn rejects them)
// and null vectors are skipped; a feature with no non-NaN value gets one
// bin.
//
// # Transform
//
// The bin of x is the number of inner edges (all but the first and last)
// that are <= x, as numpy.searchsorted(edges[1:-1], x, side="right") in
// scikit-learn 1.2: values below the first edge go to bin 0, values above
// the last to the last bin. NaN gives NaN. Null vectors give nulls.
//
// # Model data
//
// One record, one row per edge, ordered by feature then edge: int64
// column "feature" and float64 column "edge".
package kbinsdiscretizer
