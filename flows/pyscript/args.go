package pyscript

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/eddyml/eddy/internal/pybridge"
	"github.com/eddyml/eddy/pipeline/table"
)

// args binds the positional and keyword arguments of a call to the
// parameter names of its signature, as Python does: positional ones in
// order, then keywords; an unknown keyword, a parameter given twice, too
// many positional arguments or a missing required one is an error.
type args map[string]any

// bind binds a and kw to names (all positional-or-keyword); the first
// required names must be given and not None.
func bind(a []any, kw map[string]any, names []string, required int) (args, error) {
	if len(a) > len(names) {
		return nil, fmt.Errorf("takes at most %d arguments (%s), got %d", len(names), strings.Join(names, ", "), len(a))
	}
	out := make(args, len(names))
	for i, v := range a {
		out[names[i]] = v
	}
	keys := make([]string, 0, len(kw))
	for k := range kw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !contains(names, k) {
			return nil, fmt.Errorf("unexpected keyword argument %q (want %s)", k, strings.Join(names, ", "))
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("argument %q given twice", k)
		}
		out[k] = kw[k]
	}
	for _, n := range names[:required] {
		if v, ok := out[n]; !ok || v == nil {
			return nil, fmt.Errorf("missing argument %q", n)
		}
	}
	return out, nil
}

func contains(names []string, k string) bool {
	for _, n := range names {
		if n == k {
			return true
		}
	}
	return false
}

func (a args) has(name string) bool { v, ok := a[name]; return ok && v != nil }

func (a args) str(name, def string) (string, error) {
	v, ok := a[name]
	if !ok || v == nil {
		return def, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%s must be str, not %s", name, typeName(v))
	}
	return s, nil
}

func (a args) bool(name string, def bool) (bool, error) {
	v, ok := a[name]
	if !ok || v == nil {
		return def, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("%s must be bool, not %s", name, typeName(v))
	}
	return b, nil
}

func (a args) int(name string, def int64) (int64, error) {
	v, ok := a[name]
	if !ok || v == nil {
		return def, nil
	}
	n, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("%s must be int, not %s", name, typeName(v))
	}
	return n, nil
}

func (a args) float(name string, def float64) (float64, error) {
	v, ok := a[name]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	}
	return 0, fmt.Errorf("%s must be a number, not %s", name, typeName(v))
}

func (a args) dict(name string) (map[string]any, error) {
	v, ok := a[name]
	if !ok || v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a dict, not %s", name, typeName(v))
	}
	return m, nil
}

func (a args) list(name string) ([]any, error) {
	v, ok := a[name]
	if !ok || v == nil {
		return nil, nil
	}
	l, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a list, not %s", name, typeName(v))
	}
	return l, nil
}

func (a args) strs(name string) ([]string, error) {
	l, err := a.list(name)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(l))
	for i, v := range l {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s[%d] must be str, not %s", name, i, typeName(v))
		}
		out[i] = s
	}
	return out, nil
}

func (a args) floats(name string) ([]float64, error) {
	l, err := a.list(name)
	if err != nil || l == nil {
		return nil, err
	}
	out := make([]float64, len(l))
	for i, v := range l {
		switch x := v.(type) {
		case float64:
			out[i] = x
		case int64:
			out[i] = float64(x)
		default:
			return nil, fmt.Errorf("%s[%d] must be a number, not %s", name, i, typeName(v))
		}
	}
	return out, nil
}

func (a args) table(name string) (*table.Table, error) {
	v := a[name]
	if o, ok := v.(*pybridge.Object); ok {
		if t, ok := o.Value.(*table.Table); ok {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%s must be an eddy.Table, not %s", name, typeName(v))
}

// typeName names the Python type of a converted value.
func typeName(v any) string {
	switch x := v.(type) {
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
	case *pybridge.Object:
		return "eddy." + x.Class.Name()
	}
	return fmt.Sprintf("%T", v)
}

// plain turns a Go value (an Arrow cell from table.Value, a param value)
// into one pybridge converts to Python: int, float, bool, str, None,
// lists and str-keyed dicts.
func plain(v any) any {
	switch x := v.(type) {
	case nil, bool, int64, float64, string, []float64, []string, *pybridge.Object:
		return x
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		if x > 1<<63-1 {
			return float64(x)
		}
		return int64(x)
	case float32:
		return float64(x)
	case []byte:
		return string(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case time.Duration:
		return x.Seconds()
	case []int:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = int64(n)
		}
		return out
	case []int64:
		out := make([]any, len(x))
		for i, n := range x {
			out[i] = n
		}
		return out
	case table.SparseVector:
		idx := make([]any, len(x.Indices))
		for i, n := range x.Indices {
			idx[i] = int64(n)
		}
		return map[string]any{"size": int64(x.Size), "indices": idx, "values": x.Values}
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = plain(it)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, it := range x {
			out[k] = plain(it)
		}
		return out
	}
	return fmt.Sprint(v)
}
