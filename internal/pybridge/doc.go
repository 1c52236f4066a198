// Package pybridge embeds Python through gpython (github.com/go-python/gpython
// v0.2.0): a pool of interpreters for user functions, conversion between
// Arrow columns and Python values, and the Go-backed `eddy` module. It is
// the only package of Eddy that imports gpython.
//
// # Pool
//
// Compile turns source into a Program once; NewPool runs it on up to
// Options.Workers workers, each with its own py.Context (a context must
// not be used by two goroutines at once), created on first use. Call,
// MapRows and MapColumns run one call on one worker under ctx. When ctx
// ends first the call returns an error wrapping ErrDeadline and the worker
// is abandoned: its slot is given to a fresh worker and its context is
// closed in the background once its code returns (Close waits for running
// code). gpython has no interrupt hook (its eval loop in vm/eval.go checks
// nothing between opcodes), so a runaway script keeps burning a CPU until
// it ends, or forever; Options.MaxAbandoned bounds how many may run before
// calls fail with ErrTooManyRunaways.
//
// # Sessions
//
// A Session is one persistent interpreter for a notebook kernel: Exec
// runs a cell in the globals left by the earlier ones, returns the repr
// (and Go value) of a trailing expression, routes print and sys.stderr
// to the writers of the call, and names the cell's file in tracebacks
// (sources of earlier cells stay known). When its context ends the
// interpreter is abandoned and the session is lost (ErrSessionLost): the
// caller starts a new one. IsComplete tells a console whether more lines
// are needed.
//
// # Values
//
// Arrow to Python: integers are int, floats float, booleans bool, strings
// str, dense vectors and lists lists of floats, nulls None. Python to
// Arrow follows the output schema (ParseSchema: int, float, bool, str,
// vector, vector[N]): a value of the wrong type is an error naming the
// output field and the row; None is a null; an int is accepted for a
// float. Without a declared schema, it is inferred from the first batch.
//
// # Errors
//
// A Python exception is an *Error: type, message, file and line of the
// innermost frame, the traceback with source lines, and for MapRows the
// row (index in the batch and values).
//
// # The eddy module
//
// `import eddy` gives helpers the language lacks: join(sep, items),
// format(template, *args) with {} / {N} / {:spec} placeholders,
// json_dumps / json_loads, round(x, n) rounding like CPython, upper(s)
// and lower(s). Other packages add functions and classes with
// RegisterModuleFunc and NewClass from init (flows/pyscript adds the
// scripting API); RunScript runs a whole script with print routed to a
// writer.
//
// # Supported subset
//
// Python 3.4 syntax without C modules, verified by the scripts of
// testdata/conformance (golden outputs, regenerate with go test -update):
// numbers (big ints), str slicing/split/replace/strip/find/startswith and
// % formatting, lists, tuples, dicts with str keys, sets, comprehensions,
// generators, lambdas, classes with methods, try/except/finally on
// builtin exceptions, math. Measured limits of v0.2.0 (limits.py):
//   - no f-strings (syntax error), no str.format, str.join, str.upper,
//     str.lower, list.index, reversed, super, property; tuples do not
//     compare (sorted(d.items()) fails);
//   - dict keys must be str;
//   - a nested function cannot use a parameter of the enclosing function
//     (closures over locals work), so decorators fail;
//   - user exception classes cannot be caught; type(e).__name__ fails;
//     isinstance misses subclasses;
//   - round(2.567, 2) is 0.0 and round(3.7) is 3.0: use eddy.round;
//   - no json, re, random, collections modules;
//   - inf and nan print as +Inf and NaN;
//   - unbounded recursion overflows the Go stack and kills the process
//     (a fatal error, not recoverable): avoid recursion on data;
//   - a call costs about 1 us (a row dict and a function call).
package pybridge
