// Package gbt implements histogram-based gradient boosted trees: the
// estimators gbt_classifier and gbt_regressor and their models
// gbt_classifier_model and gbt_regressor_model, like scikit-learn's
// HistGradientBoostingClassifier and HistGradientBoostingRegressor
// (LightGBM's algorithm, Ke et al. 2017; Friedman 2001 for boosting).
//
// # Algorithm
//
// Each feature is binned once into at most max_bins (255) bins whose edges
// are the midpoints between distinct values (when there are at most
// max_bins) or the "midpoint" percentiles at 100k/max_bins. The model
// starts from a baseline (the mean target; the log odds of the positive
// class; the log class frequencies) and adds max_iter trees (one per class
// and iteration for more than two classes), each fitted to the gradients
// g and hessians h of the loss at the current scores: squared error
// (g = f - y, h = 1), binary log loss (g = p - y, h = p(1-p)) or the
// multinomial log loss over softmax probabilities. Gradients are rounded
// to float32 as scikit-learn stores them, so near-tied splits go the same
// way. A tree grows leaf-wise: the leaf whose best split has the largest
// gain G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ) is split next, until
// max_leaf_nodes leaves; a split needs min_samples_leaf rows and a
// hessian sum of 1e-3 on each side and a positive gain, a node at
// max_depth is not split. Leaf values are -learning_rate * G/(H+λ), λ the
// l2_regularization. Histograms of a node are built over its rows with the
// features split across two goroutines (the root, on every row in order,
// reads the columns and gradients directly; other nodes gather their
// gradients in row order first); the larger child's histogram is the
// parent's minus the smaller child's (the subtraction trick). Split
// finding scans the two halves of the features concurrently, a split
// partitions a large node's rows as two concurrent stable halves, and the
// scores of the training rows are updated leaf by leaf on two goroutines;
// each gives the serial result exactly. Bin edges come from a radix sort
// of each feature.
// With early stopping a validation_fraction of the rows (per class for
// classification, drawn with the seed) is held out and boosting stops
// when none of the last n_iter_no_change iterations lowered the
// validation loss by more than tol below its value n_iter_no_change+1
// iterations back (scikit-learn's rule); the trees grown stay. With early
// stopping off, and on the same data and params, the scores equal
// scikit-learn 1.2's to 1e-6 (testdata/gen_expected.py).
//
// # Params
//
// features_col (dense or sparse vector), label_col, weight_col (sample
// weights scale gradients and hessians), seed (the validation split),
// learning_rate (0.1), max_iter (100), max_leaf_nodes (31, 0 unlimited),
// max_depth (0 unlimited), min_samples_leaf (20), l2_regularization (0),
// max_bins (255), early_stopping (auto: on above 10000 rows, on, off),
// validation_fraction (0.1), n_iter_no_change (10), tol (1e-7),
// warm_start (false), prediction_col, and for the classifier raw_prediction_col and
// probability_col; on the models model_version_col.
//
// # Output
//
// Classifier: prediction (the label of the largest probability),
// raw_prediction (binary: [-f, f] with f the log odds; multiclass: the K
// scores) and probability (sigmoid or softmax of the scores, in label
// order). Regressor: prediction = f. FeatureImportances is the total split
// gain per feature normalised to 1 (scikit-learn's histogram models have
// none). FitReport returns the iterations done and the loss curves.
//
// # Errors
//
// NaN or infinite features are errors naming the row and the feature
// (scikit-learn's missing-value bin is not reproduced); as are null
// vectors, labels or weights, a classification label column with one
// class and vectors of the wrong size.
//
// # Warm start
//
// With warm_start true (as scikit-learn's warm_start), Fit keeps the
// trees of the previous Fit of the same estimator, or of the model given
// to SetInitialModel or SetInitialModelData, and adds iterations until
// the ensemble has max_iter (a max_iter below the initial iterations is
// an error; equal adds nothing). The raw scores start from the initial
// trees' predictions, so on the same data and seed (same bins, same
// early-stopping split) 10 iterations then 10 more give exactly the trees
// of 20 cold ones. The data must have the initial model's feature count
// and labels. Early stopping only looks at the iterations this Fit adds,
// and FitReport's loss curves start at the initial ensemble.
//
// # Model data
//
// As package decisiontree ("meta", "nodes", "labels" for the classifier),
// with value vectors of size 1 (the shrunk leaf value), gain the split
// gain, weight the hessian sum, trees in boosting order (tree t adds to
// output t mod K), and a last record "baseline" (float64 baseline, one row
// per output).
package gbt
