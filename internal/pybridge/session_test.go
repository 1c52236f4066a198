package pybridge

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

func TestSessionStateSurvivesCells(t *testing.T) {
	s, err := NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	cells := []struct {
		src, out, repr string
	}{
		{"a = 20\nprint('set', a)", "set 20\n", ""},
		{"def f(x):\n    return x * 2 + a\nf(1)", "", "22"},
		{"b = [f(i) for i in range(3)]; b", "", "[20, 22, 24]"},
		{"x = (1 +\n  2)\nprint(x)\n(x,\n 'é')  # trailing comment", "3\n", "(3, 'é')"},
		{"for i in range(2):\n    i", "", ""},
		{"None", "", ""},
		{"é = 5; é + 1", "", "6"},
		{"import eddy\neddy.join('-', ['p', 'q'])", "", "'p-q'"},
		{"a;", "", "20"},
	}
	for i, c := range cells {
		var out bytes.Buffer
		res, err := s.Exec(ctx, c.src, "<cell>", &out, nil)
		if err != nil {
			t.Fatalf("cell %d: %v", i, err)
		}
		if out.String() != c.out {
			t.Errorf("cell %d: printed %q, want %q", i, out.String(), c.out)
		}
		if res.HasValue != (c.repr != "") || res.Repr != c.repr {
			t.Errorf("cell %d: result %+v, want %q", i, res, c.repr)
		}
	}
}

func TestSessionStderrAndValue(t *testing.T) {
	s, err := NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out, errOut bytes.Buffer
	res, err := s.Exec(context.Background(), "import sys\nsys.stderr.write('warn\\n')\nprint('ok')\n{'k': [1, 2.5]}", "<c>", &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "ok\n" || errOut.String() != "warn\n" {
		t.Errorf("stdout %q stderr %q", out.String(), errOut.String())
	}
	m, ok := res.Value.(map[string]any)
	if !ok || len(m["k"].([]any)) != 2 {
		t.Errorf("value %#v", res.Value)
	}
}

func TestSessionErrors(t *testing.T) {
	s, err := NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if _, err := s.Exec(ctx, "def g(v):\n    return 1 / v\n", "<cell 1>", nil, nil); err != nil {
		t.Fatal(err)
	}
	_, err = s.Exec(ctx, "y = 1\nprint(y)\ng(0)", "<cell 2>", nil, nil)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("got %v, want *Error", err)
	}
	if pe.Type != "ZeroDivisionError" || pe.File != "<cell 1>" || pe.Line != 2 {
		t.Errorf("error %+v", pe)
	}
	if !strings.Contains(pe.Traceback, `File "<cell 2>", line 3`) || !strings.Contains(pe.Traceback, "g(0)") || !strings.Contains(pe.Traceback, "return 1 / v") {
		t.Errorf("traceback:\n%s", pe.Traceback)
	}
	_, err = s.Exec(ctx, "x = 1\nif x\n", "<cell 3>", nil, nil)
	if !errors.As(err, &pe) || pe.Type != "SyntaxError" || pe.Line != 2 {
		t.Errorf("syntax error: %v", err)
	}
	// The session still works, with the state of cell 2 before its error.
	res, err := s.Exec(ctx, "y", "<cell 4>", nil, nil)
	if err != nil || res.Repr != "1" {
		t.Errorf("after errors: %+v %v", res, err)
	}
}

func TestSessionDeadlineLosesState(t *testing.T) {
	s, err := NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	// Ends by itself after a while so that the test leaves no runaway.
	_, err = s.Exec(ctx, "n = 0\nwhile n < 3000000:\n    n += 1\n", "<cell>", nil, nil)
	if !errors.Is(err, ErrDeadline) {
		t.Fatalf("got %v, want ErrDeadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("abandon took %v", d)
	}
	if _, err := s.Exec(context.Background(), "1", "<cell>", nil, nil); !errors.Is(err, ErrSessionLost) {
		t.Errorf("after abandon: %v, want ErrSessionLost", err)
	}
}

func TestIsComplete(t *testing.T) {
	for _, c := range []struct{ src, status, indent string }{
		{"x = 1", "complete", ""},
		{"x = (1,\n", "incomplete", ""},
		{"def f():", "incomplete", "    "},
		{"def f():\n    return 1", "incomplete", "    "},
		{"def f():\n    return 1\n\n", "complete", ""},
		{"s = '''abc", "incomplete", ""},
		{"x = = 1", "invalid", ""},
		{"1 +", "invalid", ""},
	} {
		st, ind := IsComplete(c.src)
		if st != c.status || ind != c.indent {
			t.Errorf("IsComplete(%q) = %q %q, want %q %q", c.src, st, ind, c.status, c.indent)
		}
	}
}

// Cells share one interpreter: the last expression of a cell is its
// result.
func ExampleSession() {
	s, err := NewSession()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	ctx := context.Background()
	for i, cell := range []string{"x = 6\nprint('set x')", "def f(n):\n    return n * x\nf(7)", "f(None)"} {
		res, err := s.Exec(ctx, cell, fmt.Sprintf("<cell %d>", i+1), os.Stdout, nil)
		var pe *Error
		switch {
		case errors.As(err, &pe):
			fmt.Printf("%s at %s:%d\n", pe.Type, pe.File, pe.Line)
		case err != nil:
			fmt.Println(err)
		case res.HasValue:
			fmt.Println("result", res.Repr)
		}
	}
	// Output:
	// set x
	// result 42
	// TypeError at <cell 2>:2
}

// FuzzSplitTrailing checks that cutting a cell before its trailing
// expression loses nothing and that compiling a cell or asking whether it
// is complete never panics.
func FuzzSplitTrailing(f *testing.F) {
	for _, s := range []string{"a = 1\na", "x = (1 +\n 2)\n(x, 'é')  # c", "é = 5; é + 1", "for i in range(2):\n    i", "a;", "def f():\n    return 1\nf()", "s = '''x\ny'''\ns", "if x\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			fuzzCell(t, src)
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("hangs on %q", src)
		}
	})
}

func fuzzCell(t *testing.T, src string) {
	{
		if head, tail, ok := splitTrailing(src); ok {
			lines := strings.Count(head, "\n")
			if !strings.HasPrefix(tail, strings.Repeat("\n", lines)) || head+tail[lines:] != src {
				t.Errorf("split %q into %q + %q", src, head, tail)
			}
		}
		_, _, _ = compileCell(src, "<fuzz>")
		switch st, _ := IsComplete(src); st {
		case "complete", "incomplete", "invalid":
		default:
			t.Errorf("IsComplete(%q) = %q", src, st)
		}
	}
}
