// Package polynomialexpansion expands a vector column into its
// polynomial features: the transformer polynomial_expansion writes every
// monomial of degree 1 to degree of the input features, like
// scikit-learn's PolynomialFeatures(include_bias=False) (and Flink ML's
// PolynomialExpansion, whose term order differs).
//
// # Params
//
// input_col (vector, dense or sparse), output_col (dense vector), degree
// (at least 1, default 2).
//
// # Terms
//
// For d input features the output has C(d+degree, degree) - 1 entries,
// in scikit-learn's order: the terms of degree 1 (x_0 ... x_{d-1}), then
// those of degree 2, and so on; within a degree, the index tuples
// i_1 <= i_2 <= ... <= i_k in lexicographic order (Python's
// itertools.combinations_with_replacement). For d=2, degree=2:
//
//	x0, x1, x0², x0·x1, x1²
//
// A term is computed as scikit-learn does, x_{i_1} times the term
// (i_2 ... i_k), so the results match it bit for bit.
//
// # Shapes and nulls
//
// The output dimension of a sparse input column is known only from the
// data, so OutputSchema needs a dense one. Null vectors give nulls.
package polynomialexpansion
