package pybridge

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-python/gpython/py"
)

// ErrDeadline is wrapped by the error of a call abandoned because its
// context ended while the Python code was still running.
var ErrDeadline = errors.New("python call abandoned")

// ErrTooManyRunaways is returned by a call while Options.MaxAbandoned
// abandoned workers are still running: gpython cannot interrupt them, so
// each one burns a CPU until its code ends.
var ErrTooManyRunaways = errors.New("too many abandoned python workers still running")

// ErrClosed is returned by calls on a closed Pool.
var ErrClosed = errors.New("python pool is closed")

// Error is a Python exception raised by user code, with its traceback.
type Error struct {
	// Type is the exception type ("ZeroDivisionError").
	Type string
	// Message is the exception's message.
	Message string
	// File and Line locate the innermost frame (or the syntax error).
	File string
	Line int
	// Traceback is the traceback text, most recent call last, with the
	// source line of each frame when the source is known.
	Traceback string
	// Row is the index in the batch of the row being processed, or -1.
	Row int
	// RowValues renders the row being processed ("{x: 1, y: 2}"), if any.
	RowValues string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
	}
	b.WriteString(e.Type)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Row >= 0 {
		fmt.Fprintf(&b, " (row %d", e.Row)
		if e.RowValues != "" {
			b.WriteString(" ")
			b.WriteString(e.RowValues)
		}
		b.WriteString(")")
	}
	if e.Traceback != "" {
		b.WriteString("\n")
		b.WriteString(strings.TrimRight(e.Traceback, "\n"))
	}
	return b.String()
}

// sources maps file names to source text, for traceback lines.
type sources map[string][]string

func (s sources) line(file string, n int) string {
	lines := s[file]
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// convertErr turns an error from gpython into an *Error (a Python
// exception) or returns it as is.
func convertErr(err error, src sources) error {
	if err == nil {
		return nil
	}
	var info *py.ExceptionInfo
	switch e := err.(type) {
	case py.ExceptionInfo:
		info = &e
	case *py.ExceptionInfo:
		info = e
	case *py.Exception:
		info = &py.ExceptionInfo{Type: e.Type(), Value: e}
	default:
		return err
	}
	out := &Error{Row: -1}
	if info.Type != nil {
		out.Type = info.Type.Name
	}
	if exc, ok := info.Value.(*py.Exception); ok {
		out.Type = exc.Type().Name
		out.Message = excMessage(exc)
		if ln, ok := exc.Dict["lineno"].(py.Int); ok { // syntax errors
			out.Line = int(ln)
			if fn, ok := exc.Dict["filename"].(py.String); ok {
				out.File = string(fn)
			}
			if l, ok := exc.Dict["line"].(py.String); ok {
				out.Traceback = fmt.Sprintf("  File %q, line %d\n    %s\n%s: %s\n", out.File, out.Line, strings.TrimSpace(string(l)), out.Type, out.Message)
			}
		}
	} else if info.Value != nil {
		out.Message = fmt.Sprint(info.Value)
	}
	if info.Traceback != nil {
		var b strings.Builder
		b.WriteString("Traceback (most recent call last):\n")
		for tb := info.Traceback; tb != nil; tb = tb.Next {
			file, line := tb.Frame.Code.Filename, int(tb.Lineno)
			fmt.Fprintf(&b, "  File %q, line %d, in %s\n", file, line, tb.Frame.Code.Name)
			if s := src.line(file, line); s != "" {
				fmt.Fprintf(&b, "    %s\n", s)
			}
			out.File, out.Line = file, line
		}
		fmt.Fprintf(&b, "%s: %s\n", out.Type, out.Message)
		out.Traceback = b.String()
	}
	return out
}

func excMessage(exc *py.Exception) string {
	args, ok := exc.Args.(py.Tuple)
	if !ok {
		return reprOf(exc.Args)
	}
	switch len(args) {
	case 0:
		return ""
	case 1:
		if s, ok := args[0].(py.String); ok {
			return string(s)
		}
		return reprOf(args[0])
	}
	return reprOf(args)
}

func reprOf(o py.Object) string {
	if o == nil {
		return "None"
	}
	r, err := py.ReprAsString(o)
	if err != nil {
		return "?"
	}
	return r
}
