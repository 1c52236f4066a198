// Package generate produces seeded synthetic streams of Arrow record
// batches for the quickstart, the examples and unit tests: binary
// classification from a hidden logistic model, regression from a hidden
// linear model, and Gaussian blobs, with optional concept drift and
// out-of-order event times.
//
// A Source is a connectors.Source (Skipped is always 0) and a table.Seeker,
// so it plugs in wherever a file source does; it is not a file format and is
// not registered as one. Build it with New:
//
//	src, err := generate.New(generate.Config{Kind: generate.Classification, Seed: 7, Rows: 10_000})
//	if err != nil { ... }
//	defer src.Release()
//	for src.Next() {
//		rec := src.Record() // valid until the next Next
//		...
//	}
//
// FirstRow starts the stream later in the seeded data set: disjoint row
// ranges of one seed share the hidden model (train, held-out, live).
//
// Rows = 0 gives an endless stream: stop reading whenever you like and call
// Release. A Source starts no goroutines.
//
// # Determinism
//
// Every value of row r is a pure function of (Config, r): the batch size
// never changes a value, SeekRow(n) costs O(1), and any row can be
// regenerated on its own. All randomness comes from counter-based
// SplitMix64 streams, the contract of peers/datagen.py. With all arithmetic
// on uint64 modulo 2^64:
//
//	mix64(z):  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
//	           z = (z ^ (z >> 27)) * 0x94D049BB133111EB
//	           return z ^ (z >> 31)
//	base(seed, s)   = mix64(seed*0x9E3779B97F4A7C15 + s*0xD1B54A32D192ED03)
//	u64(seed, s, i) = mix64(base(seed, s) + (i+1)*0x9E3779B97F4A7C15)    i >= 0
//	unif(s, i)      = float64(u64(seed, s, i) >> 11) * 2^-53              in [0, 1)
//	ih4(s, i)       = ((((unif(s,4i) + unif(s,4i+1)) + unif(s,4i+2)) + unif(s,4i+3)) - 2) * 1.7320508075688772
//	sigmoid(z)      = 1 / (1 + exp(-z))
//
// ih4 is the Irwin-Hall(4) approximation of N(0, 1) (mean 0, variance 1,
// support [-2√3, 2√3]). Floating-point operations are IEEE float64, one
// rounding per multiply and per add (no fused multiply-add), sums taken left
// to right exactly in the order written below. Conversions float -> integer
// truncate (floor, as the values are non-negative).
//
// # Streams
//
// Fixed streams s, indexed by row r (D = NumNumeric, C = NumCategorical):
//
//	1  numeric draws: x[r,j] = ih4(1, r*D + j)            (blobs: cluster noise)
//	2  categorical draws: u[r,f] = unif(2, r*C + f)
//	3  classification label draw: unif(3, r)
//	4  label noise: classification flip unif(4, r); regression noise ih4(4, r)
//	5  event-time jitter: unif(5, r)
//	6  blobs cluster assignment: unif(6, r)
//
// The hidden model of concept c (see Drift) uses streams (c+1)<<8 | tag:
//
//	tag 1  w_c[j] = 2*unif(W, j) - 1 for j < D;  bias_c = unif(W, D) - 0.5
//	       blobs: center_c[k][j] = (2*unif(W, k*D + j) - 1) * 5
//	tag 2  categorical weight of value v of field f:
//	       cw_c(f, v) = 2*unif(CW, key) - 1,  key = (f+1)<<32 | v
//
// Row indices r*D + j and r*C + f wrap modulo 2^64 like everything else.
//
// # Columns and formulas
//
// Columns, in order: x0..x{D-1} (float64), c0..c{C-1} (string), both
// with field metadata eddy.role=feature, the label (eddy.role=label), and ts
// (timestamp[ms, UTC], eddy.role=timestamp).
// No column has nulls.
//
// Categorical value: p = u[r,f]^Skew by repeated multiplication left to
// right (u, u*u, (u*u)*u, ...), v = min(floor(card_f * p), card_f - 1), and
// the cell holds the string "c" + f + "_" + v in decimal, as "c3_17".
//
// Classification and regression, with the hidden model (bias, w, cw) in
// force at row r:
//
//	z = bias;  z = z + x[r,j]*w[j] for j = 0..D-1;  z = z + cw(f, v[r,f]) for f = 0..C-1
//	classification: label = 1 if unif(3, r) < sigmoid(z) else 0, then
//	                if Noise > 0 and unif(4, r) < Noise: label = 1 - label      (int64)
//	regression:     label = z + Noise*ih4(4, r)                                (float64)
//
// Blobs (column cluster, int64): a = min(floor(K * unif(6, r)), K-1) and
// x[r,j] = center[a][j] + Noise*ih4(1, r*D + j).
//
// Event time, in milliseconds since the Unix epoch, with L =
// MaxLateness in whole milliseconds (truncated):
//
//	ts[r] = StartTime.UnixMilli() + floor(r * Interval_ns / 10^6) - jitter[r]
//	jitter[r] = min(floor(unif(5, r) * (L+1)), L)     (0 when L = 0)
//
// The product r*Interval_ns is exact (128-bit). Event times are therefore
// out of order by at most L: a watermark at (largest ts seen) - L is never
// passed by a later row, which is what bounded out-of-orderness watermark
// code needs.
//
// sigmoid uses the platform's exp; an implementation whose exp differs in
// the last bit could flip a label only when unif(3, r) falls within one ulp
// of sigmoid(z).
//
// # Drift
//
// Drift points are Drift.At, At+Every, At+2*Every, ... (only At when Every
// is 0). Before the first point the hidden model is concept 0; from drift
// point i on it is concept i+1, an independent draw of every weight, the
// bias and every blob center. With Width = 0 the change is abrupt. With
// Width > 0 each change is a linear move over Width rows: at row
// r = p_i + o, 0 <= o < Width, every parameter is
//
//	(1-a)*param_i + a*param_{i+1},   a = float64(o) / float64(Width)
//
// and from p_i + Width on it is param_{i+1}. Width = Every gives a model in
// constant motion. Source.Truth and Source.CategoryWeight return the model
// in force at a row, for tests that check what a learner recovered.
//
// # Memory
//
// Batches are allocated from Config.Allocator. The record returned by
// Record is owned by the Source until the next Next or Release;
// Retain it to keep it longer.
package generate
