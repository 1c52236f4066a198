// Package regextokenizer splits a string column into tokens with a regular
// expression: the regex_tokenizer transformer, after Spark ML's and Flink
// ML's RegexTokenizer.
//
// # Tokens
//
// The value is lowercased first when to_lowercase is true (default). With
// gaps=true (default) pattern matches the separators and the tokens are
// the text between matches; with gaps=false pattern matches the tokens
// themselves. Tokens shorter than min_token_length (default 1, counted in
// Unicode code points, where Spark counts UTF-16 units) are dropped, and
// empty tokens are never produced. The default pattern is `\s+`.
//
// Patterns use Go's RE2 syntax (package regexp): no backreferences or
// lookaround, and \w, \b, \d are ASCII-only unless written with Unicode
// classes such as \pL. With pattern `\b\w\w+\b` and gaps=false the stage
// reproduces scikit-learn's CountVectorizer tokenizer on ASCII text (the
// test checks it on text made from adult_train).
//
// # Nulls
//
// A null value gives a null list.
package regextokenizer
