package pybridge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/go-python/gpython/py"
	_ "github.com/go-python/gpython/stdlib" // the interpreter and its builtin modules
)

// ModuleName is the name of the Go-backed Python module: `import eddy`.
const ModuleName = "eddy"

// Func is a Go function exposed to Python. args and kwargs are plain Go
// values (see Pool.Call); ctx is the context of the script or call that
// runs it. The result is converted to Python the same way (an *Object
// becomes an instance of its Class). An error becomes a Python
// RuntimeError carrying its message.
type Func func(ctx context.Context, args []any, kwargs map[string]any) (any, error)

// Method is a Go method of a Class; self is the instance.
type Method func(ctx context.Context, self *Object, args []any, kwargs map[string]any) (any, error)

// Class is a Go type exposed to Python. Build it with NewClass.
type Class struct {
	name string
	str  func(o *Object) string
	typ  *py.Type
}

// Object is an instance of a Class wrapping a Go value.
type Object struct {
	Class *Class
	Value any
}

// NewObject returns an instance of c holding v.
func (c *Class) NewObject(v any) *Object { return &Object{Class: c, Value: v} }

// Name returns the class name.
func (c *Class) Name() string { return c.name }

// NewClass returns a class named name with the given methods; str, if
// not nil, renders instances for str() and print.
func NewClass(name, doc string, methods map[string]Method, str func(o *Object) string) *Class {
	c := &Class{name: name, str: str, typ: py.NewType(name, doc)}
	for mname, m := range methods {
		c.typ.Dict[mname] = py.MustNewMethod(mname, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
			po, ok := self.(*pyObject)
			if !ok {
				return nil, py.ExceptionNewf(py.TypeError, "%s.%s: self is a %s", name, mname, self.Type().Name)
			}
			return callGo(po.pctx, name+"."+mname, args, kwargs, func(ctx context.Context, a []any, kw map[string]any) (any, error) {
				return m(ctx, po.obj, a, kw)
			})
		}, 0, "")
	}
	return c
}

// pyObject is the Python side of an *Object.
type pyObject struct {
	obj  *Object
	pctx py.Context
}

func (o *pyObject) Type() *py.Type { return o.obj.Class.typ }

func (o *pyObject) M__str__() (py.Object, error) {
	if o.obj.Class.str != nil {
		return py.String(o.obj.Class.str(o.obj)), nil
	}
	return py.String(fmt.Sprintf("<eddy.%s>", o.obj.Class.name)), nil
}

func (o *pyObject) M__repr__() (py.Object, error) { return o.M__str__() }

// runs maps the contexts of running scripts to their Go context.
var runs sync.Map // py.Context -> context.Context

func goContext(pctx py.Context) context.Context {
	if pctx != nil {
		if c, ok := runs.Load(pctx); ok {
			return c.(context.Context)
		}
	}
	return context.Background()
}

func callGo(pctx py.Context, name string, args py.Tuple, kwargs py.StringDict, f Func) (py.Object, error) {
	a, err := fromPyItems(args)
	if err != nil {
		return nil, py.ExceptionNewf(py.TypeError, "%s: %v", name, err)
	}
	var kw map[string]any
	if len(kwargs) > 0 {
		g, err := fromPy(kwargs)
		if err != nil {
			return nil, py.ExceptionNewf(py.TypeError, "%s: %v", name, err)
		}
		kw = g.(map[string]any)
	}
	res, err := f(goContext(pctx), a, kw)
	if err != nil {
		return nil, py.ExceptionNewf(py.RuntimeError, "%s: %v", name, err)
	}
	o, err := toPy(res, pctx)
	if err != nil {
		return nil, py.ExceptionNewf(py.TypeError, "%s result: %v", name, err)
	}
	return o, nil
}

var module = struct {
	sync.Mutex
	impl   *py.ModuleImpl
	sealed bool
}{}

// RegisterModuleFunc adds fn to the eddy module as eddy.<name>. Call it
// from init(): once an interpreter exists the module is sealed and it
// returns an error, as it does for a name already taken.
func RegisterModuleFunc(name, doc string, fn Func) error {
	module.Lock()
	defer module.Unlock()
	if module.sealed {
		return fmt.Errorf("eddy.%s: register module functions in init, before any interpreter starts", name)
	}
	for _, m := range module.impl.Methods {
		if m.Name == name {
			return fmt.Errorf("eddy.%s is already registered", name)
		}
	}
	module.impl.Methods = append(module.impl.Methods, moduleMethod(name, doc, fn))
	return nil
}

