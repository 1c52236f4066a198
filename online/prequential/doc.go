// Package prequential evaluates online learners the prequential way
// (test-then-train: every row is scored by the model before the model learns
// it), as River's evaluate.progressive_val_score: cumulative metrics over
// every row seen and sliding-window metrics over the newest rows, reported
// as a stream of metrics rows and as Prometheus gauges.
//
// References: A. P. Dawid, "Present position and potential developments:
// some personal views. Statistical theory: the prequential approach",
// JRSS A 147 (1984); J. Gama, R. Sebastião and P. P. Rodrigues, "On
// evaluating stream learning algorithms", Machine Learning 90 (2013), for
// prequential error over sliding windows.
//
// # Metrics
//
// An Evaluator (Config: Task binary|multiclass|regression, Window,
// LabelCol, PredictionCol, ProbabilityCol) takes batches with Update and
// reports Metrics: Rows, and for the cumulative and the window scope
//
//   - binary: accuracy (prediction == label, or probability >= 0.5 without
//     a prediction column), log loss (probability clipped to [2^-52,
//     1-2^-52], as eval.BinaryLogLoss) and ROC AUC;
//   - multiclass: accuracy and, when the batches carry a dense vector of
//     class probabilities, log loss (clipped and renormalised, as
//     eval.LogLoss; NaN once a batch had none);
//   - regression: RMSE and MAE.
//
// A row whose prediction (or, for binary, probability) is NaN is
// unscored: the learner had seen no label yet and could not predict it
// (naive Bayes and the Hoeffding tree before their first row). It enters
// no metric and is counted in Metrics.Unscored, as River's
// progressive_val_score skips a prediction of None.
//
// Cumulative sums are kept in row order and the window's metrics are
// recomputed from its rows (oldest first) at each Metrics call, so both
// equal a plain loop over the same rows (the tests check 1e-12) and carry
// no drift from incremental subtraction.
//
// # AUC
//
// The window AUC is exact: the window's rows sorted by probability, the
// Mann-Whitney statistic with ties counted one half (equal to eval.ROCAUC,
// checked to 1e-12). An exact cumulative AUC would need every row, so the
// cumulative AUC uses two histograms of AUCBins equal-width probability bins
// (positives and negatives; default 1000 bins, 16 KB) and counts a
// positive/negative pair in the same bin as a tie. Its error is bounded by
// Metrics.AUCErrorBound, half the share of pairs that share a bin (reported
// with every Metrics); it is exact when every bin holds one distinct
// probability.
//
// Update costs about 100 ns per binary row and 40 ns per regression row
// without allocating; Metrics about 130 µs for a binary window of 1000
// rows (the sort), so report every few thousand rows (BenchmarkUpdate).
//
// # Stream operator
//
// NewOperator returns a stream.Operator factory that evaluates the rows
// passing through (as the learner operator outputs them: label plus
// prediction and probability made before learning), forwards them
// unchanged, and emits on side output Tag ("metrics") one row every Every
// rows and one at the end of input, with MetricsSchema(task): rows int64,
// time timestamp[us], then cumulative_<metric> and window_<metric> float64
// columns. The evaluator is operator state in checkpoints. With an injected
// prometheus.Registerer it also sets gauges eddy_online_<metric>{learner,
// scope="cumulative"|"window"}; nothing is registered on the default
// registry.
//
//	newOp, err := prequential.NewOperator(prequential.OperatorConfig{
//		Config: prequential.Config{Task: prequential.Binary}, Every: 10000,
//		Registerer: reg, Learner: "ftrl"})
//	scored := learned.Process("prequential", newOp, 1)
//	metrics := scored.SideOutput(prequential.Tag)
//
// # Snapshots
//
// Snapshot holds the configuration, the cumulative sums, the histograms
// and the window's rows (oldest first) as little-endian fixed-width values
// after an 8-byte magic; Restore continues bit for bit and rejects
// malformed bytes with an error (FuzzRestore), allocating in proportion to
// the bytes given.
package prequential
