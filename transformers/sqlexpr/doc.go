// Package sqlexpr implements SQL-like column expressions as two
// transformers: sql_select (a select list, with rename and cast, and an
// optional WHERE predicate) and sql_filter (a predicate only, keeping the
// input columns). It is the counterpart of Spark's and Flink ML's
// SQLTransformer ("SELECT a * 2 AS b FROM __THIS__ WHERE c > 0") without
// the SELECT/FROM boilerplate; scikit-learn has no equivalent (pandas
// eval/query, or a FunctionTransformer, come closest).
//
// # Params
//
// sql_select: select, a list of items `*` (every input column, in
// order) or `expr [AS name]` (default ["*"]); where, a BOOLEAN
// expression ("" keeps every row). sql_filter: where (default TRUE).
// Syntax errors are reported when the stage is built, naming the stage,
// the param and the 1-based column in the expression; unknown columns and
// type errors when the stage is checked against its input schema
// (OutputSchema), for example
//
//	stage "sql_select": select item 0: expression "a + b": at column 5: column "b" not found; available: a, c
//
// An item without AS is named after its column when it is a bare column
// reference, else after its source text. A bare column reference passes
// the input column through unchanged, whatever its type (vectors too);
// any other expression makes a new nullable column of its type. Two items
// naming the same output column are an error.
//
// # Grammar
//
// Operators, loosest first: OR; AND; NOT; comparisons = == != <> < <= >
// >= and IS [NOT] NULL; || (string concatenation); + -; * / %; unary - +.
// Binary operators are left-associative; parentheses group. Operands are
// column names (bare identifiers, or "quoted" / `quoted` for any name,
// including keywords), numbers (42 is BIGINT; 4.2, 1e3 are DOUBLE),
// 'strings' (” for a quote), TRUE, FALSE, NULL, function calls,
// CAST(x AS DOUBLE|BIGINT|STRING|BOOLEAN) (aliases FLOAT, REAL, INT,
// INTEGER, LONG, VARCHAR, TEXT, BOOL) and
// CASE WHEN c THEN v [WHEN ...] [ELSE e] END. Keywords and function names
// are case-insensitive, column names are not.
//
// Functions: abs(x), sqrt(x), exp(x), log(x) = ln(x), log10(x),
// pow(x, y) = power(x, y), lower(s), upper(s), length(s) (in characters),
// coalesce(x, ...) (first non-null), if(c, a, b).
//
// The parser is a hand-written lexer and a Pratt (top-down operator
// precedence) parser (Pratt 1973, "Top down operator precedence"); its
// fuzz test checks that any input gives an expression or an error.
//
// # Types
//
// BOOLEAN, BIGINT (int64), DOUBLE (float64), STRING. Input columns of any
// integer type read as BIGINT, float32 as DOUBLE, large_utf8 as STRING.
// + - * % keep BIGINT when both sides are BIGINT (overflow wraps around, as
// Go's int64) and give DOUBLE otherwise; / always gives DOUBLE. sqrt, exp,
// log, pow give DOUBLE; abs keeps its type; length gives BIGINT. BIGINT
// and DOUBLE compare and mix as DOUBLE; other types mix only with
// themselves (use CAST). Branches of CASE, if and coalesce unify the same
// way.
//
// CAST follows Spark's non-ANSI mode: DOUBLE to BIGINT truncates toward
// zero, NaN, infinities and out-of-range values become NULL; strings parse
// (surrounding spaces ignored) or become NULL; BOOLEAN from strings
// accepts true/false, t/f, yes/no, y/n, 1/0 (any case); numbers to
// BOOLEAN are x != 0; BOOLEAN to numbers is 1/0; DOUBLE to STRING uses the
// shortest text that reads back exactly ("0.1", "1e+21").
//
// # Nulls
//
// As in SQL: NULL propagates through operators and functions; x / 0 and
// x % 0 are NULL; log of x <= 0 is NULL; sqrt of a negative is NaN. AND and
// OR use three-valued logic (FALSE AND NULL is FALSE, TRUE OR NULL is
// TRUE). CASE and if treat a NULL condition as not true. A WHERE predicate
// keeps only the rows where it is TRUE: FALSE and NULL rows are dropped.
// There is no handle_invalid param: nothing is invalid, bad values are
// NULL.
//
// # Evaluation
//
// An expression is compiled once per input schema into a typed tree and
// evaluated a column at a time: each operator runs a loop over value
// slices of the whole batch (float64, int64, bool, string), with type
// dispatch once per batch, never per row. Float64, int64 and string input
// columns are read without copying. WHERE is evaluated first and the
// batch filtered before the select list.
package sqlexpr
