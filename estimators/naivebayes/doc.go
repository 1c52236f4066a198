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
// (0); all three: warm_start (false). Naive Bayes has no random state (no
// seed) and no iterations.
//
// # Warm start
//
// With warm_start true, Fit is scikit-learn's partial_fit: it adds the
// rows' sufficient statistics to those of the model the previous Fit of
// the same estimator returned, or of SetInitialModel or
// SetInitialModelData, and derives the model from the sums. The
// statistics are the weighted class counts N_c, the feature counts F_cj
// (multinomial, Bernoulli) and, for Gaussian, the class means and
// variances, combined by the pairwise update of Chan, Golub and LeVeque
// (1979) as scikit-learn's _update_mean_variance. Fitting rows A, then
// rows B warm, gives the model of a cold fit on A and B together (to
// rounding, 1e-12 relative in the tests, with and without weights);
// priors follow from the summed counts, or from class_prior or
// fit_prior false as in a cold fit.
//
// var_smoothing's epsilon differs from scikit-learn's partial_fit, which
// takes the largest feature variance of the latest batch alone (and
// removes that batch's epsilon from variances smoothed with the previous
// one): Eddy keeps each class's unweighted row count, means and variances
// as well and takes the variance over every row seen, so that the warm
// model equals the cold one.
//
// The classes are those of the first fit, as scikit-learn's partial_fit
// fixes them with its classes argument (Eddy has no classes param): a
// later fit may lack some of them but a label the initial model does not
// have is an error naming both label sets. The initial model must be of
// the estimator's kind with the data's feature count (and, for Bernoulli,
// its binarize); a mismatch is an error naming both values. Model data
// alone shows Gaussian by its variances but cannot tell multinomial from
// Bernoulli data nor the binarize threshold: SetInitialModelData leaves
// those to the caller. Only a fitted model's data holds the statistics
// (ModelDataRecord's and data saved before warm start existed do not, and
// are refused). Fit remembers its statistics only with warm_start true,
// and a failed Fit keeps the previous ones.
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
// for gaussian_nb_model, dense vector "var". A fitted model adds the
// statistics of warm start: float64 "class_count" (N_c) and, for
// multinomial and Bernoulli, dense vector "feature_count" (F_cj); for
// Gaussian, dense vector "raw_var" (the variances without epsilon),
// float64 "row_count" and dense vectors "row_mean" and "row_var" (the
// class's unweighted row count, means and variances, for epsilon).
package naivebayes
