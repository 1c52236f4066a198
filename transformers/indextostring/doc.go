// Package indextostring maps a column of label indices back to their
// labels: the index_to_string transformer, the inverse of
// string_indexer_model (Spark ML's IndexToString, Flink ML's
// IndexToStringModel; scikit-learn's OrdinalEncoder.inverse_transform).
//
// # Labels
//
// The labels param lists the labels in index order: label k is written for
// index k. Take them from a fitted string_indexer_model with
// Model.Labels()[j] for its input column j:
//
//	its, err := indextostring.New(map[string]any{
//		"input_col": "city_idx", "output_col": "city", "labels": m.Labels()[0]})
//
// The input column may be float64, float32 or any integer type; the output
// is a string column.
//
// # Invalid values
//
// Nulls, NaNs, fractional indices and indices outside [0, len(labels)) —
// including string_indexer's keep bucket len(labels) — are invalid:
// handle_invalid=error (default) fails the batch naming the column, row
// and value; keep writes a null; skip drops the row.
package indextostring
