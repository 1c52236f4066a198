// Package delayed joins predictions with labels that arrive later, on the
// stream engine, so that online learners and prequential evaluation can run
// where the truth comes after the prediction (a click after an impression,
// a chargeback after a payment). This is the verification-latency setting
// of G. Žliobaitė, "Change with delayed labeling: when is it detectable?",
// ICDM Workshops 2010, and of V. M. A. Souza et al., "Classification of
// evolving data streams with infinitely delayed labels", ICMLA 2015; the
// join itself is Flink's keyed interval-join pattern with keyed state and
// timers.
//
// # Design
//
// The engine's two-input operator (stream.Connect, CoOperator) broadcasts
// its second input to every subtask, which suits a model stream but not a
// label stream that must meet its prediction by key. So the two streams
// are tagged into one schema with a kind column (TagPredictions,
// TagLabels: key, kind, time as timestamp[us], label, value columns; the
// other side's columns null), merged with stream.Union, keyed by the id
// (stream.KeyBy) and joined by a KeyedOperator (NewOperator); Join wires
// the four steps:
//
//	joined, err := delayed.Join(preds.AssignWatermarks("time", time.Second),
//		labels.AssignWatermarks("time", time.Second),
//		delayed.Config{KeyCol: "id", MaxDelay: time.Hour}, mem, 4)
//	expired := joined.SideOutput(delayed.ExpiredTag)
//
// # Semantics
//
// A prediction waits in keyed state (a list per key) until a label of its
// key arrives; the label then joins every waiting prediction of the key and
// each joined row (key, time, label_time, value columns, label) is emitted
// at once. A label that arrives first waits likewise and joins the next
// prediction of its key. Whatever waits longer than MaxDelay — measured in
// event time (from the row's time, fired by the watermark) or processing
// time (from its arrival, on the job's clock) — leaves through a timer:
// predictions to the side output ExpiredTag ("expired"), labels to
// OrphanTag ("orphan_labels"). Nothing is dropped silently: every input row
// ends in exactly one of the three outputs, and the side outputs are
// counted in the operator's OperatorMetrics.SideRecordsOut. At the end of
// a bounded input, everything still waiting leaves the same way (event
// time: the final watermark fires every timer; processing time: Finish
// flushes, since the engine drops pending processing-time timers).
//
// # Checkpoints
//
// Waiting rows and timers are keyed state: the engine checkpoints them with
// the source offsets and restores them (redistributed by key group when the
// parallelism changes), so with a replayable source and an exactly-once
// sink (stream.NewFileSink) every joined and expired row is published once
// across failures; a test injects a failure after a checkpoint and checks
// the published rows.
package delayed
