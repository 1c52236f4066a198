// Package eval computes evaluation metrics for classifiers, regressors and
// clusterings, on plain slices, incrementally over batches, and over Arrow
// tables (table.Reader).
//
// # Metrics
//
// Classification: accuracy, precision, recall and F1 (binary for one
// positive label, macro and weighted averages over the labels present in
// the true or predicted values, as scikit-learn's precision_recall_fscore_support
// with zero_division=0), confusion matrix, log loss (probabilities clipped
// to [eps, 1-eps] (eps = 2^-52, float64 machine epsilon) and each row renormalised, as scikit-learn 1.2's
// log_loss) and binary ROC AUC (trapezoidal area under the ROC curve with
// tied scores grouped into one threshold, as scikit-learn's roc_auc_score;
// equal to the Mann-Whitney statistic with ties counted one half).
//
// Regression: MSE, RMSE, MAE, R2 and explained variance, with scikit-learn's
// conventions for a constant target (R2 and explained variance are 1 for a
// perfect prediction and 0 otherwise).
//
// Clustering: inertia, the (weighted) sum of squared Euclidean distances
// of the points to their nearest centre (scikit-learn's KMeans.inertia_).
//
// Every metric takes optional sample weights (nil means weight 1).
//
// # Incremental use
//
// BinaryAccumulator, MulticlassAccumulator, RegressionAccumulator and
// InertiaAccumulator take one batch at a time with Add and report the
// metrics seen so far with Metrics, so online learners and the table
// evaluators share the same code. The regression and multiclass
// accumulators hold O(1) and O(classes²) state; the binary one keeps its
// scores, since an exact ROC AUC needs them all (8 bytes of score, label
// and weight per row).
//
// # Tables
//
// BinaryClassification, MulticlassClassification and Regression read a
// table.Reader (a *table.Table via its Reader method) to its end. Label,
// prediction and weight columns may be any integer or float type; a score
// column is a float64 column or a dense vector (the last element is the
// positive class score, as the probability and raw prediction columns of
// Eddy's classifiers); a probability column for multiclass log loss is a
// dense vector whose element j is the probability of class label j (or of
// the j-th label given with WithLabels). A null label, prediction or score
// is an error naming the column and the row.
//
// # Accuracy
//
// testdata/expected.json.gz holds inputs and scikit-learn 1.2.1 outputs
// made once by testdata/gen_expected.py; the tests compare to 1e-12.
package eval
