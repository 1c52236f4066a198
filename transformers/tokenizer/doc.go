// Package tokenizer splits a string column into lowercase tokens: the
// tokenizer transformer, after Spark ML's and Flink ML's Tokenizer.
//
// # Tokens
//
// Each value is lowercased (Unicode simple case mapping, unicode.ToLower)
// and split on runs of Unicode white space; the output is a List<string>
// column without empty tokens. Spark splits on single white space
// characters (Java's split("\\s")), which yields empty tokens between two
// consecutive spaces and at the start of a value beginning with one; Eddy
// drops those. regex_tokenizer offers patterns, gaps and a minimum length.
//
// # Nulls
//
// A null value gives a null list.
package tokenizer
