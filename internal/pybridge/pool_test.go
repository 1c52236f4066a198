package pybridge

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

const udfSrc = `import eddy
def double(row):
    return {"z": row["x"] * 2 + row["y"], "name": eddy.upper(row["s"])}

def cols(c):
    return {"z": [a * 2 + b for a, b in zip(c["x"], c["y"])]}

def boom(row):
    if row["x"] > 2:
        return {"z": 1 / 0}
    return {"z": 0.0}

def spin(row):
    while True:
        pass

def badtype(row):
    if row["x"] > 1:
        return {"z": "text"}
    return {"z": 1.5}

def add(a, b):
    return [a + b, {"k": a}]
`

func newPool(t *testing.T, workers int) *Pool {
	t.Helper()
	prog, err := Compile(udfSrc, "udf.py")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPool(prog, Options{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestMapRowsMatchesGo(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	p := newPool(t, 2)
	x := []float64{0, 1.5, 2, 3, 4.25}
	y := []float64{1, 1, -1, 0.5, 2}
	in, err := table.Build(mem, table.Col("x", x), table.Col("y", y), table.Col("s", []string{"a", "b", "c", "d", "e"}))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Release()
	for _, declared := range []bool{false, true} {
		schema, _ := ParseSchema("z:float,name:str")
		if !declared {
			schema = nil
		}
		out, err := p.MapRows(context.Background(), "double", in, nil, schema, mem)
		if err != nil {
			t.Fatal(err)
		}
		z, err := table.Float64s(out.Column(out.Schema().FieldIndices("z")[0]))
		if err != nil {
			t.Fatal(err)
		}
		for i := range x {
			if want := x[i]*2 + y[i]; z[i] != want {
				t.Errorf("declared=%v row %d: z = %v, want %v", declared, i, z[i], want)
			}
		}
		if got := table.Value(out.Column(out.Schema().FieldIndices("name")[0]), 3); got != "D" {
			t.Errorf("name[3] = %v, want D", got)
		}
		out.Release()
	}
	out, err := p.MapColumns(context.Background(), "cols", in, []string{"x", "y"}, nil, mem)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	z, _ := table.Float64s(out.Column(0))
	for i := range x {
		if want := x[i]*2 + y[i]; z[i] != want {
			t.Errorf("columns row %d: z = %v, want %v", i, z[i], want)
		}
	}
}

func TestErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	p := newPool(t, 1)
	in, err := table.Build(mem, table.Col("x", []int64{1, 2, 3, 4}))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Release()

	_, err = p.MapRows(context.Background(), "boom", in, nil, nil, mem)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("boom: got %v, want an *Error", err)
	}
	if pe.Type != "ZeroDivisionError" || pe.Line != 10 || pe.Row != 2 || pe.RowValues != "{'x': 3}" {
		t.Errorf("boom: got type %q line %d row %d values %q", pe.Type, pe.Line, pe.Row, pe.RowValues)
	}
	if !strings.Contains(err.Error(), `return {"z": 1 / 0}`) || !strings.Contains(err.Error(), "Traceback") {
		t.Errorf("boom: error lacks the traceback source line:\n%v", err)
	}

	schema, _ := ParseSchema("z:float")
	_, err = p.MapRows(context.Background(), "badtype", in, nil, schema, mem)
	if err == nil || !strings.Contains(err.Error(), `output field "z"`) || !strings.Contains(err.Error(), "row 1") ||
		!strings.Contains(err.Error(), "got str 'text', want float") {
		t.Errorf("badtype: got %v", err)
	}
	_, err = p.MapRows(context.Background(), "double", in, nil, schema, mem)
	if err == nil || !strings.Contains(err.Error(), `"y"`) {
		t.Errorf("double without y: got %v", err)
	}
	if _, err := p.Call(context.Background(), "missing"); err == nil || !strings.Contains(err.Error(), `function "missing" is not defined`) {
		t.Errorf("missing function: got %v", err)
	}
	if _, err := Compile("def f(:\n", "bad.py"); err == nil || !strings.Contains(err.Error(), "bad.py:1") {
		t.Errorf("syntax error: got %v", err)
	}
}

func TestDeadlineAbandonsWorker(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	prog, err := Compile(udfSrc, "udf.py")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPool(prog, Options{Workers: 1, MaxAbandoned: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	in, err := table.Build(mem, table.Col("x", []int64{1, 2}))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = p.MapRows(ctx, "spin", in, nil, nil, mem)
	if !errors.Is(err, ErrDeadline) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "at row 0") {
		t.Fatalf("spin: got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("spin returned after %v", d)
	}
	if p.Abandoned() != 1 {
		t.Errorf("Abandoned() = %d, want 1", p.Abandoned())
	}
	// The bound on runaways is reached: calls fail fast.
	if _, err := p.Call(context.Background(), "add", 1, 2); !errors.Is(err, ErrTooManyRunaways) {
		t.Errorf("call with a runaway running: got %v, want ErrTooManyRunaways", err)
	}
	p.opts.MaxAbandoned = 2
	got, err := p.Call(context.Background(), "add", int64(1), 2.5)
	if err != nil {
		t.Fatal(err)
	}
	if l := got.([]any); l[0] != 3.5 || l[1].(map[string]any)["k"] != int64(1) {
		t.Errorf("add = %#v", got)
	}
}

func TestConcurrentCalls(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	p := newPool(t, 2)
	in, err := table.Build(mem, table.Col("x", []float64{1, 2, 3}), table.Col("y", []float64{1, 1, 1}), table.Col("s", []string{"a", "b", "c"}))
	if err != nil {
		t.Fatal(err)
	}
	defer in.Release()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for k := 0; k < 20; k++ {
				out, err := p.MapRows(ctx, "double", in, nil, nil, mem)
				if err != nil {
					errs <- err
					return
				}
				out.Release()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestParseSchema(t *testing.T) {
	for i, c := range []struct {
		in, want, err string
	}{
		{in: "a:int, b:float,c:bool,d:str,e:vector,f:vector[3]", want: "a:int,b:float,c:bool,d:str,e:vector,f:vector[3]"},
		{in: "a", err: "want name:type"},
		{in: "a:int,a:float", err: "declared twice"},
		{in: "a:date", err: "unknown type"},
		{in: "a:vector[0]", err: "positive"},
		{in: " ", err: "no field"},
	} {
		s, err := ParseSchema(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%d: ParseSchema(%q) error = %v, want %q", i, c.in, err, c.err)
			}
			continue
		}
		if err != nil || FormatSchema(s) != c.want {
			t.Errorf("%d: ParseSchema(%q) = %v, %v", i, c.in, s, err)
		}
	}
}
