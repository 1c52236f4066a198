package pybridge

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
	"github.com/go-python/gpython/py"
)

// colReader reads row i of an Arrow column as a Python value.
type colReader func(i int) py.Object

// newColReader returns the reader of arr: integers become int, floats
// float, booleans bool, strings str, dense vectors and lists of numbers
// lists of floats, nulls None.
func newColReader(name string, arr arrow.Array) (colReader, error) {
	nullable := arr.NullN() > 0
	wrap := func(f colReader) colReader {
		if !nullable {
			return f
		}
		return func(i int) py.Object {
			if arr.IsNull(i) {
				return py.None
			}
			return f(i)
		}
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return wrap(func(i int) py.Object { return py.NewBool(a.Value(i)) }), nil
	case *array.Int8:
		return wrap(func(i int) py.Object { return py.Int(a.Value(i)) }), nil
	case *array.Int16:
		return wrap(func(i int) py.Object { return py.Int(a.Value(i)) }), nil
	case *array.Int32:
		return wrap(func(i int) py.Object { return py.Int(a.Value(i)) }), nil
	case *array.Int64:
		v := a.Int64Values()
		return wrap(func(i int) py.Object { return py.Int(v[i]) }), nil
	case *array.Uint8:
		return wrap(func(i int) py.Object { return py.Int(a.Value(i)) }), nil
	case *array.Uint16:
		return wrap(func(i int) py.Object { return py.Int(a.Value(i)) }), nil
	case *array.Uint32:
		return wrap(func(i int) py.Object { return py.Int(a.Value(i)) }), nil
	case *array.Float32:
		return wrap(func(i int) py.Object { return py.Float(a.Value(i)) }), nil
	case *array.Float64:
		v := a.Float64Values()
		return wrap(func(i int) py.Object { return py.Float(v[i]) }), nil
	case *array.String:
		return wrap(func(i int) py.Object { return py.String(a.Value(i)) }), nil
	case *array.LargeString:
		return wrap(func(i int) py.Object { return py.String(a.Value(i)) }), nil
	case *array.FixedSizeList, *array.List, *array.LargeList:
		lst := arr.(array.ListLike)
		child, err := newColReader(name, lst.ListValues())
		if err != nil {
			return nil, err
		}
		return wrap(func(i int) py.Object {
			s, e := lst.ValueOffsets(i)
			items := make([]py.Object, e-s)
			for k := range items {
				items[k] = child(int(s) + k)
			}
			return py.NewListFromItems(items)
		}), nil
	}
	return nil, fmt.Errorf("column %q has type %s, which python code cannot read (want a number, bool, string or vector)", name, arr.DataType())
}

// ParseSchema parses a declared output schema "name:type, name:type...".
// Types: int (int64), float (float64), bool, str (utf8), vector (list of
// float64) and vector[N] (dense vector of dimension N). Every field is
// nullable (None gives a null).
func ParseSchema(spec string) (*arrow.Schema, error) {
	var fields []arrow.Field
	seen := map[string]bool{}
	for k, part := range strings.Split(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, typ, ok := strings.Cut(part, ":")
		name, typ = strings.TrimSpace(name), strings.TrimSpace(typ)
		if !ok || name == "" || typ == "" {
			return nil, fmt.Errorf("schema entry %d %q: want name:type", k+1, part)
		}
		if seen[name] {
			return nil, fmt.Errorf("schema entry %d: field %q declared twice", k+1, name)
		}
		seen[name] = true
		dt, err := parseType(typ)
		if err != nil {
			return nil, fmt.Errorf("schema entry %d field %q: %w", k+1, name, err)
		}
		fields = append(fields, arrow.Field{Name: name, Type: dt, Nullable: true})
	}
	if len(fields) == 0 {
		return nil, fmt.Errorf("schema %q declares no field", spec)
	}
	return arrow.NewSchema(fields, nil), nil
}

