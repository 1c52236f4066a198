// Package hashingtf maps token lists to sparse term-frequency vectors with
// the hashing trick: the hashing_tf transformer, after Spark ML's and Flink
// ML's HashingTF.
//
// # Hashing
//
// A term's bucket is the non-negative remainder of MurmurHash3_x86_32 of
// its UTF-8 bytes (seed 42) modulo num_features (default 2^18), exactly as
// Spark ML's HashingTF (Spark 3, hashUnsafeBytes2). The output holds, per
// bucket, the number of terms of the row that hash to it, or 1.0 when
// binary is true (for models of binary events rather than counts).
//
// scikit-learn's HashingVectorizer uses the same hash with seed 0, signed
// buckets (abs) and alternating signs, so its buckets differ; the test
// checks Eddy's output against an independent computation with
// scikit-learn's murmurhash3_32(seed=42) on text made from adult_train.
//
// # Input and nulls
//
// The input is a List<string> column (from tokenizer, regex_tokenizer,
// stop_words_remover or ngram). A null list gives a null vector; null
// terms inside a list are ignored.
package hashingtf
