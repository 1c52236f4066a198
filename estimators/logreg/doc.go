// Package logreg implements logistic regression: the estimator
// logistic_regression and its model logistic_regression_model, like
// scikit-learn's LogisticRegression and Flink ML's LogisticRegression.
//
// # Objective
//
// With labels sorted into classes c_0 < ... < c_{K-1}, sample weights s_i
// (weight_col times the class weight) and reg_param λ, elastic_net_param α,
// Fit minimises
//
//	sum_i s_i * loss_i(W, b) + λ * ((1-α)/2 * ||W||² + α * ||W||_1)
//
// where loss_i is the binomial log loss of the margin x_i·w + b for class
// c_1 when K = 2 (family auto or binomial), and the multinomial (softmax)
// log loss over K coefficient vectors otherwise (family multinomial, or
// auto with K > 2). Intercepts are not penalised. The loss is summed, not
// averaged, so λ = 1/C of scikit-learn: reg_param 1 is scikit-learn's
// default C=1, and with α = 0 the coefficients equal scikit-learn's
// LogisticRegression(C=1/λ, solver="lbfgs") (α > 0: solver="saga",
// l1_ratio=α, which scikit-learn only solves approximately). Spark ML
// averages the loss instead: its regParam is λ/Σs_i.
//
// # Solver
//
// L-BFGS with 10 correction pairs and a backtracking line search, extended
// to OWL-QN when α > 0 (Andrew and Gao 2007). Fit stops after max_iter
// iterations, when the largest absolute (pseudo-)gradient component is at
// most tol (scipy L-BFGS-B's pgtol, which scikit-learn sets to its tol), or
// when the objective's relative decrease is at most 2.2e-9 (scipy's
// default factr). The loss and gradient over rows are computed by two
// goroutines on large inputs, with no allocation per row.
//
// # Standardization
//
// Features are used as given, as in scikit-learn: put a standard_scaler
// before the estimator when features have different scales (the penalty
// then weighs every feature alike, and L-BFGS converges in fewer
// iterations). Spark ML standardises internally; Eddy does not.
//
// # Params
//
// features_col (dense or sparse vector; sparse vectors are densified),
// label_col (any numeric type), weight_col, max_iter (100), tol (1e-4),
// reg_param (1), elastic_net_param (0), fit_intercept (true), family
// (auto|binomial|multinomial), class_weight ("" or "balanced", as
// scikit-learn: n / (K * count_c)), class_weights (one weight per class in
// label order, overriding class_weight), prediction_col,
// raw_prediction_col, probability_col, and on the model model_version_col.
//
// # Output
//
// prediction (float64, the class label of the largest probability),
// raw_prediction (dense vector of K margins; for a binomial model
// [-m, m] with m = x·w + b) and probability (dense vector of K class
// probabilities, in label order).
//
// # Errors
//
// A NaN or infinite feature (naming the row and the feature), a null
// vector, label or weight, a label column with one class, and vectors of
// a size other than the model's are errors.
//
// # Model data
//
// Two records: "coefficients", one row per coefficient vector (one for a
// binomial model, K for a multinomial one) with float64 "intercept" and
// dense vector "coefficients"; and "labels", one row per class with
// float64 "label".
package logreg