func parseType(s string) (arrow.DataType, error) {
	switch s {
	case "int":
		return arrow.PrimitiveTypes.Int64, nil
	case "float":
		return arrow.PrimitiveTypes.Float64, nil
	case "bool":
		return arrow.FixedWidthTypes.Boolean, nil
	case "str":
		return arrow.BinaryTypes.String, nil
	case "vector":
		return arrow.ListOf(arrow.PrimitiveTypes.Float64), nil
	}
	if d, ok := strings.CutPrefix(s, "vector["); ok {
		if d, ok := strings.CutSuffix(d, "]"); ok {
			n, err := strconv.Atoi(d)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("type %q: dimension must be a positive integer", s)
			}
			return table.DenseVectorType(n), nil
		}
	}
	return nil, fmt.Errorf("unknown type %q (want int, float, bool, str, vector or vector[N])", s)
}

// FormatSchema renders schema in the syntax of ParseSchema; fields of other
// types show Arrow's name for them.
func FormatSchema(schema *arrow.Schema) string {
	parts := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		parts[i] = f.Name + ":" + typeName(f.Type)
	}
	return strings.Join(parts, ",")
}

func typeName(dt arrow.DataType) string {
	switch dt.ID() {
	case arrow.INT64:
		return "int"
	case arrow.FLOAT64:
		return "float"
	case arrow.BOOL:
		return "bool"
	case arrow.STRING:
		return "str"
	case arrow.LIST:
		return "vector"
	case arrow.FIXED_SIZE_LIST:
		return fmt.Sprintf("vector[%d]", dt.(*arrow.FixedSizeListType).Len())
	}
	return dt.String()
}

// inferType returns the output type for a Python value, ok false for None
// (undecided).
func inferType(v py.Object) (arrow.DataType, bool, error) {
	switch x := v.(type) {
	case py.NoneType:
		return nil, false, nil
	case py.Bool:
		return arrow.FixedWidthTypes.Boolean, true, nil
	case py.Int:
		return arrow.PrimitiveTypes.Int64, true, nil
	case *py.BigInt:
		return arrow.PrimitiveTypes.Int64, true, nil
	case py.Float:
		return arrow.PrimitiveTypes.Float64, true, nil
	case py.String:
		return arrow.BinaryTypes.String, true, nil
	case *py.List, py.Tuple:
		return arrow.ListOf(arrow.PrimitiveTypes.Float64), true, nil
	default:
		return nil, false, fmt.Errorf("value of python type %s cannot be stored (want int, float, bool, str, list of numbers or None)", x.Type().Name)
	}
}

// colWriter appends Python values to one output column.
type colWriter struct {
	field arrow.Field
	b     array.Builder
	add   func(v py.Object) error
}

