// Package pyudf runs python user functions (gpython, through
// internal/pybridge) as pipeline stages, and so as stream operators
// (pipeline/stageop) and in flow YAML.
//
// # Kinds
//
// py_row_udf calls def f(row): return {...} on every row, row being a dict
// of the input_cols (all columns when empty). py_column_udf calls
// def f(cols): return {...} once per batch with a dict of lists. The
// returned fields are added to the batch (one named like an input column
// replaces it).
//
// # Params
//
// code or file holds the source, function names the function (default f),
// output_schema declares the outputs ("z:float,label:str"; types int,
// float, bool, str, vector, vector[N]). Without it the schema is inferred
// once (from a probe row of ones when a pipeline is checked, else from the
// first batch) and then enforced. timeout bounds one batch: a call still
// running is abandoned and its interpreter replaced (gpython cannot stop
// it; it keeps a CPU busy until it ends). workers sets the interpreters.
//
// # Errors
//
// A python exception fails the batch with the traceback and the row (index
// in the batch and values); a value of the wrong type names the output
// field and the row. See internal/pybridge for the supported Python subset.
package pyudf
