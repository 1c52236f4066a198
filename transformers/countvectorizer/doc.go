// Package countvectorizer maps token lists to sparse term-count vectors
// over a learned vocabulary: the count_vectorizer estimator learns the
// vocabulary and its count_vectorizer_model counts each row's terms. It
// follows Spark ML's and Flink ML's CountVectorizer; scikit-learn's
// counterpart is CountVectorizer on already-tokenized text.
//
// # Vocabulary
//
// Fit counts, for every term, its number of occurrences in the corpus and
// the number of documents (non-null rows) containing it. Terms whose
// document frequency is below min_df or above max_df are left out (each
// is an absolute count when >= 1 and a fraction of the documents when
// < 1, as Spark), and the vocab_size most frequent remaining terms are
// kept, ordered by corpus count descending, ties by term ascending (byte
// order; Spark leaves ties unordered). Term k of the vocabulary is feature
// k. scikit-learn orders its vocabulary alphabetically, so the same term
// has another index there; the counts agree term by term (the test checks
// them on text made from adult_train). scikit-learn's min_df/max_df read a
// float 1.0 as the fraction 100% where Eddy reads it as one document.
//
// # Counting
//
// A row's vector holds, for each vocabulary term in it, its count; terms
// counted fewer than min_tf times in the row (absolute when >= 1, else a
// fraction of the row's token count) are dropped; binary=true writes 1.0
// instead of counts. Out-of-vocabulary terms are ignored. A null list gives
// a null vector; null tokens are ignored.
//
// # Model data
//
// One record with a string column "term": the vocabulary in index order.
package countvectorizer
