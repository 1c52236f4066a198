// Package olearn holds what the online learners share: reading a batch's
// feature vectors (dense or sparse) and labels without copying, checking
// them once per batch so that the learners' hot loops need no checks,
// checking single rows, the binary codec of learner snapshots, and the
// glue between a learner and its batch model type.
//
// # Features
//
// ReadFeatures returns a zero-copy view of a dense (fixed_size_list<float64>)
// or sparse (struct{size, indices, values}) vector column. It rejects null
// vectors, NaN or infinite values, indices outside [0, size) and, when the
// learner knows its dimension, vectors of another size: the error names the
// column and the row. CheckSparseRow and CheckFinite check one row handed
// to a learner's UpdateRow or UpdateDense; their errors name the learner.
//
// # Snapshots
//
// Enc and Dec write and read little-endian fixed-width values; float64s
// travel as their IEEE bits, so a restored learner continues bit for bit.
// Every snapshot starts with an 8-byte magic naming the learner and a
// format version, and Dec reports truncated or trailing bytes. OpenSnapshot
// checks both for a learner's Restore.
//
// # Models
//
// A learner publishes its state as the data of a batch model (a linear
// learner's weights as linear_svc_model, logistic_regression_model or
// linear_regression_model data; a tree, naive Bayes, k-means or scaler
// learner as its own batch model's) and may warm start from such data.
// Stamp stamps the records a model data builder returned with the model
// version; NewModel builds the batch model holding the learner's data;
// WarmBinary and WarmLinear read the weights (and a binary model's labels)
// out of a linear batch model's data, and LoadModel sets the data of any
// other batch model a learner warm starts from. They are generic over the
// batch model type, so olearn imports no estimator.
package olearn