func newColWriter(mem memory.Allocator, f arrow.Field) (*colWriter, error) {
	w := &colWriter{field: f}
	switch dt := f.Type.(type) {
	case *arrow.Int64Type:
		b := array.NewInt64Builder(mem)
		w.b, w.add = b, func(v py.Object) error {
			switch x := v.(type) {
			case py.Int:
				b.Append(int64(x))
			case *py.BigInt:
				n, err := x.GoInt64()
				if err != nil {
					return fmt.Errorf("int %v overflows int64", x)
				}
				b.Append(n)
			default:
				return wrongType(v, "int")
			}
			return nil
		}
	case *arrow.Float64Type:
		b := array.NewFloat64Builder(mem)
		w.b, w.add = b, func(v py.Object) error {
			f, ok := toFloat(v)
			if !ok {
				return wrongType(v, "float")
			}
			b.Append(f)
			return nil
		}
	case *arrow.BooleanType:
		b := array.NewBooleanBuilder(mem)
		w.b, w.add = b, func(v py.Object) error {
			x, ok := v.(py.Bool)
			if !ok {
				return wrongType(v, "bool")
			}
			b.Append(bool(x))
			return nil
		}
	case *arrow.StringType:
		b := array.NewStringBuilder(mem)
		w.b, w.add = b, func(v py.Object) error {
			x, ok := v.(py.String)
			if !ok {
				return wrongType(v, "str")
			}
			b.Append(string(x))
			return nil
		}
	case *arrow.ListType:
		if dt.Elem().ID() != arrow.FLOAT64 {
			return nil, fmt.Errorf("output field %q: type %s not supported", f.Name, dt)
		}
		b := array.NewListBuilder(mem, arrow.PrimitiveTypes.Float64)
		vb := b.ValueBuilder().(*array.Float64Builder)
		w.b, w.add = b, func(v py.Object) error {
			items, ok := listItems(v)
			if !ok {
				return wrongType(v, "vector (list of numbers)")
			}
			b.Append(true)
			for k, it := range items {
				f, ok := toFloat(it)
				if !ok {
					return fmt.Errorf("item %d: %w", k, wrongType(it, "number"))
				}
				vb.Append(f)
			}
			return nil
		}
	case *arrow.FixedSizeListType:
		if !table.IsDenseVector(dt) {
			return nil, fmt.Errorf("output field %q: type %s not supported", f.Name, dt)
		}
		b := array.NewFixedSizeListBuilder(mem, dt.Len(), arrow.PrimitiveTypes.Float64)
		vb := b.ValueBuilder().(*array.Float64Builder)
		dim := int(dt.Len())
		w.b, w.add = b, func(v py.Object) error {
			items, ok := listItems(v)
			if !ok {
				return wrongType(v, fmt.Sprintf("vector[%d] (list of numbers)", dim))
			}
			if len(items) != dim {
				return fmt.Errorf("got a list of %d values, want %d", len(items), dim)
			}
			vals := make([]float64, dim)
			for k, it := range items {
				f, ok := toFloat(it)
				if !ok {
					return fmt.Errorf("item %d: %w", k, wrongType(it, "number"))
				}
				vals[k] = f
			}
			b.Append(true)
			vb.AppendValues(vals, nil)
			return nil
		}
	default:
		return nil, fmt.Errorf("output field %q: type %s not supported (want int, float, bool, str, vector or vector[N])", f.Name, f.Type)
	}
	return w, nil
}

// append adds v (None gives a null).
func (w *colWriter) append(v py.Object) error {
	if v == py.None || v == nil {
		w.b.AppendNull()
		return nil
	}
	return w.add(v)
}

func listItems(v py.Object) ([]py.Object, bool) {
	switch x := v.(type) {
	case *py.List:
		return x.Items, true
	case py.Tuple:
		return x, true
	}
	return nil, false
}

// toFloat accepts a float or an int (Python mixes them freely), never a bool.
func toFloat(v py.Object) (float64, bool) {
	switch x := v.(type) {
	case py.Float:
		return float64(x), true
	case py.Int:
		return float64(x), true
	case *py.BigInt:
		f, err := x.Float()
		if err != nil {
			return math.NaN(), false
		}
		return float64(f), true
	}
	return 0, false
}

func wrongType(v py.Object, want string) error {
	return fmt.Errorf("got %s %s, want %s", v.Type().Name, reprOf(v), want)
}

