// Package randomsplitter splits a table into several by weights, at
// random but reproducibly: Flink ML's RandomSplitter (an AlgoOperator with
// one output per weight) and Spark's Dataset.randomSplit; scikit-learn's
// train_test_split plays the same role.
//
// # Splitting
//
// The weights are normalised to sum 1 and turned into cumulative bounds
// c_0 < c_1 < ... < c_{k-1} = 1. Rows are taken in input order; row r
// draws u_r, uniform in [0, 1), from a PCG generator (math/rand/v2) seeded
// with seed, and goes to the first split k with u_r < c_k. Each row lands
// in exactly one split, the order of rows is kept inside each split, and
// the same input order and seed give the same splits whatever the batch
// sizes. A weight of 0 gives an empty split.
//
// # API
//
// Split reads a whole table.Reader and returns one table.Table per
// weight. RandomSplitter is the same as a stage with params (weights,
// seed) for flows; it is not registered as a transformer kind because it
// has several outputs. Splitter assigns rows batch by batch for streams
// (Assign) and cuts a batch into one record per split (SplitRecord).
package randomsplitter
