// Package linmodel holds what the linear classifiers (logistic_regression,
// linear_svc) share around their model data: coefficient vectors,
// intercepts and sorted class labels, their Arrow layout, the model's
// params and accessors, and the coefficients a warm start begins from.
//
// # Model data
//
// Two records: "intercept" (float64) and "coefficients" (dense vector),
// one row per weight vector, then "label" (float64), the sorted distinct
// class labels. How many vectors go with how many labels is the
// estimator's rule (a Shape).
package linmodel
