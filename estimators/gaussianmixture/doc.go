// Package gaussianmixture implements the Gaussian mixture model fitted by
// expectation-maximisation: the estimator gaussian_mixture
// (scikit-learn's GaussianMixture, Spark ML's GaussianMixture) and its
// model gaussian_mixture_model.
//
// # Algorithm
//
// The density is p(x) = sum_c w_c N(x; mu_c, Sigma_c) over k components.
// Each of n_init runs initialises the responsibilities (init=kmeans, the
// default as scikit-learn's init_params='kmeans': one-hot labels of a
// k-means fit with n_init=1 by the kmeans package; init=random: uniform
// random responsibilities, normalised per row), applies an M step, then
// alternates, as scikit-learn 1.2:
//
//   - E step: log w_c + log N(x_i; mu_c, Sigma_c) for every row and
//     component; the responsibilities are their softmax over c, and the
//     lower bound is the mean over rows of their log-sum-exp (the mean
//     log-likelihood per sample of the current parameters);
//   - M step: n_c = sum_i r_ic + 10 eps, w_c = n_c / sum n, mu_c = sum_i
//     r_ic x_i / n_c, and the covariance of covariance_type plus reg_covar
//     on its diagonal: full, Sigma_c = sum_i r_ic (x_i-mu_c)(x_i-mu_c)ᵀ /
//     n_c; tied, one matrix sum_c n_c Sigma_c / n; diag, the diagonal of
//     the full one; spherical, the mean of that diagonal.
//
// It stops when the lower bound changes by less than tol, or after
// max_iter iterations; the run with the largest lower bound wins.
// Covariance terms are computed around the new means (two passes), not
// from raw second moments as scikit-learn's diag and tied code, which only
// changes rounding.
//
// log N(x; mu, Sigma) = -(d log 2π + ||z||²)/2 - sum_j log L_jj with
// Sigma = L Lᵀ (the Cholesky factor, gonum's mat.Cholesky) and z solving
// L z = x - mu: for full and tied covariances z = (x - mu) L^-T over
// blocks of 256 rows (gonum BLAS Dgemm, L^-T precomputed like
// scikit-learn's precisions_cholesky_), and the M step accumulates the
// covariances with Dsyrk over the same blocks; diag and spherical go row
// by row. Rows are split over two goroutines (fixed halves) with
// per-goroutine sums; nothing is allocated per row.
//
// # Randomness and scikit-learn
//
// The generator is PCG seeded by seed (drawing one k-means seed per run);
// it cannot match numpy's, so single runs differ from scikit-learn's. The
// tests compare the best lower bound over n_init=5 (and the means after
// matching components) with scikit-learn's on iris, standardised wine and
// the peers' blobs, for the four covariance types.
//
// # Params
//
// features_col (dense or sparse vector), k (2; scikit-learn's
// n_components), covariance_type (full | tied | diag | spherical),
// init (kmeans | random), n_init (1), max_iter (100), tol (1e-3),
// reg_covar (1e-6), seed (0), warm_start (false), prediction_col,
// probability_col, model_version_col. Sample weights are not supported
// (as scikit-learn).
//
// # Warm start
//
// With warm_start true (scikit-learn's warm_start), Fit runs EM once from
// the weights, means and covariances of the previous Fit of the same
// estimator, or of SetInitialModel or SetInitialModelData; init, n_init
// and seed are then unused, and Report.Best is 0. The initial model must
// have k components, the data's feature count and the covariance_type
// (types that describe the same mixtures are interchangeable: tied and
// full with k = 1; full, diag and spherical with one feature); a mismatch
// is an error naming both values. Model data alone cannot tell tied from
// full, as both store d×d matrices: SetInitialModelData starts either
// from them, tied only when every component has the same matrix. Fit
// remembers its mixture only with warm_start true.
//
// Unlike scikit-learn, which compares the first lower bound of a warm fit
// with the previous fit's (even on other data), the first E step has
// nothing to compare with: from a converged model Fit stops after two
// iterations. Continuing a model fitted on part of the data reaches the
// cold fit's optimum when both lie in the same basin (in the tests, to
// about 1e-9 relative at tol 1e-8), but EM's linear tail, whose rate the
// components' overlap sets, often dominates the iteration count: it need
// not take fewer iterations than a k-means start.
//
// # Output
//
// prediction: the component (0..k-1, as float64) with the largest
// responsibility; probability: the dense vector of the k
// responsibilities. FitReport also returns the lower bound, iterations and
// whether the winning run converged.
//
// # Errors
//
// A NaN or infinite feature, a null vector (naming the row and the
// feature), vectors of mixed sizes, k larger than the number of rows, a
// covariance that is not positive definite (increase reg_covar), and at
// transform a vector size other than the model's.
//
// # Model data
//
// One record, one row per component: float64 "weight", dense vector
// "mean" (d) and dense vector "covariance": the row-major d×d matrix
// (full and tied), its diagonal (diag, d values) or the variance
// (spherical, 1 value). The covariance type is read from that size.
package gaussianmixture
