// Package ftrl is FTRL-Proximal logistic regression (McMahan et al., "Ad
// Click Prediction: a View from the Trenches", KDD 2013, Algorithm 1), the
// online learner of click logs: per-coordinate learning rates and L1
// sparsity on dense or sparse (hashed) features. It is Alink's
// FtrlTrainStreamOp and the learner of the Go reference loop in
// ../shared/peers/go/cmd/ftrl.
//
// # Algorithm
//
// For each coordinate i the learner keeps z_i and sqrt(n_i) (n_i is the
// sum of squared gradients). The weight is
//
//	w_i = 0                                                if |z_i| <= l1
//	w_i = -(z_i - sgn(z_i) l1) / ((beta + sqrt(n_i))/alpha + l2)   otherwise
//
// A row (x, y) is first scored, p = sigmoid(b + x·w) (the margin clamped to
// [-35, 35]), then learned: with g_i = (p - y) x_i,
//
//	sigma_i = (sqrt(n_i + g_i²) - sqrt(n_i)) / alpha
//	z_i    += g_i - sigma_i w_i
//	n_i    += g_i²
//
// for every i with x_i != 0 and for the bias b, which is the coordinate
// after the features with x = 1 (regularised like the others, as in the
// paper). Zero values of a dense vector are skipped, so a dense row and the
// sparse row with the same non-zero entries give the same model.
//
// # Reverse communication
//
// The caller owns the loop: Update learns a batch (an Arrow record with a
// features vector column and a label column) row after row, UpdatePredict
// also returns each row's probability predicted before the row was learned
// (test-then-train, for prequential metrics), and UpdateRow / UpdateDense
// are the per-row paths on plain slices. The hot loop allocates nothing.
// An FTRL is not safe for concurrent use; Model returns an independent
// logistic_regression_model snapshot for serving.
//
// # Labels
//
// Binary labels, 0 and 1 by default; WarmStart takes the batch model's two
// labels. The label column may be any numeric type; another value is an
// error naming the column and the row.
//
// # State
//
// Snapshot encodes the whole learner state (z, sqrt n, labels, rows seen)
// bit-exactly, and Restore continues from it: a learner restored mid-stream
// ends with the same weights, bit for bit, as one that never stopped.
// WarmStart starts from a binomial logistic_regression_model: z is set so
// that every weight equals the batch model's coefficient (n = 0).
//
// # Params
//
//	alpha         learning rate scale (0.2)
//	beta          learning rate smoothing (1)
//	l1, l2        regularisation (1 and 1)
//	num_features  vector size; 0 takes it from the first batch
//	features_col  ("features"), label_col ("label")
//
// The defaults are the peers' reference loop's settings.
package ftrl
