// Package pa is the passive-aggressive family of online linear learners
// (Crammer, Dekel, Keshet, Shalev-Shwartz and Singer, "Online
// Passive-Aggressive Algorithms", JMLR 2006): the binary classifier
// online_pa_classifier and the regressor online_pa_regressor, as
// scikit-learn's PassiveAggressiveClassifier / PassiveAggressiveRegressor
// partial_fit.
//
// # Update
//
// With margin m = x·w + b, a classification row y in {-1, +1} (the
// negative and positive label) suffers the hinge loss l = max(0, 1 - y m),
// a regression row the epsilon-insensitive loss l = max(0, |y - m| - ε).
// When l > 0 the learner moves the least that fixes the row:
//
//	PA     τ = l / q
//	PA-I   τ = min(C, l / q)            (variant "pa1", the default)
//	PA-II  τ = l / (q + 1/(2C))         (variant "pa2")
//	w += τ s x,  b += τ s               s = y (classifier), sign(y - m) (regressor)
//
// where q = ||x||² + 1 with fit_intercept (the intercept is a constant
// feature 1, so an all-zero row still moves b) and q = ||x||² without (a
// row with q = 0 is then skipped). scikit-learn leaves the intercept out
// of q, so its steps are slightly longer.
//
// # Reverse communication
//
// Update / UpdatePredict learn an Arrow batch (dense or sparse "features",
// a numeric label), UpdateRow / UpdateDense one row; UpdatePredict writes
// each row's margin (classifier: the decision function, positive means the
// positive label) or prediction (regressor) before learning it. Snapshot
// and Restore carry the state bit for bit. Model returns a binary
// linear_svc_model (classifier) or a linear_regression_model (regressor),
// and WarmStart starts from one.
package pa
