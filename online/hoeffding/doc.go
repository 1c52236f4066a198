// Package hoeffding is the Hoeffding tree classifier (VFDT: Domingos and
// Hulten, "Mining High-Speed Data Streams", KDD 2000): the learner
// online_hoeffding_tree, as River's HoeffdingTreeClassifier and MOA's
// HoeffdingTree, with information gain and binary splits.
//
// # Learning
//
// A row is sorted to a leaf, whose statistics it updates: the class
// counts; for a numeric feature, per class a Gaussian estimator (count,
// mean, sum of squared deviations, Welford) and the feature's range; for a
// nominal feature (nominal_features), per value the class counts. Every
// grace_period rows a leaf evaluates its candidate splits by information
// gain (entropy in bits):
//
//	numeric  x <= t for num_bins thresholds evenly spaced inside the
//	         range; class c's share left of t is estimated as
//	         n_c * Phi((t - mean_c) / sd_c)  (River's Gaussian splitter)
//	nominal  x == v against every other value, for each value seen
//
// With G1 and G2 the best gains of the two best features, R = log2(K) for
// K classes seen and n rows at the leaf, the Hoeffding bound is
//
//	eps = sqrt(R² ln(1/split_confidence) / (2n))
//
// and the leaf splits when G1 > 0 and (G1 - G2 > eps or eps < tie_threshold)
// and the leaf is above max_depth. The two new leaves start with the class
// counts the split estimated for them.
//
// # Prediction
//
// The majority class of the leaf a row reaches (the leaf's class counts,
// normalised, are the probabilities). Classes are added as their labels
// appear.
//
// # Reverse communication and model
//
// Update / UpdatePredict learn an Arrow batch of dense or sparse
// "features" and a numeric label, row by row; UpdatePredict writes each
// row's predicted label before it was learned (NaN before the first
// label). UpdateDense learns one row. Snapshot and Restore carry the whole
// tree with its leaf statistics bit for bit. Model returns a
// decision_tree_classifier_model (estimators/decisiontree): a nominal split
// x == v becomes the two threshold nodes x <= prev(v) and x <= v sharing
// the "other" subtree. There is no WarmStart: a batch tree has no leaf
// statistics to grow from.
package hoeffding
