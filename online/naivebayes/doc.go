// Package naivebayes is incremental naive Bayes: the learners
// online_gaussian_nb and online_multinomial_nb, scikit-learn's GaussianNB
// and MultinomialNB partial_fit. The model after any number of Update calls
// is the one the batch estimator (estimators/naivebayes) fits on all rows
// seen so far, up to rounding.
//
// # Statistics
//
// Classes are added as their labels appear. Per class c the learner keeps
// the row count n_c and
//
//	Gaussian      per feature mean and sum of squared deviations, updated
//	              row by row by Welford's method (Welford 1962), plus the
//	              same over all rows for var_smoothing
//	multinomial   per feature sums of the (non-negative) values
//
// and the model is
//
//	log prior_c = log(n_c / n)
//	Gaussian     theta_cj = mean_cj,  var_cj = M2_cj / n_c + var_smoothing * max_j var_j
//	multinomial  theta_cj = log(f_cj + alpha) - log(sum_j (f_cj + alpha))
//
// where var_j is the variance of feature j over all rows. scikit-learn's
// partial_fit takes max_j var_j from each batch alone (so the latest);
// Eddy uses all rows, as a batch fit does.
//
// # Reverse communication
//
// Update / UpdatePredict learn an Arrow batch (dense or sparse "features",
// a numeric label); UpdatePredict writes each row's predicted label before
// it was learned (NaN before the first class). UpdateDense / UpdateRow
// learn one row. Snapshot / Restore carry the statistics bit for bit and
// Model returns a gaussian_nb_model or multinomial_nb_model. There is no
// WarmStart yet; batch models now keep the counts they came from
// (estimators/naivebayes warm start), so one could be added.
package naivebayes
