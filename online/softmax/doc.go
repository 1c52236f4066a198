// Package softmax is online softmax (multinomial logistic) regression: the
// learner online_softmax_regression, scikit-learn's
// SGDClassifier(loss="log_loss") generalised to K classes with one shared
// softmax rather than one-vs-rest, trained row by row.
//
// # Model
//
// For classes c_0 < ... < c_{K-1} (the labels param, or the labels of the
// model WarmStart starts from) the learner keeps a weight vector w_c and an
// intercept b_c per class and predicts
//
//	p_c = exp(z_c - max z) / sum_j exp(z_j - max z),   z_c = x·w_c + b_c
//
// A row of class c* is scored, then learned with the gradient of its log
// loss, g_c = p_c - [c = c*] for the margins, g_{c,i} = g_c x_i + λ w_{c,i}
// for the weights (reg_param λ; intercepts unpenalised), by
//
//	sgd      w -= η / t^power_t * g                      (t = rows learned)
//	adagrad  G += g²;  w -= η g / (sqrt(G) + 1e-8)        (Duchi et al. 2011)
//
// for the coordinates of the row's non-zero features only (lazily on sparse
// features, as package sgd). Weights are stored feature-major, the K
// weights of feature i side by side, so a sparse row touches K adjacent
// values per feature.
//
// # Reverse communication
//
// Update / UpdatePredict learn an Arrow batch (dense or sparse "features",
// a numeric label), UpdateRow and UpdateDense one row; UpdatePredict
// writes, per row, the K class probabilities predicted before learning
// (row-major). Predict scores without learning. Snapshot / Restore carry
// the state bit for bit; Model returns a multinomial
// logistic_regression_model and WarmStart starts from one.
package softmax
