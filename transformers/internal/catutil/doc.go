// Package catutil holds the helpers shared by Eddy's categorical and text
// transformers (string_indexer, one_hot_encoder, feature_hasher, the
// tokenizers, hashing_tf, idf, count_vectorizer...).
//
// # Categories
//
// Dict maps category labels to indices. A label is a string; numeric and
// boolean columns are categorical too, their values rendered as text by
// Label (integers in decimal, floats in the shortest form that reads back
// exactly, "true"/"false"), so that a label fitted on an int64 column
// matches the same value in a float64 or string column. Dict.Lookup maps a
// whole column to indices without allocating per row. Counter counts the
// labels of columns during a fit.
//
// # Sparse vectors and token lists
//
// SparseOutput builds a sparse vector column (table.SparseVectorType) from
// flat index and value slices, one row at a time, with bulk copies and no
// per-row validation beyond what the caller guarantees. Strings reads a
// List<string> column as a zero-copy view; StringListOutput builds one.
//
// # Hashing
//
// Murmur3 is MurmurHash3_x86_32 (Austin Appleby), the hash Spark and Flink
// ML use for FeatureHasher and HashingTF; HashIndex maps a term to a bucket
// the way Spark does: nonNegativeMod(murmur3(utf8(term), 42), n).
package catutil
