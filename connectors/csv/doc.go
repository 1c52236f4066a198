// Package csv reads and writes CSV files as Arrow record batches. It
// registers the format kind "csv" for the extensions .csv and .tsv (tab
// separated), with or without .gz, so connectors.Open and connectors.Create
// pick it by file name.
//
// # Reading
//
// The first row is the header. Fields follow RFC 4180: a field that starts
// with a quote runs to the closing quote and may hold separators, doubled
// quotes and line breaks; "\r\n" line ends are accepted; blank lines are
// skipped; a UTF-8 byte order mark is dropped. A quote inside an unquoted
// field is an ordinary character. Empty header names become column_N and
// duplicate names are an error.
//
// Open reads big blocks, cuts them into chunks of ReadOptions.BatchSize
// rows (finding row ends with bytes.IndexByte, field by field only for rows
// that contain a quote), and parses the chunks on GOMAXPROCS goroutines; the
// batches come out in file order. Numbers are parsed in place without
// allocating: Clinger's fast path gives exactly strconv.ParseFloat's result
// for mantissas below 2^53 and exponents within ±22, and strconv handles the
// rest.
//
// # Types
//
// Column types are inferred from the first Options.InferRows data rows
// (DefaultInferRows; a negative value reads the whole file first): int64
// when every value is an integer that fits, float64 when every value is a
// number (including nan, inf and exponent forms, and integers too big for
// int64), bool when every value is true or false (any case), utf8
// otherwise. A column with no value in those rows is utf8, which reads any
// later value. Rows with the wrong field count do not take part.
//
// The schema is fixed before the first batch, so a column cannot be widened
// later: a value such as "1.5" after the inference rows of an int64 column
// is a bad row whose error says the type was inferred and how to fix it
// (raise InferRows, or name the column in ReadOptions.Schema). Columns named
// in ReadOptions.Schema take that type (utf8, int64, float64, bool or
// fixed_size_list<float64>) and nullability; the others are inferred.
//
// # Nulls
//
// An unquoted field equal to one of Options.NullValues (DefaultNullValues:
// "", NA, N/A, NULL, null) is null. An empty field is null in every
// non-string column. In string columns a quoted field is never null, so
// the Writer's "" (empty string) and empty field (null) read back apart.
// "nan" is a float NaN, not a null.
//
// # Vectors
//
// A fixed_size_list<float64> column holds its numbers separated by spaces
// or semicolons, optionally in square brackets: "1 2 3", "1;2;3", "[1 2 3]".
// The Writer writes them quoted and space separated.
//
// # Bad rows
//
// An unterminated quote, text after a closing quote, a wrong field count, a
// value that does not parse as its column's type and a null in a
// non-nullable column make a *connectors.RowError with the file, the
// physical line where the row starts (the header is line 1), the column and
// the value. Under connectors.Fail (the default) the reader delivers the
// rows before it and then stops with the error; under connectors.Skip it
// counts the row in Skipped and writes its raw text, with a newline, to
// ReadOptions.DeadLetter.
//
// # Seeking
//
// Offset counts the rows delivered. SeekRow reopens the file and starts at
// a row: under Fail it skips rows by scanning for row ends (every data row
// counts, which matches Offset because a Fail reader never gets past a bad
// row); under Skip it parses and drops the rows so that bad rows do not
// shift the count. A Reader made by NewReader over a stream cannot seek.
//
// # Writing
//
// The Writer writes the header and the rows: floats in the shortest form
// that reads back the same (strconv 'g', -1), nulls as empty fields, and
// strings quoted when they must be. Create writes to a temporary file and
// renames it into place on Close; a name ending in .gz is compressed.
package csv
