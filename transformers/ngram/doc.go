// Package ngram turns token lists into lists of n-grams: the ngram
// transformer, after Spark ML's and Flink ML's NGram.
//
// # N-grams
//
// Each output element is n consecutive tokens joined by a single space, in
// order; a list of fewer than n tokens gives an empty list. n defaults to
// 2. scikit-learn's CountVectorizer(ngram_range=(n, n)) analyzer builds the
// same word n-grams (the test checks bigrams on text made from
// adult_train).
//
// # Nulls
//
// A null list gives a null list; null tokens are skipped before the
// n-grams are formed.
package ngram