// MustRegisterModuleFunc is RegisterModuleFunc for init(): it panics on
// error, which is a programming error.
func MustRegisterModuleFunc(name, doc string, fn Func) {
	if err := RegisterModuleFunc(name, doc, fn); err != nil {
		panic(err)
	}
}

func moduleMethod(name, doc string, fn Func) *py.Method {
	return py.MustNewMethod(name, func(self py.Object, args py.Tuple, kwargs py.StringDict) (py.Object, error) {
		var pctx py.Context
		if m, ok := self.(*py.Module); ok {
			pctx = m.Context
		}
		return callGo(pctx, "eddy."+name, args, kwargs, fn)
	}, 0, doc)
}

func init() {
	helpers := []struct {
		name, doc string
		fn        Func
	}{
		{"join", "join(sep, items): the items (str) joined by sep, as str.join", helperJoin},
		{"format", "format(template, *args): {} and {N} replaced by str(arg), {:spec} by a spec (.2f, 5d, >6s, .1%); {{ and }} are braces", helperFormat},
		{"json_dumps", "json_dumps(obj): compact JSON with sorted keys", helperJSONDumps},
		{"json_loads", "json_loads(s): the value of a JSON document (integers stay int)", helperJSONLoads},
		{"round", "round(x, n=0): x rounded half-to-even at n decimals of its exact value, as CPython; int when n is omitted", helperRound},
		{"upper", "upper(s): s in upper case", helperCase(strings.ToUpper)},
		{"lower", "lower(s): s in lower case", helperCase(strings.ToLower)},
	}
	impl := &py.ModuleImpl{Info: py.ModuleInfo{Name: ModuleName,
		Doc: "Eddy: helpers gpython lacks, and the scripting API (read_csv, generate, pipeline, stage...)."}}
	for _, h := range helpers {
		impl.Methods = append(impl.Methods, moduleMethod(h.name, h.doc, h.fn))
	}
	module.impl = impl
	py.RegisterModule(impl)
}

// newContext returns a fresh interpreter context whose print writes to
// stdout (nil discards). It seals the eddy module.
func newContext(stdout io.Writer) py.Context { return newContextOut(stdout, stdout) }

// newContextOut is newContext with sys.stderr writing to stderr.
func newContextOut(stdout, stderr io.Writer) py.Context {
	module.Lock()
	module.sealed = true
	module.Unlock()
	opts := py.DefaultContextOpts()
	opts.SysPaths = []string{"."} // no host CPython library: its modules do not run on gpython
	pctx := py.NewContext(opts)
	if sys, err := pctx.GetModule("sys"); err == nil {
		sys.Globals["stdout"] = newPyWriter(stdout)
		sys.Globals["stderr"] = newPyWriter(stderr)
	}
	return pctx
}

var writerType = py.NewType("EddyWriter", "print() output routed to Go")

func init() {
	writerType.Dict["write"] = py.MustNewMethod("write", func(self py.Object, args py.Tuple) (py.Object, error) {
		if len(args) != 1 {
			return nil, py.ExceptionNewf(py.TypeError, "write() takes 1 argument")
		}
		s, ok := args[0].(py.String)
		if !ok {
			return nil, py.ExceptionNewf(py.TypeError, "write() argument must be str, not %s", args[0].Type().Name)
		}
		n, err := io.WriteString(self.(*pyWriter).w, string(s))
		if err != nil {
			return nil, py.ExceptionNewf(py.OSError, "%v", err)
		}
		return py.Int(n), nil
	}, 0, "")
	writerType.Dict["flush"] = py.MustNewMethod("flush", func(self py.Object, args py.Tuple) (py.Object, error) {
		return py.None, nil
	}, 0, "")
}

type pyWriter struct{ w io.Writer }

func newPyWriter(w io.Writer) *pyWriter {
	if w == nil {
		return &pyWriter{w: io.Discard}
	}
	return &pyWriter{w: w}
}

