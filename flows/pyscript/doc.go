// Package pyscript is the scripting API of the `eddy` Python module
// (gpython, see internal/pybridge), and Run, which runs a script with it:
// what `eddy python SCRIPT.py` does.
//
// # Module functions
//
//	t = eddy.read_csv(path)   # any format connectors.Open reads; .gz too
//	t.num_rows()              # int
//	t.columns()               # list of str
//	print(t.head(5))          # str: the first rows as a text table
//
// # Status
//
// First increment: read_csv and the table object. generate, pipeline,
// stage, fit, transform and save are the next step (issue 9 item 3).
package pyscript
