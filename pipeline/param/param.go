package param

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Value is the set of Go types a Param can hold. They are the types a
// JSON or YAML document can express without ambiguity.
type Value interface {
	bool | int | int32 | int64 | float64 | string | []string | []int | []int64 | []float64
}

// Param is a typed, documented parameter with a default and validators. A
// Param is declared once, as a package-level variable, and shared by every
// Set that declares it; values live in the Sets.
type Param[T Value] struct {
	name       string
	doc        string
	def        T
	validators []Validator[T]
}

// New returns a param. It panics if name is not a lowercase snake_case
// identifier or if def fails a validator: both are programming errors,
// caught when the declaring package is initialised.
func New[T Value](name, doc string, def T, validators ...Validator[T]) *Param[T] {
	if !validName(name) {
		panic(fmt.Sprintf("param.New: invalid param name %q (want lowercase snake_case)", name))
	}
	p := &Param[T]{name: name, doc: doc, def: cloneValue(def), validators: validators}
	if err := p.Validate(def); err != nil {
		panic(fmt.Sprintf("param.New: param %q: invalid default: %v", name, err))
	}
	return p
}

func validName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Name returns the param's name, as used in JSON, YAML and errors.
func (p *Param[T]) Name() string { return p.name }

// Doc returns the param's documentation.
func (p *Param[T]) Doc() string { return p.doc }

// Default returns a copy of the param's default value.
func (p *Param[T]) Default() T { return cloneValue(p.def) }

// TypeName returns the name of T as shown in docs and errors ("int",
// "float64", "[]string"...).
func (p *Param[T]) TypeName() string { return typeName[T]() }

// Validate checks v against the param's validators and returns the first
// failure, without the stage and param names.
func (p *Param[T]) Validate(v T) error {
	for _, val := range p.validators {
		if val.Check == nil {
			continue
		}
		if err := val.Check(v); err != nil {
			return err
		}
	}
	return nil
}

// Info describes the param for the CLI and the docs.
func (p *Param[T]) Info() Info {
	info := Info{Name: p.name, Type: p.TypeName(), Default: p.Default(), Doc: p.doc}
	for _, v := range p.validators {
		if v.Desc != "" {
			info.Constraints = append(info.Constraints, v.Desc)
		}
	}
	return info
}

// Declare adds the param to s; it makes *Param a Declarer.
func (p *Param[T]) Declare(s *Set) { s.declare(p) }

// Get returns the param's value in s, or its default when unset. It panics
// if s does not declare p: that is a programming error in the stage.
func (p *Param[T]) Get(s *Set) T {
	v, ok := s.get(p)
	if !ok {
		return cloneValue(p.def)
	}
	return cloneValue(v.(T))
}

// Set validates v and stores it in s. The error names the stage kind and
// the param. It panics if s does not declare p.
func (p *Param[T]) Set(s *Set, v T) error {
	if err := p.Validate(v); err != nil {
		return &Error{Kind: s.kind, Param: p.name, Err: err}
	}
	s.put(p, cloneValue(v))
	return nil
}

// convertAny converts a value decoded from JSON or YAML (or a Go value of
// type T) to T and validates it.
func (p *Param[T]) convertAny(v any) (any, error) {
	t, err := convert[T](v)
	if err != nil {
		return nil, err
	}
	if err := p.Validate(t); err != nil {
		return nil, err
	}
	return t, nil
}

func (p *Param[T]) defaultAny() any { return cloneValue(p.def) }

// Any is a Param of any type, as held by a Set.
type Any interface {
	Declarer
	Name() string
	Doc() string
	TypeName() string
	Info() Info
	convertAny(v any) (any, error)
	defaultAny() any
}

// Info describes a param: what `eddy` prints for a stage kind and what the
// docs list.
type Info struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	Default     any      `json:"default"`
	Doc         string   `json:"doc"`
	Constraints []string `json:"constraints,omitempty"`
}

func typeName[T Value]() string {
	var z T
	switch any(z).(type) {
	case bool:
		return "bool"
	case int:
		return "int"
	case int32:
		return "int32"
	case int64:
		return "int64"
	case float64:
		return "float64"
	case string:
		return "string"
	case []string:
		return "[]string"
	case []int:
		return "[]int"
	case []int64:
		return "[]int64"
	case []float64:
		return "[]float64"
	}
	return reflect.TypeOf(z).String()
}

// cloneValue copies slices so that a Set never shares memory with callers.
func cloneValue[T any](v T) T {
	switch s := any(v).(type) {
	case []string:
		return any(slices.Clone(s)).(T)
	case []int:
		return any(slices.Clone(s)).(T)
	case []int64:
		return any(slices.Clone(s)).(T)
	case []float64:
		return any(slices.Clone(s)).(T)
	}
	return v
}