func (w *pyWriter) Type() *py.Type { return writerType }

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func newLockedWriter(w io.Writer) io.Writer {
	if w == nil {
		return nil
	}
	return &lockedWriter{w: w}
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// RunScript runs src (named file in tracebacks) as __main__ in a fresh
// interpreter, with print writing to stdout and sys.argv set to argv.
// When ctx ends first it returns an ErrDeadline error and the script is
// abandoned (it keeps running until it ends). A Python exception is an
// *Error whose File and Line point at the script line.
func RunScript(ctx context.Context, src, file string, stdout io.Writer, argv []string) error {
	prog, err := Compile(src, file)
	if err != nil {
		return err
	}
	pctx := newContext(newLockedWriter(stdout))
	if sys, err := pctx.GetModule("sys"); err == nil {
		sys.Globals["argv"] = py.NewListFromStrings(append([]string{file}, argv...))
	}
	runs.Store(pctx, ctx)
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("python %s: interpreter panic: %v", file, r)
			}
		}()
		_, err := py.RunCode(pctx, prog.code, file, nil)
		done <- convertErr(err, prog.src)
	}()
	cleanup := func() {
		runs.Delete(pctx)
		pctx.Close()
	}
	select {
	case err := <-done:
		cleanup()
		return err
	case <-ctx.Done():
		go func() { <-done; cleanup() }()
		return fmt.Errorf("python %s: %w (the script keeps a CPU busy until it ends): %w", file, ErrDeadline, ctx.Err())
	}
}

func argStr(args []any, i int, fn string) (string, error) {
	if i >= len(args) {
		return "", fmt.Errorf("%s: missing argument %d", fn, i+1)
	}
	s, ok := args[i].(string)
	if !ok {
		return "", fmt.Errorf("%s: argument %d must be str, not %T", fn, i+1, args[i])
	}
	return s, nil
}

func helperJoin(_ context.Context, args []any, _ map[string]any) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("takes 2 arguments (sep, items), got %d", len(args))
	}
	sep, err := argStr(args, 0, "sep")
	if err != nil {
		return nil, err
	}
	items, ok := args[1].([]any)
	if !ok {
		return nil, fmt.Errorf("items must be a list or tuple, not %T", args[1])
	}
	parts := make([]string, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			return nil, fmt.Errorf("item %d must be str, not %s", i, goTypeName(it))
		}
		parts[i] = s
	}
	return strings.Join(parts, sep), nil
}

func goTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case map[string]any:
		return "dict"
	}
	return fmt.Sprintf("%T", v)
}

// pyStr renders a Go value as Python's str() would.
func pyStr(v any) string {
	o, err := toPy(v, nil)
	if err != nil {
		return fmt.Sprint(v)
	}
	if s, ok := o.(py.String); ok {
		return string(s)
	}
	s, err := py.StrAsString(o)
	if err != nil {
		return fmt.Sprint(v)
	}
	return s
}

