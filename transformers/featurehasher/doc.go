// Package featurehasher projects columns of mixed types into a sparse
// vector of fixed dimension with the hashing trick: the feature_hasher
// transformer, after Spark ML's and Flink ML's FeatureHasher
// (Weinberger et al., "Feature Hashing for Large Scale Multitask
// Learning", ICML 2009).
//
// # Hashing
//
// The hash is MurmurHash3_x86_32 of the UTF-8 bytes with seed 42, and the
// bucket its non-negative remainder modulo num_features (default 2^18), as
// Spark. For each row and input column:
//
//   - a numeric column (integer or float) not listed in categorical_cols
//     adds its value at bucket hash(column name);
//   - a string or boolean column, or a numeric one listed in
//     categorical_cols, adds 1.0 at bucket hash("column=value"), the value
//     rendered as text (booleans "true"/"false", integers in decimal,
//     integral floats like integers: 3.0 is "3" where Spark writes "3.0",
//     other floats in their shortest exact form).
//
// Values that land in the same bucket add up; buckets summing to zero are
// not stored. scikit-learn's FeatureHasher hashes "column=value" strings
// the same way but with seed 0, alternating signs and abs() instead of a
// modulo, so its buckets differ; the test checks Eddy's output against an
// independent computation with scikit-learn's murmurhash3_32(seed=42).
//
// # Invalid values
//
// Nulls add nothing (as Spark); NaN numeric values are added as NaN, NaN
// categorical values add nothing. The output is never null.
package featurehasher
