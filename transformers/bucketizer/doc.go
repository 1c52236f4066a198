// Package bucketizer maps continuous numeric columns to bucket indices
// with user-given splits, like Flink ML's (and Spark's) Bucketizer.
//
// # Params
//
// input_cols (numeric scalars), output_cols (float64, one per input),
// splits_array (one entry per input column: its splits as a
// comma-separated list of numbers, e.g. "-inf, 0, 10, inf"; at least two
// strictly increasing values, no NaN; SetSplitsArray takes [][]float64)
// and handle_invalid (error, keep or skip).
//
// # Buckets
//
// With splits s_0 < s_1 < ... < s_n, bucket b (0 <= b < n) holds
//
//	s_b <= x < s_{b+1}
//
// and the last bucket n-1 also holds x == s_n. This is
// numpy.digitize(x, s) - 1 (right=False) except at x == s_n, where
// digitize returns n+1.
//
// # Invalid values
//
// A value below s_0 or above s_n, NaN and null are invalid: with
// handle_invalid=error (the default) Transform fails naming the column,
// row and value; keep puts it in the extra bucket n (as Flink ML); skip
// drops the row (a row is dropped when any of its columns is invalid).
// Use -inf and inf as outer splits to accept every number.
package bucketizer