// toPy converts a plain Go value to Python: nil, bool, ints, floats,
// strings, slices, maps with string keys and *Object handles.
func toPy(v any, pctx py.Context) (py.Object, error) {
	switch x := v.(type) {
	case nil:
		return py.None, nil
	case py.Object:
		return x, nil
	case bool:
		return py.NewBool(x), nil
	case int:
		return py.Int(x), nil
	case int32:
		return py.Int(x), nil
	case int64:
		return py.Int(x), nil
	case float32:
		return py.Float(x), nil
	case float64:
		return py.Float(x), nil
	case string:
		return py.String(x), nil
	case []float64:
		items := make([]py.Object, len(x))
		for i, f := range x {
			items[i] = py.Float(f)
		}
		return py.NewListFromItems(items), nil
	case []string:
		items := make([]py.Object, len(x))
		for i, s := range x {
			items[i] = py.String(s)
		}
		return py.NewListFromItems(items), nil
	case []any:
		items := make([]py.Object, len(x))
		for i, it := range x {
			o, err := toPy(it, pctx)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
			items[i] = o
		}
		return py.NewListFromItems(items), nil
	case map[string]any:
		d := py.NewStringDictSized(len(x))
		for k, it := range x {
			o, err := toPy(it, pctx)
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			d[k] = o
		}
		return d, nil
	case *Object:
		return &pyObject{obj: x, pctx: pctx}, nil
	}
	return nil, fmt.Errorf("go value of type %T has no python equivalent", v)
}

// fromPy converts a Python value to plain Go: None is nil, bool, int64,
// float64, string, []any for lists and tuples, map[string]any for dicts,
// *Object for handles.
func fromPy(v py.Object) (any, error) {
	switch x := v.(type) {
	case nil, py.NoneType:
		return nil, nil
	case py.Bool:
		return bool(x), nil
	case py.Int:
		return int64(x), nil
	case *py.BigInt:
		n, err := x.GoInt64()
		if err != nil {
			return nil, fmt.Errorf("int %v overflows int64", x)
		}
		return n, nil
	case py.Float:
		return float64(x), nil
	case py.String:
		return string(x), nil
	case *py.List:
		return fromPyItems(x.Items)
	case py.Tuple:
		return fromPyItems(x)
	case py.StringDict:
		m := make(map[string]any, len(x))
		for k, it := range x {
			g, err := fromPy(it)
			if err != nil {
				return nil, fmt.Errorf("key %q: %w", k, err)
			}
			m[k] = g
		}
		return m, nil
	case *pyObject:
		return x.obj, nil
	}
	return nil, fmt.Errorf("python value of type %s has no go equivalent", v.Type().Name)
}

func fromPyItems(items []py.Object) ([]any, error) {
	out := make([]any, len(items))
	for i, it := range items {
		g, err := fromPy(it)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		out[i] = g
	}
	return out, nil
}

// ProbeRecord returns a one-row record of schema whose values are ones
// (1, 1.0, true, "a", vectors of ones): a sample to infer a function's
// output schema from before any data flows. The caller owns one Release.
func ProbeRecord(mem memory.Allocator, schema *arrow.Schema) (arrow.Record, error) {
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	for i, f := range schema.Fields() {
		if err := appendOne(b.Field(i)); err != nil {
			return nil, fmt.Errorf("column %q: %w", f.Name, err)
		}
	}
	return b.NewRecord(), nil
}

func appendOne(b array.Builder) error {
	switch x := b.(type) {
	case *array.BooleanBuilder:
		x.Append(true)
	case *array.Int8Builder:
		x.Append(1)
	case *array.Int16Builder:
		x.Append(1)
	case *array.Int32Builder:
		x.Append(1)
	case *array.Int64Builder:
		x.Append(1)
	case *array.Uint8Builder:
		x.Append(1)
	case *array.Uint16Builder:
		x.Append(1)
	case *array.Uint32Builder:
		x.Append(1)
	case *array.Float32Builder:
		x.Append(1)
	case *array.Float64Builder:
		x.Append(1)
	case *array.StringBuilder:
		x.Append("a")
	case *array.LargeStringBuilder:
		x.Append("a")
	case *array.FixedSizeListBuilder:
		x.Append(true)
		n := x.Type().(*arrow.FixedSizeListType).Len()
		for k := int32(0); k < n; k++ {
			if err := appendOne(x.ValueBuilder()); err != nil {
				return err
			}
		}
	case *array.ListBuilder:
		x.Append(true)
		return appendOne(x.ValueBuilder())
	default:
		b.AppendNull()
	}
	return nil
}
