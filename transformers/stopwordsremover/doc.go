// Package stopwordsremover drops stop words from token lists: the
// stop_words_remover transformer, after Spark ML's and Flink ML's
// StopWordsRemover.
//
// # Stop words
//
// stop_words defaults to Spark's English list (EnglishStopWords, 153
// words, the NLTK list). With case_sensitive=false (default) a token is
// dropped when its lowercase form (unicode.ToLower per rune) equals a
// lowercased stop word; with case_sensitive=true only exact matches are
// dropped. Kept tokens are written unchanged, in order. scikit-learn's
// CountVectorizer(stop_words="english") uses another, longer list.
//
// # Nulls
//
// A null list gives a null list; null tokens are dropped.
package stopwordsremover
