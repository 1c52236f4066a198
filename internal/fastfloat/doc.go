// Package fastfloat parses decimal numbers in text (CSV fields, JSON
// numbers) without allocating, exactly as strconv does, on the fast path
// that covers the numbers writers usually print.
//
// # Contract
//
// Float and Int parse the longest number at d[i:] and return the index
// just past it; ok false means "not a plain decimal, or not cheaply
// exact": the caller falls back to strconv on the same text. When ok is
// true the value equals strconv's for d[i:j] (Float: Clinger's exact
// case, a mantissa below 2^53 and |exponent| <= 22).
//
// # Syntax
//
// Float accepts an optional sign ('+' or '-'), digits, an optional
// fraction and an optional exponent. Callers with a stricter grammar
// (JSON: no '+', no leading zeros) check it themselves.
package fastfloat
