// Package drift detects concept drift in a stream of per-row values, such
// as a classifier's 0/1 errors or a per-row loss, and reports each detected
// drift as an event an orchestrator can react to (retrain, roll back,
// alert).
//
// # Detectors
//
// A Detector is fed one value at a time (Update) and answers whether a
// drift was detected at that value; State, Statistic, Reset, and bit-exact
// Snapshot/Restore complete it. Three are provided, each following River's
// implementation (https://riverml.xyz) step for step so the same stream
// gives the same detections:
//
//   - ADWIN, ADaptive WINdowing: A. Bifet and R. Gavaldà, "Learning from
//     time-changing data with adaptive windowing", SIAM SDM 2007. The
//     ADWIN2 form: an exponential histogram of bucket totals and variances
//     (at most MaxBuckets per size 2^i), cut points tested every Clock rows
//     with River's bound eps = sqrt(2 m v ln(2 ln n / delta)) + 2/3 m
//     ln(2 ln n / delta), m = 1/(n0-l+1) + 1/(n1-l+1); the oldest buckets are
//     dropped while a cut fires. It also estimates the mean of the recent
//     window (Mean, Width).
//   - DDM, the Drift Detection Method: J. Gama, P. Medas, G. Castillo and
//     P. Rodrigues, "Learning with drift detection", SBIA 2004. Warning at
//     p + s > p_min + 2 s_min, drift at p + s > p_min + 3 s_min, after
//     MinInstances values.
//   - PageHinkley, the Page-Hinkley test: E. S. Page, "Continuous
//     inspection schemes", Biometrika 41 (1954); as used on streams by
//     H. Mouss et al. (2004) and River, with a forgetting factor alpha, a
//     tolerance delta and a threshold lambda, for an increase of the mean.
//
// New builds one by kind name ("adwin", "ddm", "page_hinkley") with River's
// defaults; NewADWIN, NewDDM and NewPageHinkley take a config whose zero
// fields mean the defaults.
//
// # Behaviour
//
// The tests document, on 0/1 error streams whose rate jumps from 0.2 to
// 0.6 at row 5000 (ten seeds), the detection delay and the absence of false
// alarms before the change and on 20000 stationary rows: ADWIN within 500
// rows (River's defaults; its bound is conservative), DDM within 500 with
// MinInstances 1000 and drift level 4 (River's defaults false-alarm on a
// third of such streams), Page-Hinkley within 200 with delta 0.01 (the
// default 0.005 is small for errors of variance 0.16). Hand-worked cases
// check Page-Hinkley's sums, DDM's first alarm and ADWIN's histogram shape;
// a property test checks that ADWIN's window statistics are exactly those
// of the newest Width values. Updates allocate nothing; BenchmarkUpdate measured 10-30 ns
// for DDM and Page-Hinkley and about 100 ns for ADWIN (its cut scan every
// Clock rows, repeated after each dropped bucket) on a noisy 2-core
// machine.
//
// # Stream operator
//
// NewOperator returns a stream.Operator factory that passes batches
// through, feeds a column to a detector and emits one row per drift
// (EventSchema: detector, row, time, statistic) on the side output Tag
// ("drift"). The detector and the row count are operator state in the
// engine's checkpoints, so a restored job reports the same events.
//
//	newOp, err := drift.NewOperator(drift.OperatorConfig{Column: "error", TimeColumn: "time"})
//	s := in.Process("drift", newOp, 1)
//	events := s.SideOutput(drift.Tag)
//
// # Snapshots
//
// Snapshots start with an 8-byte magic per detector and a format version,
// then the configuration and the state as little-endian fixed-width values
// (float64 as IEEE bits). Restore validates them (configuration ranges,
// histogram consistency) and returns an error for malformed bytes without
// changing the detector; FuzzRestore checks that no input panics.
package drift