// convert turns v, a Go value of type T or a value decoded from JSON
// (bool, float64, json.Number, string, []any) or YAML (int, float64, ...),
// into T. Numbers convert only when exact: 1.5 is not an int, 3e9 is not
// an int32.
func convert[T Value](v any) (T, error) {
	var out T
	if t, ok := v.(T); ok {
		return cloneValue(t), nil
	}
	want := typeName[T]()
	var err error
	switch p := any(&out).(type) {
	case *bool:
		err = wantErr(want, v)
	case *string:
		err = wantErr(want, v)
	case *int:
		var n int64
		n, err = toInt(v, strconv.IntSize, want)
		*p = int(n)
	case *int32:
		var n int64
		n, err = toInt(v, 32, want)
		*p = int32(n)
	case *int64:
		*p, err = toInt(v, 64, want)
	case *float64:
		*p, err = toFloat(v, want)
	case *[]string:
		*p, err = toSlice(v, want, func(e any) (string, error) {
			s, ok := e.(string)
			if !ok {
				return "", wantErr("string", e)
			}
			return s, nil
		})
	case *[]int:
		*p, err = toSlice(v, want, func(e any) (int, error) {
			n, err := toInt(e, strconv.IntSize, "int")
			return int(n), err
		})
	case *[]int64:
		*p, err = toSlice(v, want, func(e any) (int64, error) { return toInt(e, 64, "int64") })
	case *[]float64:
		*p, err = toSlice(v, want, func(e any) (float64, error) { return toFloat(e, "float64") })
	default:
		err = wantErr(want, v)
	}
	return out, err
}

func toSlice[E any](v any, want string, conv func(any) (E, error)) ([]E, error) {
	var elems []any
	switch s := v.(type) {
	case nil:
		return nil, nil
	case []any:
		elems = s
	default:
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			return nil, wantErr(want, v)
		}
		elems = make([]any, rv.Len())
		for i := range elems {
			elems[i] = rv.Index(i).Interface()
		}
	}
	out := make([]E, len(elems))
	for i, e := range elems {
		x, err := conv(e)
		if err != nil {
			return nil, fmt.Errorf("element %d: %w", i, err)
		}
		out[i] = x
	}
	return out, nil
}

func toInt(v any, bits int, want string) (int64, error) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if bits < 64 {
		lo, hi = -1<<(bits-1), 1<<(bits-1)-1
	}
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int8:
		n = int64(x)
	case int16:
		n = int64(x)
	case int32:
		n = int64(x)
	case int64:
		n = x
	case uint, uint8, uint16, uint32, uint64:
		u := reflect.ValueOf(x).Uint()
		if u > uint64(hi) {
			return 0, fmt.Errorf("want %s, got %s (out of range)", want, describe(v))
		}
		n = int64(u)
	case float32:
		return floatToInt(float64(x), v, lo, hi, want)
	case float64:
		return floatToInt(x, v, lo, hi, want)
	case json.Number:
		i, err := strconv.ParseInt(string(x), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(string(x), 64)
			if ferr != nil {
				return 0, fmt.Errorf("want %s, got %s (out of range)", want, describe(v))
			}
			return floatToInt(f, v, lo, hi, want)
		}
		n = i
	default:
		return 0, wantErr(want, v)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("want %s, got %s (out of range)", want, describe(v))
	}
	return n, nil
}

func floatToInt(f float64, v any, lo, hi int64, want string) (int64, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Trunc(f) != f {
		return 0, fmt.Errorf("want %s, got %s (not an integer)", want, describe(v))
	}
	// float64(hi) rounds up to 2^63 for int64: compare with >=.
	if f < float64(lo) || f >= float64(hi)+1 {
		return 0, fmt.Errorf("want %s, got %s (out of range)", want, describe(v))
	}
	return int64(f), nil
}

func toFloat(v any, want string) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case float32:
		return float64(x), nil
	case int, int8, int16, int32, int64:
		return float64(reflect.ValueOf(x).Int()), nil
	case uint, uint8, uint16, uint32, uint64:
		return float64(reflect.ValueOf(x).Uint()), nil
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return 0, fmt.Errorf("want %s, got %s (out of range)", want, describe(v))
		}
		return f, nil
	}
	return 0, wantErr(want, v)
}

func wantErr(want string, got any) error {
	return fmt.Errorf("want %s, got %s", want, describe(got))
}

// describe renders a value for an error message: its type and value, with
// strings quoted and long values cut.
func describe(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		s = "string " + strconv.Quote(x)
	case json.Number:
		s = "number " + string(x)
	case []any:
		s = fmt.Sprintf("list %v", x)
	case map[string]any:
		s = "object"
	default:
		s = fmt.Sprintf("%T %v", v, v)
	}
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

// Error is an invalid or unknown param value. Its message names the stage
// kind and the param: `stage "standard_scaler": param "with_mean": want
// bool, got string "yes"`.
type Error struct {
	Kind  string // stage kind
	Param string // param name
	Err   error
}

func (e *Error) Error() string {
	return fmt.Sprintf("stage %q: param %q: %v", e.Kind, e.Param, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

func joinNames(names []string) string { return strings.Join(names, ", ") }
