// Package pca projects a vector column on its principal components: the
// estimator pca learns the mean and the first k principal axes of the
// data, its model pca_model writes
//
//	y = V_k^T (x - mean)
//
// as a dense vector of dimension k, like scikit-learn's
// PCA(svd_solver="full", whiten=False) and Spark/Flink's PCA.
//
// # Params
//
// input_col (vector, dense or sparse), output_col (dense vector), k
// (number of components, default 2), and on the model model_version_col.
//
// # Fit
//
// Fit reads every non-null vector into memory (n x d float64s), centers
// the matrix on its column means and takes its thin singular value
// decomposition X - mean = U S V^T with gonum's mat.SVD (LAPACK dgesvd).
// The components are the first k rows of V^T, with scikit-learn 1.2's
// svd_flip sign convention (u_based_decision=True): each component is
// negated when needed so that the entry of largest absolute value of the
// matching column of U is positive (the first such entry on ties, as
// numpy.argmax). k must not exceed min(n, d). The explained variances
// S^2/(n-1) are kept with the model.
//
// # Model data
//
// One record, one row per input feature: float64 columns "mean" and
// "pc_0" ... "pc_{k-1}" (component c as a column), plus float64 column
// "explained_variance" holding the variance of component c at row c (NaN
// from row k on).
package pca
