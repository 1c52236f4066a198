// Package decisiontree implements CART decision trees: the estimators
// decision_tree_classifier and decision_tree_regressor and their models
// decision_tree_classifier_model and decision_tree_regressor_model, like
// scikit-learn's DecisionTreeClassifier and DecisionTreeRegressor (with
// splitter="best") and Spark ML's DecisionTreeClassifier/Regressor.
//
// # Algorithm
//
// Breiman, Friedman, Olshen and Stone, Classification and Regression
// Trees (1984). The tree grows depth first. At each node max_features
// features are drawn at random without replacement (constant features do
// not count); for each, every threshold halfway between consecutive
// distinct values (values closer than 1e-7 are not split apart) is scored
// and the split with the largest impurity decrease
//
//	w_node * I(node) - w_left * I(left) - w_right * I(right)
//
// wins, the first found on ties (so the seed breaks ties between equally
// good features, as random_state does in scikit-learn). I is the Gini
// impurity 1 - Σ p_c², the entropy -Σ p_c log2 p_c or, for regression, the
// variance of the target (squared_error); w are summed sample weights.
// A node is a leaf when it is pure, at max_depth, has fewer than
// min_samples_split rows or fewer than 2*min_samples_leaf, when no split
// leaves min_samples_leaf rows on both sides, or when the weighted
// decrease w_node/w_total * (I(node) - w_l/w_node*I(l) - w_r/w_node*I(r))
// is below min_impurity_decrease. Rows are sorted once per feature and
// kept sorted within each node by stable partitioning, so a node costs
// O(rows × features). On the same data and settings the tree equals
// scikit-learn's up to tie-breaking (testdata/gen_expected.py).
//
// # Params
//
// features_col (dense or sparse vector), label_col (any numeric type),
// weight_col (sample weights), seed, criterion (gini|entropy for the
// classifier, squared_error for the regressor), max_depth (0: unlimited),
// min_samples_split (2), min_samples_leaf (1), min_impurity_decrease (0),
// max_features ("all", "sqrt", "log2", a fraction "0.5" or a count "3";
// default all), prediction_col, and for the classifier raw_prediction_col
// and probability_col; on the models model_version_col.
//
// # Output
//
// Classifier: prediction (float64, the most probable label, the smallest
// on ties), raw_prediction and probability (dense vectors, one value per
// class in label order): the weighted class distribution of the leaf a
// row falls in. Regressor: prediction, the weighted mean target of the
// leaf. FeatureImportances is the normalised total impurity decrease per
// feature (scikit-learn's feature_importances_).
//
// # Errors
//
// A NaN or infinite feature (naming the row and the feature; scikit-learn
// 1.3's missing-value support is not reproduced), a null vector, label or
// weight, a classification label column with one class, and vectors of a
// size other than the model's are errors. There is no warm start: a tree
// is grown in one go.
//
// # Model data
//
// Records "meta" (one row: int32 num_features), "nodes" (one row per node,
// trees and nodes in order: int32 tree, node, feature (-1 at a leaf),
// left, right (-1 at a leaf), float64 threshold (x <= threshold goes
// left), gain (weighted impurity decrease), weight (weighted rows), dense
// vector value: class weights for the classifier, the mean target for the
// regressor) and, for the classifier, "labels" (float64 label, sorted).
package decisiontree
