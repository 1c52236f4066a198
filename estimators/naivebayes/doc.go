// Package naivebayes implements naive Bayes classifiers: gaussian_nb,
// multinomial_nb and bernoulli_nb (scikit-learn's GaussianNB,
// MultinomialNB and BernoulliNB; Flink ML's NaiveBayes is the
// multinomial one) and their models gaussian_nb_model,
// multinomial_nb_model and bernoulli_nb_model.
//
// # Model
//
// With classes c (sorted labels), weighted class counts N_c and sample
// weights s_i, the joint log likelihood of x is
//
//	jll_c(x) = log P(c) + log P(x | c)
//
// where log P(c) = log(N_c / N) (fit_prior, the default), -log K
// (fit_prior false) or log class_prior[c], and
//
//	Gaussian:    log P(x|c) = -1/2 sum_j [log(2π σ²_cj) + (x_j - θ_cj)²/σ²_cj]
//	             θ, σ² the weighted class mean and variance; every σ² gets
//	             var_smoothing * max_j Var(x_j) added (scikit-learn's epsilon).
//	Multinomial: log P(x|c) = sum_j x_j log p_cj,  p_cj = (F_cj + α) / sum_j (F_cj + α),
//	             F_cj = sum over class-c rows of s_i x_ij (features must be >= 0).
//	Bernoulli:   b_j = [x_j > binarize];  p_cj = (F_cj + α) / (N_c + 2α), F_cj counts b_j = 1;
//	             log P(x|c) = sum_j b_j log p_cj + (1 - b_j) log(1 - p_cj).
//
// The multinomial term omits the multinomial coefficient, as scikit-learn,
// so raw predictions equal scikit-learn's predict_joint_log_proba. α below
// 1e-10 is raised to 1e-10 as scikit-learn does. Fit is one pass over the
// rows (two for the Gaussian variances); the tests match scikit-learn's
// parameters, joint log likelihoods and probabilities to 1e-9 relative on
// iris, wine and breast_cancer, with and without weights.
//
// # Params
//
// features_col (dense or sparse vector), label_col, weight_col,
// prediction_col, raw_prediction_col, probability_col, model_version_col;
// gaussian_nb: var_smoothing (1e-9), class_prior; multinomial_nb: alpha
// (1), fit_prior (true), class_prior; bernoulli_nb: the same and binarize
// (0). Naive Bayes has no random state (no seed) and no iterations; warm
// start (scikit-learn's partial_fit) is not supported.
//
// # Output
//
// prediction (float64, the label with the largest jll), raw_prediction
// (dense vector of the K joint log likelihoods) and probability (dense
// vector, softmax of the jll), both in label order.
//
// # Errors
//
// A NaN or infinite feature, a null vector, label or weight (naming the
// row), a negative feature for multinomial_nb, class_prior of the wrong
// length or not summing to 1, and at transform a vector size other than
// the model's.
//
// # Model data
//
// One record, one row per class: float64 "label", float64 "log_prior",
// dense vector "theta" (Gaussian means, or log feature probabilities) and,
// for gaussian_nb_model, dense vector "var".
package naivebayes
