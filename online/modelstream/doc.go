// Package modelstream puts Eddy's online learners (package online) on the
// stream engine (pipeline/stream): a learner operator that learns from a
// stream test-then-train and publishes versioned models, the model stream
// record those versions travel in, a prediction operator that swaps models
// atomically as versions arrive, and a quality gate that lets a version
// through only when its windowed metric passes a threshold.
//
//	job := stream.NewJob("ctr", stream.WithCheckpointInterval(10*time.Second), ...)
//	rows := stream.FromSource(job, "clicks", src, 1)
//	scored, models, err := modelstream.AddLearner(rows, "ftrl", modelstream.LearnConfig{
//		Learner: "ftrl", Params: map[string]any{"alpha": 0.1}, EveryRows: 100_000})
//	good, rejected, err := modelstream.AddQualityGate(scored, models, "gate",
//		modelstream.GateConfig{Metric: modelstream.MetricAUC, Threshold: 0.7})
//	predict, err := modelstream.Predict(modelstream.PredictConfig{})
//	served := stream.Connect(requests, good).Process("predict", predict, 4)
//
// # Model stream
//
// One row per model version (Schema): version int64 (1, 2, 3, ... per
// learner), rows int64 (rows learned), learner string (kind), model_kind
// string (the batch model kind, for instance logistic_regression_model),
// data binary (the model data records, see EncodeData) and time
// timestamp[us, UTC] (processing time of the publish, LearnConfig.Now).
// Encode builds a row, Decode reads rows back into Versions whose Data
// records are what pipeline.Model.SetModelData takes: each carries its
// version in its schema metadata (pipeline.ModelVersionKey), and modelio
// saves a model holding them like any fitted model.
//
// The data column holds, for each model data record, its length (uint64,
// little endian) and the record as a complete Arrow IPC stream: model data
// records of one model may have different schemas (coefficients and
// labels), which a single IPC stream cannot hold.
//
// # Learner operator
//
// Learn (or AddLearner) runs one online.Learner built from a kind and
// params (LearnConfig), optionally warm-started from a batch model's data.
// For each batch it calls UpdatePredict (Scorers) and emits the rows with
// "prediction" and, for binary classifiers with probabilities,
// "probability", both made before the row was learned; other learners (a
// scaler) Update and pass the rows through. It publishes a version on the
// side output "models" every EveryRows rows (cutting batches at the exact
// row), after EveryInterval of processing time (also while the input
// pauses: the operator is a stream.Ticker), at each checkpoint
// (OnCheckpoint) and at the end of a bounded input (unless SkipFinal).
//
// Parallelism is 1: there is one model, learned from every row in order.
// Feed it from a source of parallelism 1 (or one whose order does not
// matter): a rebalanced input arrives in a timing-dependent order. For one
// model per key, split the stream by key (Filter per shard, or one job per
// shard) and give each shard its own learner and model stream.
//
// # Exactly-once learner state
//
// The learner's Snapshot, the version counter and the rows since the last
// version are the operator's checkpoint state. With a replayable source
// (a table.Seeker) the engine restarts from the last checkpoint after a
// failure, in place (stream.WithRestartStrategy) or in a new process
// (stream.WithRestoreFrom): the learner ends bit for bit where a run
// without failure ends, and versions published after the checkpoint are
// published again with the same numbers and bytes. Consumers deduplicate by
// version; the prediction operator ignores versions not newer than its
// current one. EveryRows versions depend only on the input and the params;
// EveryInterval and OnCheckpoint versions depend on timing.
//
// # Prediction operator
//
// Predict is a CoOperator over a data stream and a broadcast model stream.
// It scores each data batch with the current model (a caller's model or
// PipelineModel, or one built from the stage registry by the versions'
// model kind) and appends "model_version". Data that arrives before the
// first version is buffered (bounded, then an error), dropped and counted,
// or an error (PredictConfig.BeforeModel); a CoOperator cannot block one
// input while waiting for the other.
//
// # Quality gate
//
// QualityGate (AddQualityGate), after Alink's FtrlModelFilter, reads the
// learner's scored rows and its model stream and lets a version through when
// the metric (AUC, log loss, accuracy, RMSE or MAE, computed with package
// eval) over the last Window scored rows up to the version's row count
// passes Threshold. Rejected versions go to the side output "rejected" with
// their metric and are counted, never silently lost.
package modelstream
