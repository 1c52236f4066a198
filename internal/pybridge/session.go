package pybridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/go-python/gpython/ast"
	"github.com/go-python/gpython/parser"
	"github.com/go-python/gpython/py"
)

// ErrSessionLost is wrapped by the errors of a Session whose interpreter
// was abandoned by an earlier Exec: its state is gone.
var ErrSessionLost = errors.New("python session lost")

// Session is one persistent interpreter whose module globals survive
// between Exec calls: the state of a notebook kernel. Exec calls are
// serialized; a Session abandoned at a deadline stays unusable.
type Session struct {
	mu   sync.Mutex
	pctx py.Context
	mod  *py.Module
	out  *switchWriter
	err  *switchWriter
	src  sources
	lost error
}

// switchWriter forwards to the writer of the Exec call in progress.
type switchWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *switchWriter) set(w io.Writer) {
	s.mu.Lock()
	s.w = w
	s.mu.Unlock()
}

func (s *switchWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		return len(p), nil
	}
	return s.w.Write(p)
}

// ExecResult is the value of a cell's trailing expression.
type ExecResult struct {
	// HasValue reports that the cell ended with an expression whose value
	// is not None.
	HasValue bool
	// Repr is repr() of the value.
	Repr string
	// Value is the value converted to plain Go as Pool.Call does (an
	// eddy class instance is an *Object), nil when it has no Go
	// equivalent.
	Value any
}

// NewSession returns a session whose module is __main__.
func NewSession() (s *Session, err error) {
	s = &Session{out: &switchWriter{}, err: &switchWriter{}, src: sources{}}
	s.pctx = newContextOut(s.out, s.err)
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("python session: internal error: %v", r)
		}
		if err != nil {
			s.pctx.Close()
		}
	}()
	prog, err := Compile("", "<session>")
	if err != nil {
		return nil, err
	}
	if s.mod, err = py.RunCode(s.pctx, prog.code, "<session>", nil); err != nil {
		return nil, fmt.Errorf("python session: %w", convertErr(err, nil))
	}
	return s, nil
}

// splitTrailing returns src cut before its last statement when that
// statement is an expression: head runs as statements, tail (padded with
// newlines so that its line numbers stay those of src) is evaluated.
// ok is false when src does not end with an expression.
func splitTrailing(src string) (head, tail string, ok bool) {
	tree, err := parser.ParseString(src, py.ExecMode)
	if err != nil {
		return "", "", false
	}
	mod, isMod := tree.(*ast.Module)
	if !isMod || len(mod.Body) == 0 {
		return "", "", false
	}
	last, isExpr := mod.Body[len(mod.Body)-1].(*ast.ExprStmt)
	if !isExpr {
		return "", "", false
	}
	line, col := last.Lineno, last.ColOffset
	lines := strings.SplitAfter(src, "\n")
	if line < 1 || line > len(lines) {
		return "", "", false
	}
	cur := lines[line-1]
	if col < 0 || col > len(cur) || !utf8Boundary(cur, col) {
		return "", "", false
	}
	head = strings.Join(lines[:line-1], "") + cur[:col]
	tail = strings.Repeat("\n", line-1) + cur[col:] + strings.Join(lines[line:], "")
	return head, tail, true
}

func utf8Boundary(s string, i int) bool {
	return i == len(s) || i == 0 || (s[i]&0xC0) != 0x80
}

// compileCell compiles src as statements, and its trailing expression
// (if any) separately for its value.
func compileCell(src, file string) (stmts, expr *py.Code, err error) {
	defer func() {
		if r := recover(); r != nil {
			stmts, expr, err = nil, nil, fmt.Errorf("compile %s: %v", file, r)
		}
	}()
	if head, tail, ok := splitTrailing(src); ok {
		s, herr := py.Compile(head, file, py.ExecMode, 0, true)
		e, terr := py.Compile(strings.TrimRight(tail, " \t\n;"), file, py.EvalMode, 0, true)
		if herr == nil && terr == nil {
			return s, e, nil
		}
	}
	s, err := py.Compile(src, file, py.ExecMode, 0, true)
	if err != nil {
		return nil, nil, convertErr(err, nil)
	}
	return s, nil, nil
}

