// Package onehotencoder maps index columns (as made by string_indexer) to
// one-hot sparse vectors: the one_hot_encoder estimator learns the number
// of categories of each input column and its one_hot_encoder_model writes
// a sparse vector column (table.SparseVectorType) per input column.
//
// It follows Flink ML's and Spark ML's OneHotEncoder. scikit-learn's
// OneHotEncoder with categories in index order gives the same encoding:
// drop_last=false matches drop=None, drop_last=true matches drop set to the
// last category of every column (the test checks both on adult_train).
//
// # Encoding
//
// Fit sets numCategories = max index + 1 per column. An input value v
// (float or integer column) is valid when it is an integer in [0,
// numCategories). The vector size is numCategories, plus one with
// handle_invalid=keep (an extra last category for invalid values, as
// Spark), minus one with drop_last=true (default): the last category then
// encodes as the all-zero vector. Value v encodes as 1.0 at index v.
//
// # Invalid values
//
// Nulls, NaNs, negative, fractional and too large indices are invalid:
// handle_invalid=error (default) fails the batch naming the column, row
// and value; keep encodes them as the extra category (all zeros when
// drop_last is true); skip drops the row. Fit fails on a negative or
// fractional index and ignores nulls and NaNs.
//
// # Model data
//
// One record with an int32 column "num_categories", one row per input
// column.
package onehotencoder
