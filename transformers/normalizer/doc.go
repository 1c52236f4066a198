// Package normalizer implements the normalizer transformer: it scales each
// vector of a vector column to unit p-norm,
//
//	y = x / (sum_j |x_j|^p)^(1/p)
//
// like Flink ML's Normalizer and scikit-learn's Normalizer (norm "l1" is
// p=1, "l2" is p=2). A zero vector stays zero (scikit-learn's
// _handle_zeros_in_scale).
//
// # Params
//
// input_col (vector, dense or sparse), output_col (dense vector), p
// (finite, at least 1; default 2).
//
// # Nulls
//
// A null vector gives a null output; a NaN makes the whole row NaN.
package normalizer
