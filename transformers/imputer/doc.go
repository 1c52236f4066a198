// Package imputer fills missing values of scalar numeric columns: the
// estimator imputer learns one surrogate per input column, its model
// imputer_model writes each input column to its output column (float64)
// with missing values replaced by the surrogate, like scikit-learn's
// SimpleImputer and Flink ML's Imputer.
//
// # Params
//
// input_cols, output_cols (one per input, float64), strategy: mean
// (default), median (the average of the two middle values for an even
// count, as numpy.median), most_frequent (the smallest of the most
// frequent values, as scikit-learn) or constant (fill_value, default 0),
// and on the model model_version_col.
//
// # Missing values
//
// Nulls and NaN are missing. Fit ignores them; a column with no other
// value is an error (scikit-learn would drop the column). Infinite values
// are values.
//
// # Model data
//
// One record, one row per input column: "surrogate" (float64).
package imputer
