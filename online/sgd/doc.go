// Package sgd is online linear and logistic regression trained by
// stochastic gradient descent with a choice of optimizer: the learners
// online_linear_regression and online_logistic_regression, after Flink
// ML's OnlineLogisticRegression and scikit-learn's SGDRegressor /
// SGDClassifier(loss="log_loss") partial_fit.
//
// # Model and loss
//
// The margin of a row is z = x·w + b. The logistic learner predicts
// p = sigmoid(z) (z clamped to [-35, 35]) and learns the log loss, the
// linear learner predicts z and learns half the squared error; both give
// the gradient g = prediction - y for the margin. With reg_param λ (L2)
// the gradient of coordinate i is g_i = g x_i + λ w_i; the intercept b
// (fit_intercept) is not penalised.
//
// # Optimizers
//
// With step t = 1, 2, ... (one per mini-batch) and learning_rate η:
//
//	sgd      w_i -= η / t^power_t * g_i                    (scikit-learn's "invscaling")
//	adagrad  G_i += g_i²;  w_i -= η g_i / (sqrt(G_i) + ε)   (Duchi et al. 2011)
//	rmsprop  G_i = ρ G_i + (1-ρ) g_i²;  w_i -= η g_i / (sqrt(G_i) + ε)   (Tieleman and Hinton 2012)
//	adam     m_i = β1 m_i + (1-β1) g_i;  v_i = β2 v_i + (1-β2) g_i²
//	         w_i -= η m_i/(1-β1^t) / (sqrt(v_i/(1-β2^t)) + ε)   (Kingma and Ba 2015)
//
// Only the coordinates a row (or mini-batch) touches are updated: on
// sparse or hashed features the L2 term, the RMSProp and Adam moment decay
// are applied lazily, when a coordinate is active (TensorFlow's LazyAdam);
// on dense features every non-zero coordinate is active, and zero values
// are skipped so dense and sparse inputs with the same non-zeros learn the
// same model.
//
// # Mini-batches
//
// mini_batch_size 1 (the default) learns row after row, like scikit-learn's
// partial_fit. With k > 1 the rows of each Update call are taken k at a
// time: every row of a group is predicted with the weights before the
// group, and the group's averaged gradient makes one step (Flink ML's
// global batch). A group never spans two Update calls, so with k > 1 the
// result depends on how the stream is cut into batches.
//
// # Reverse communication
//
// As in package ftrl: Update / UpdatePredict learn an Arrow batch (features
// vector column, dense or sparse, and a label column), UpdateRow and
// UpdateDense learn one row, Predict scores without learning, Snapshot and
// Restore carry the full state bit for bit, Model returns the matching
// batch model (logistic_regression_model, linear_regression_model) and
// WarmStart starts from one.
package sgd