// Exec runs src (named file in tracebacks, e.g. "<cell 3>") in the
// session's globals, print writing to stdout and sys.stderr to stderr
// (nil discards). When src ends with an expression its value is
// returned. A Python exception is an *Error pointing at the line of src.
//
// When ctx ends first, Exec returns an error wrapping ErrDeadline and
// the interpreter is abandoned (gpython cannot be interrupted: the code
// keeps a CPU busy until it ends); the session is lost and later calls
// fail with ErrSessionLost: start a new one.
func (s *Session) Exec(ctx context.Context, src, file string, stdout, stderr io.Writer) (*ExecResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost != nil {
		return nil, s.lost
	}
	s.src[file] = strings.Split(src, "\n")
	s.out.set(stdout)
	s.err.set(stderr)
	runs.Store(s.pctx, ctx)
	type outcome struct {
		res *ExecResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() {
			if r := recover(); r != nil {
				o = outcome{err: fmt.Errorf("python %s: interpreter panic: %v", file, r)}
			}
			done <- o
		}()
		// Compiled here too, under ctx: gpython's parser is not
		// hardened against every input.
		stmts, expr, err := compileCell(src, file)
		if err != nil {
			o.err = err
			return
		}
		if _, err := s.pctx.RunCode(stmts, s.mod.Globals, s.mod.Globals, nil); err != nil {
			o.err = convertErr(err, s.src)
			return
		}
		o.res = &ExecResult{}
		if expr == nil {
			return
		}
		v, err := s.pctx.RunCode(expr, s.mod.Globals, s.mod.Globals, nil)
		if err != nil {
			o.err = convertErr(err, s.src)
			return
		}
		if v == nil || v == py.None {
			return
		}
		o.res.HasValue = true
		o.res.Repr = reprOf(v)
		o.res.Value, _ = fromPy(v)
	}()
	finish := func() {
		runs.Delete(s.pctx)
		s.out.set(nil)
		s.err.set(nil)
	}
	select {
	case o := <-done:
		finish()
		return o.res, o.err
	case <-ctx.Done():
		pctx := s.pctx
		s.lost = fmt.Errorf("python %s: %w: its interpreter was abandoned at a deadline", file, ErrSessionLost)
		s.out.set(nil) // what the runaway code prints from now on is dropped
		s.err.set(nil)
		go func() { <-done; finish(); pctx.Close() }()
		return nil, fmt.Errorf("python %s: %w (interpreter abandoned, its state is lost; the runaway code keeps a CPU busy until it ends): %w",
			file, ErrDeadline, ctx.Err())
	}
}

// Close releases the interpreter. An abandoned one is released when its
// code ends.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lost == nil {
		s.lost = fmt.Errorf("python session: %w: closed", ErrSessionLost)
		s.pctx.Close()
	}
	return nil
}

// IsComplete tells a console whether src is ready to run: "complete",
// "incomplete" (an open block, bracket or string: more lines expected,
// with indent the indentation to continue with) or "invalid" (a syntax
// error that more lines cannot fix).
func IsComplete(src string) (status, indent string) {
	defer func() {
		if r := recover(); r != nil {
			status, indent = "invalid", ""
		}
	}()
	trimmed := strings.TrimRight(src, " \t\n")
	lines := strings.Split(trimmed, "\n")
	lastLine := lines[len(lines)-1]
	lead := lastLine[:len(lastLine)-len(strings.TrimLeft(lastLine, " \t"))]
	if strings.HasSuffix(trimmed, ":") || strings.HasSuffix(trimmed, "\\") {
		if strings.HasSuffix(trimmed, ":") {
			return "incomplete", lead + "    "
		}
		return "incomplete", lead
	}
	_, err := parser.Parse(bytes.NewBufferString(src+"\n"), "<input>", py.ExecMode)
	if err == nil {
		// An indented last line continues a block: a console waits
		// for a blank line.
		if lead != "" && !strings.HasSuffix(src, "\n\n") {
			return "incomplete", lead
		}
		return "complete", ""
	}
	msg := err.Error()
	if strings.Contains(msg, "EOF") || strings.Contains(msg, "unexpected end") {
		return "incomplete", lead
	}
	return "invalid", ""
}