func helperFormat(_ context.Context, args []any, _ map[string]any) (any, error) {
	tmpl, err := argStr(args, 0, "template")
	if err != nil {
		return nil, err
	}
	vals := args[1:]
	var b strings.Builder
	next := 0
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '{' && i+1 < len(tmpl) && tmpl[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(tmpl) && tmpl[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{':
			end := strings.IndexByte(tmpl[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("unclosed { at offset %d", i)
			}
			field := tmpl[i+1 : i+end]
			i += end
			ref, spec, _ := strings.Cut(field, ":")
			idx := next
			if ref != "" {
				n, err := strconv.Atoi(ref)
				if err != nil || n < 0 {
					return nil, fmt.Errorf("placeholder {%s}: want {}, {N} or {:spec}", field)
				}
				idx = n
			} else {
				next++
			}
			if idx >= len(vals) {
				return nil, fmt.Errorf("placeholder {%s} wants argument %d, got %d arguments", field, idx, len(vals))
			}
			s, err := formatSpec(vals[idx], spec)
			if err != nil {
				return nil, fmt.Errorf("placeholder {%s}: %w", field, err)
			}
			b.WriteString(s)
		case c == '}':
			return nil, fmt.Errorf("single } at offset %d", i)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func formatSpec(v any, spec string) (string, error) {
	if spec == "" {
		return pyStr(v), nil
	}
	verb := spec[len(spec)-1]
	switch spec[0] { // Python's alignment marks
	case '<':
		spec = "-" + spec[1:]
	case '>':
		spec = spec[1:]
	case '^', '=':
		return "", fmt.Errorf("unsupported alignment in spec %q (want < or >)", spec)
	}
	switch verb {
	case 'f', 'e', 'g', '%':
		f, ok := v.(float64)
		if n, isInt := v.(int64); isInt {
			f, ok = float64(n), true
		}
		if !ok {
			return "", fmt.Errorf("spec %q wants a number, got %s", spec, goTypeName(v))
		}
		if verb == '%' {
			return fmt.Sprintf("%"+spec[:len(spec)-1]+"f%%", f*100), nil
		}
		return fmt.Sprintf("%"+spec, f), nil
	case 'd':
		n, ok := v.(int64)
		if !ok {
			return "", fmt.Errorf("spec %q wants an int, got %s", spec, goTypeName(v))
		}
		return fmt.Sprintf("%"+spec, n), nil
	case 's':
		return fmt.Sprintf("%"+spec, pyStr(v)), nil
	}
	return "", fmt.Errorf("unsupported spec %q (want f, e, g, %%, d or s)", spec)
}

func helperJSONDumps(_ context.Context, args []any, _ map[string]any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("takes 1 argument, got %d", len(args))
	}
	var b bytes.Buffer
	if err := checkJSON(args[0]); err != nil {
		return nil, err
	}
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(args[0]); err != nil {
		return nil, err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func checkJSON(v any) error {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%v is not valid JSON", x)
		}
	case []any:
		for _, it := range x {
			if err := checkJSON(it); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, it := range x {
			if err := checkJSON(it); err != nil {
				return err
			}
		}
	case *Object:
		return fmt.Errorf("eddy.%s is not JSON serialisable", x.Class.name)
	}
	return nil
}

func helperJSONLoads(_ context.Context, args []any, _ map[string]any) (any, error) {
	s, err := argStr(args, 0, "json_loads")
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("invalid JSON: extra data after the value")
	}
	return numbers(v)
}

func numbers(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
		return x.Float64()
	case []any:
		for i, it := range x {
			n, err := numbers(it)
			if err != nil {
				return nil, err
			}
			x[i] = n
		}
	case map[string]any:
		for k, it := range x {
			n, err := numbers(it)
			if err != nil {
				return nil, err
			}
			x[k] = n
		}
	}
	return v, nil
}

func helperRound(_ context.Context, args []any, kwargs map[string]any) (any, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, fmt.Errorf("takes 1 or 2 arguments (x, n), got %d", len(args))
	}
	nd, hasN := int64(0), len(args) == 2
	if hasN {
		n, ok := args[1].(int64)
		if !ok {
			return nil, fmt.Errorf("n must be int, not %s", goTypeName(args[1]))
		}
		nd = n
	}
	switch x := args[0].(type) {
	case int64:
		if nd >= 0 {
			return x, nil
		}
		p := math.Pow10(int(-nd))
		return int64(math.RoundToEven(float64(x)/p) * p), nil
	case float64:
		if !hasN {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("cannot convert %v to int", x)
			}
			return int64(math.RoundToEven(x)), nil
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return x, nil
		}
		if nd < 0 {
			p := math.Pow10(int(-nd))
			return math.RoundToEven(x/p) * p, nil
		}
		if nd > 330 {
			return x, nil
		}
		// Formatting rounds the exact binary value half-to-even, as
		// CPython's correctly rounded round() does.
		return strconv.ParseFloat(strconv.FormatFloat(x, 'f', int(nd), 64), 64)
	}
	return nil, fmt.Errorf("x must be a number, not %s", goTypeName(args[0]))
}

func helperCase(f func(string) string) Func {
	return func(_ context.Context, args []any, _ map[string]any) (any, error) {
		if len(args) != 1 {
			return nil, fmt.Errorf("takes 1 argument, got %d", len(args))
		}
		s, err := argStr(args, 0, "s")
		if err != nil {
			return nil, err
		}
		return f(s), nil
	}
}

// Helpers returns the names of the eddy module's functions, sorted.
func Helpers() []string {
	module.Lock()
	defer module.Unlock()
	names := make([]string, len(module.impl.Methods))
	for i, m := range module.impl.Methods {
		names[i] = m.Name
	}
	sort.Strings(names)
	return names
}
