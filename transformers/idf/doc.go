// Package idf rescales term-frequency vectors by inverse document
// frequency: the idf estimator counts in how many rows (documents) each
// feature is nonzero and its idf_model multiplies each feature by its idf.
// It follows Spark ML's and Flink ML's IDF (Salton and Buckley, "Term-
// weighting approaches in automatic text retrieval", 1988).
//
// # Formula
//
// With m the number of (non-null) documents and df(j) the number of
// documents where feature j is nonzero:
//
//	idf(j) = ln((m + 1) / (df(j) + 1))     and 0 when df(j) < min_doc_freq
//
// scikit-learn's TfidfTransformer(smooth_idf=True) uses
// ln((1 + m) / (1 + df(j))) + 1, one more than Eddy's (and Spark's) idf: its
// tf-idf is Eddy's plus tf. The test checks Eddy's idf against
// scikit-learn's idf_ - 1 on text made from adult_train (1e-9 relative).
//
// # Input and output
//
// The input is a vector column, dense (FixedSizeList<float64>) or sparse
// (table.SparseVectorType), of one dimension throughout; the output has
// the input's kind. Null rows are ignored by Fit and give null rows. A row
// of another dimension is an error naming the column and row.
//
// # Model data
//
// One record, one row per feature: "idf" (float64) and "doc_freq" (int64).
package idf
