// Package binarizer thresholds numeric columns: the transformer binarizer
// writes, for each input column,
//
//	y = 1 if x > threshold, else 0
//
// like scikit-learn's Binarizer and Flink ML's Binarizer.
//
// # Params
//
// input_cols, output_cols (one per input) and thresholds: one threshold
// per input column, or a single one used for every column (default [0]).
//
// # Columns
//
// A scalar numeric column (any integer or float width) gives a float64
// column. A dense vector column gives a dense vector column of the same
// dimension. A sparse vector column gives a sparse vector column holding
// the 1s (entries <= threshold are dropped); it needs a non-negative
// threshold, since otherwise its implicit zeros would become 1s
// (scikit-learn raises the same error for sparse matrices).
//
// # Invalid values
//
// A null value or vector gives a null output. NaN compares false and
// gives 0, as numpy's X > threshold and Flink ML (scikit-learn refuses
// NaN input).
package binarizer
