// Package randomforest implements random forests: the estimators
// random_forest_classifier and random_forest_regressor and their models
// random_forest_classifier_model and random_forest_regressor_model, like
// scikit-learn's RandomForestClassifier and RandomForestRegressor
// (Breiman 2001).
//
// # Algorithm
//
// n_estimators CART trees (package decisiontree's builder) are grown,
// each on a bootstrap sample (n rows drawn with replacement, given as
// weights: a row drawn k times weighs k; rows not drawn take no part)
// and trying max_features random features per split (sqrt of the count
// for classification, all for regression, as scikit-learn 1.x). Trees are
// grown on two goroutines (parallelism); tree i draws its rows and
// features from its own PCG generator seeded with (seed, i), so the
// forest is the same whatever the scheduling or parallelism. Rows are
// sorted once per feature and shared by all trees. On the shared datasets
// the held-out metrics, averaged over seeds, are within 1% of
// scikit-learn's (scripts/accuracy_trees.sh).
//
// # Params
//
// features_col (dense or sparse vector), label_col, weight_col (sample
// weights, multiplied by the bootstrap counts), seed, n_estimators (100),
// bootstrap (true), parallelism (0: 2), warm_start (false), criterion
// (gini|entropy, squared_error), max_depth (0 unlimited), min_samples_split (2),
// min_samples_leaf (1), min_impurity_decrease (0), max_features ("all",
// "sqrt", "log2", a fraction "0.5" or a count "3"), prediction_col, and
// for the classifier raw_prediction_col and probability_col; on the
// models model_version_col.
//
// # Output
//
// Classifier: probability is the mean over trees of the class
// distribution of the leaf a row falls in (scikit-learn's predict_proba),
// raw_prediction their sum (Spark ML's rawPrediction), prediction the
// most probable label. Regressor: prediction is the mean of the trees'
// leaf means. FeatureImportances is the mean over trees of each tree's
// normalised impurity decrease per feature, normalised again
// (scikit-learn's feature_importances_).
//
// # Errors
//
// As package decisiontree. There is no out-of-bag score.
//
// # Warm start
//
// With warm_start true (scikit-learn's warm_start), Fit keeps the trees
// of the previous Fit of the same estimator, or of the model given to
// SetInitialModel or SetInitialModelData, and grows trees up to
// n_estimators (fewer than the initial trees is an error). Tree i has its
// own generator seeded by (seed, i), so with the same data and seed, 5
// trees and then 5 more are exactly the forest of 10. The data must have
// the initial model's feature count and labels.
//
// # Model data
//
// As package decisiontree, with one tree per estimator: records "meta",
// "nodes" (tree 0..n_estimators-1) and, for the classifier, "labels".
package randomforest
