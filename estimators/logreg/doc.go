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
// goroutines on large inputs, with no allocation per row. solver lbfgs
// and owlqn name this same solver.
//
// # SGD solver
//
// solver sgd is scikit-learn's SGDClassifier(loss="log_loss") (its
// _plain_sgd): the same objective divided by the number of rows n, so
// that its alpha is reg_param/n and l1_ratio is elastic_net_param
// (scikit-learn's penalty "l2" is α = 0, "l1" α = 1). Each epoch visits
// the rows in an order shuffled with seed (shuffle true) and for each row
// takes the log-loss gradient step, weighted by the sample and class
// weights, shrinks the coefficients by 1 - (1-α)·alpha·η (through a
// scale factor, so the shrink costs O(1)) and applies the cumulative L1
// penalty of Tsuruoka, Tsujii and Ananiadou (2009) for α > 0, which sets
// coefficients exactly to zero. learning_rate is optimal (η = 1/(alpha·
// (t0 + t)), t0 from Bottou's heuristic as scikit-learn, needs
// reg_param > 0), invscaling (η = eta0/t^power_t) or constant (eta0); t
// counts the rows seen since Fit started. max_iter bounds the epochs; Fit
// stops when for n_iter_no_change epochs in a row the epoch's summed
// training loss (unpenalised, unweighted, computed during the epoch) was
// not below the best one minus tol·n. Multinomial models take the softmax
// gradient of all K vectors per row; scikit-learn fits one-vs-rest
// binary models instead, so its multiclass probabilities differ.
//
// SGD is sequential. From 131,072 rows the epochs run on two goroutines by
// parameter mixing: both start from the current coefficients, each takes
// every other row of the epoch's shuffled order (with the learning rate
// the serial schedule has at those positions), and the epoch ends with
// the average of the two. The result depends only on the data, the params
// and the seed, not on the number of cores or on scheduling (a Hogwild
// update of shared coefficients would be faster but not reproducible).
// Averaging halves each epoch's progress, which matters little on inputs
// that large. Rows are copied 64 at a time into a buffer before their
// updates, so that the cache misses of shuffled rows overlap.
//
// # Sparse features
//
// A sparse vector features column (table.SparseVectorType, as
// feature_hasher, hashing_tf, one_hot_encoder and count_vectorizer make)
// is never densified: Fit keeps the rows as one compressed sparse row
// copy (indices and values, 12 bytes per stored entry), the loss and
// gradient, the sgd steps and the model's Transform visit the stored
// entries only, so a fit costs O(non-zeros) per row and iteration plus
// O(dim) per iteration (the quasi-Newton update and the L2 penalty), and
// scoring O(non-zeros) per row. Click-through data hashed to 2^18..2^20
// dimensions with tens of non-zeros per row fits in the memory of its
// non-zeros. The objective is the same as on the densified data: L-BFGS
// and OWL-QN reach the same coefficients (to rounding; the rows may be
// split over the two goroutines differently), and sgd with an L2 penalty
// takes the same steps. sgd with α > 0 is the exception, as in
// scikit-learn's SGDClassifier on a sparse matrix: the cumulative L1
// penalty of a coefficient is applied at the rows where its feature is
// stored rather than at every row, so sparse and dense fits differ
// (both end near the same optimum). Stored zeros are kept (they cost
// time, not results). Indices must be strictly increasing and in
// [0, size), as the sparse vector type says; a row breaking that is an
// error naming the row.
//
// # Warm start
//
// With warm_start true, Fit starts from the coefficients of the model the
// previous Fit of the same estimator returned, or from those given to
// SetInitialModel or SetInitialModelData, which must have the data's
// labels and feature count (a binomial start for a 2-class multinomial fit
// and the reverse are converted). From a converged model L-BFGS stops
// after an iteration or two. The sgd solver restarts its learning-rate
// schedule at t = 1 on each Fit (as scikit-learn's SGDClassifier with
// warm_start), so with learning_rate optimal its first large steps move
// away from any starting point; use a constant or small invscaling rate
// to refine a model.
//
// # Standardization
//
// Features are used as given, as in scikit-learn: put a standard_scaler
// before the estimator when features have different scales (the penalty
// then weighs every feature alike, and L-BFGS converges in fewer
// iterations). Spark ML standardises internally; Eddy does not, on dense
// or sparse features alike, so sparse and dense fits agree. Sparse
// features should be scaled without centering, as scikit-learn does for
// sparse input (centering makes every entry non-zero); note that
// standard_scaler and max_abs_scaler output dense vectors today, so put
// them before hashing, not after it (hashed counts share one scale).
//
// # Params
//
// features_col (dense or sparse vector; sparse vectors stay sparse),
// label_col (any numeric type), weight_col, max_iter (100), tol (1e-4),
// reg_param (1), elastic_net_param (0), fit_intercept (true), family
// (auto|binomial|multinomial), class_weight ("" or "balanced", as
// scikit-learn: n / (K * count_c)), class_weights (one weight per class in
// label order, overriding class_weight), solver (lbfgs|owlqn|sgd), and
// for sgd learning_rate (optimal), eta0 (0.01), power_t (0.5), shuffle
// (true), n_iter_no_change (5) and seed (0); warm_start (false),
// prediction_col,
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
