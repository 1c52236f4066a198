// Package linreg implements linear regression: the estimator
// linear_regression and its model linear_regression_model, covering
// scikit-learn's LinearRegression, Ridge, Lasso and ElasticNet.
//
// # Objective
//
// With reg_param α and elastic_net_param ρ (scikit-learn's alpha and
// l1_ratio), sample weights s_i rescaled to sum to n (as scikit-learn), Fit
// minimises
//
//	1/(2n) * sum_i s_i (y_i - x_i·w - b)² + α*ρ*||w||_1 + α*(1-ρ)/2*||w||²
//
// exactly scikit-learn's ElasticNet objective (Lasso is ρ = 1). The
// intercept is not penalised; it is recovered from the (weighted) means.
//
//   - α = 0: ordinary least squares by Householder QR of the centred data
//     (gonum mat), as LinearRegression.
//   - α > 0, ρ = 0: ridge in closed form, (XᵀX/n + αI) w = Xᵀy/n by
//     Cholesky; this is scikit-learn's Ridge(alpha = α*n).
//   - ρ > 0: cyclic coordinate descent (Friedman, Hastie and Tibshirani
//     2010) stopped, like scikit-learn's enet_coordinate_descent, when the
//     largest coefficient update is below tol times the largest
//     coefficient and the duality gap is below tol*||y - ȳ||², or after
//     max_iter sweeps.
//
// # Warm start
//
// With warm_start true, coordinate descent (elastic_net_param > 0) starts
// from the coefficients of the previous Fit of the same estimator, or of
// SetInitialModel or SetInitialModelData (same feature count), as
// scikit-learn's ElasticNet(warm_start=True); from a converged model it
// stops after a sweep. FitReport returns the number of sweeps. OLS and
// ridge are solved in closed form, where a starting point has no use:
// warm_start does not change them.
//
// # Params
//
// features_col (dense or sparse vector), label_col, weight_col,
// prediction_col, reg_param (0), elastic_net_param (0), fit_intercept
// (true), max_iter (1000), tol (1e-4), warm_start (false), and on the
// model model_version_col.
//
// # Errors
//
// A NaN or infinite feature or label (naming the row), null values, and
// vectors of a size other than the model's are errors.
//
// # Model data
//
// One record with one row: float64 "intercept" and dense vector
// "coefficients".
package linreg
