// Package knn implements the k-nearest-neighbours classifier
// knn_classifier and its model knn_classifier_model, like scikit-learn's
// KNeighborsClassifier (algorithm="brute", Euclidean metric) and Flink
// ML's Knn.
//
// # Algorithm
//
// Fit stores the training set (features and labels) as the model data.
// Transform computes, for every row, the squared Euclidean distance to
// every training row (brute force, O(rows × training rows × dim), query
// rows split over two goroutines on large batches, nothing allocated per
// row) keeping the k nearest in a sorted buffer. Neighbours vote for their
// class: 1 each (weights uniform) or 1/distance (weights distance; when
// some neighbours are at distance 0 they share the whole vote, as
// scikit-learn). Ties: among training rows at the same distance for the
// last of the k places, the earlier training row wins (scikit-learn's
// choice there depends on its sort; the tests find no such tie changing a
// vote on iris, wine and breast_cancer); among classes with the same vote,
// the smaller label wins (scikit-learn's argmax).
//
// # Params
//
// features_col (dense or sparse vector), label_col, k (5), weights
// (uniform | distance), prediction_col, raw_prediction_col,
// probability_col, model_version_col. There is no randomness, no
// iteration and no sample weight. Warm start: SetModelData replaces the
// training set.
//
// # Output
//
// prediction (float64 label), raw_prediction (dense vector of the K class
// votes: neighbour counts or summed inverse distances) and probability
// (the votes normalised to sum 1, scikit-learn's predict_proba).
//
// # Errors
//
// A NaN or infinite feature, a null vector or label (naming the row), k
// larger than the training set, and at transform a vector size other than
// the training set's.
//
// # Model data
//
// One record, the training set: dense vector "features" and float64
// "label" per training row. Model size grows with the training set.
package knn
