// Package stringindexer maps categorical columns to label indices: the
// string_indexer estimator learns the labels of each input column and its
// string_indexer_model writes each value's index as a float64 column.
//
// It follows Spark ML's and Flink ML's StringIndexer; scikit-learn's
// counterpart is OrdinalEncoder with categories given in the same order.
//
// # Labels and their order
//
// Input columns may be strings, booleans, integers or floats: a value's
// label is its text (integers in decimal, integral floats like integers,
// so 3.0 is "3", other floats in their shortest exact form, booleans
// "true"/"false"). Labels are ordered by string_order_type:
//
//   - frequencyDesc (default, as Spark): most frequent first, ties broken
//     alphabetically (byte order), so the result is deterministic;
//   - frequencyAsc: least frequent first, ties alphabetically;
//   - alphabetAsc, alphabetDesc: by label, byte order.
//
// The index of the label at position k is k (0-based).
//
// # Invalid values
//
// Nulls, NaNs and labels not seen by Fit are invalid; handle_invalid says
// what happens: error (default) fails the batch with an error naming the
// column, row and value; keep writes index numLabels (one extra bucket,
// as Spark); skip drops the row (a row is dropped when any of its input
// columns is invalid). Fit ignores nulls and NaNs.
//
// # Model data
//
// One record, columns "column" (int32, the position of the input column in
// input_cols) and "label" (string), the labels of each column in index
// order (catutil.LabelsRecord). index_to_string reads the same record.
package stringindexer
