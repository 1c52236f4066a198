// Package linearsvc implements the linear support vector classifier
// linear_svc and its model linear_svc_model, like scikit-learn's
// LinearSVC (penalty="l2", loss="squared_hinge") and Flink ML's
// LinearSVC.
//
// # Objective
//
// For two classes c_0 < c_1 (y_i = +1 for c_1, -1 otherwise), sample
// weights s_i and reg_param λ = 1/C, Fit minimises over w and β
//
//	λ/2 (||w||² + β²) + sum_i s_i max(0, 1 - y_i (w·x_i + β·s))²
//
// with s = intercept_scaling and intercept b = β·s. This is liblinear's
// (and so scikit-learn's) problem scaled by λ: its intercept is the weight
// of a constant feature of value intercept_scaling and is penalised like
// the others. That quirk is reproduced on purpose, so the weights equal
// scikit-learn's; raise intercept_scaling to penalise the intercept less,
// or set fit_intercept false (β fixed at 0). With K > 2 classes Fit solves
// K such problems, class c against the rest (one-vs-rest, as
// scikit-learn's default multi_class="ovr").
//
// # Solver
//
// scikit-learn solves the dual by coordinate descent (liblinear); Eddy
// minimises the primal, which is convex and once differentiable, with
// L-BFGS (estimators/internal/optim), stopping when the largest gradient
// component is at most tol or after max_iter iterations. Both reach the
// same optimum: the tests match scikit-learn's weights and intercepts to
// 1e-4 on breast_cancer, iris and wine (weighted, without intercept and
// with intercept_scaling 10). Losses and gradients over rows run on two
// goroutines on large inputs, allocating nothing per row.
//
// # Params
//
// features_col (dense or sparse vector), label_col, weight_col, reg_param
// (1 = C 1), fit_intercept (true), intercept_scaling (1), max_iter (1000),
// tol (1e-4), warm_start (false), prediction_col, raw_prediction_col,
// probability_col, model_version_col. Nothing is random (no seed).
//
// # Warm start
//
// With warm_start true, L-BFGS starts from the weights and intercepts of
// the model the previous Fit of the same estimator returned, or of those
// given to SetInitialModel or SetInitialModelData, instead of from zero;
// the data must have the initial model's labels (hence the same number of
// binary problems) and feature count, else Fit fails naming both values.
// The solver's intercept variable is b/intercept_scaling, so a start
// carries over when intercept_scaling changes; with fit_intercept false
// the intercept stays 0. Fit remembers its weights only with warm_start
// true, and a failed Fit keeps the previous start.
//
// Eddy's solver works on the primal, so the starting point is all its
// state and a converged model restarts with a gradient already below tol:
// Fit stops after 0 to 2 iterations. scikit-learn's LinearSVC has no
// warm_start: liblinear's dual coordinate descent would need the dual
// variables α, which w alone does not determine (liblinear's primal
// trust-region solvers and Spark's L-BFGS accept an initial w, as Eddy
// does). From a model fitted on other data, such as part of these rows,
// L-BFGS reaches the new optimum but not in fewer iterations in the
// tests: its count is set by the problem's conditioning, not by the
// distance from the start.
//
// # Output
//
// prediction (float64 label: c_1 when the margin m = w·x + b > 0; with
// one-vs-rest, the class of the largest margin), raw_prediction (dense
// vector: [-m, m] for two classes, the K margins otherwise; m equals
// scikit-learn's decision_function) and probability. An SVM has no
// probabilities (scikit-learn's LinearSVC has no predict_proba); because
// every Eddy classifier outputs one, probability is sigmoid(m) for two
// classes ([1-σ(m), σ(m)]) and the normalised σ(m_c) for one-vs-rest. It
// is UNCALIBRATED: use it for ranking (AUC), not as a probability; fit a
// calibrator on held-out data when probabilities matter.
//
// # Errors
//
// A NaN or infinite feature, a null vector, label or weight (naming the
// row), a label with one class, and at transform a vector size other than
// the model's.
//
// # Model data
//
// Two records: "coefficients", one row per weight vector with float64
// "intercept" and dense vector "coefficients"; and "labels", float64
// "label" per class.
package linearsvc
