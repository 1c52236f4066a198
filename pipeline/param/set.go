package param

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
)

// ErrUnknownParam is wrapped by the error for a param name a Set does not
// declare.
var ErrUnknownParam = errors.New("unknown param")

// A Declarer adds params to a Set: every *Param is one, and so is a
// pointer to every mixin (HasFeaturesCol...), which also binds itself to
// the Set.
type Declarer interface {
	Declare(s *Set)
}

// Set holds the param values of one stage: the params it declares, in
// order, and the values set on them. Unset params read as their default.
// A Set is safe for concurrent use.
type Set struct {
	kind   string
	mu     sync.RWMutex
	order  []Any
	byName map[string]Any
	values map[string]any
}

// NewSet returns a Set for a stage of the given kind declaring the params
// of decls in order. It panics if two params share a name: that is a
// programming error in the stage.
func NewSet(kind string, decls ...Declarer) *Set {
	s := &Set{kind: kind, byName: map[string]Any{}, values: map[string]any{}}
	for _, d := range decls {
		if d == nil {
			panic(fmt.Sprintf("param.NewSet: stage %q: nil declarer", kind))
		}
		d.Declare(s)
	}
	return s
}

func (s *Set) declare(p Any) {
	if q, ok := s.byName[p.Name()]; ok {
		if q == p {
			return // declared twice through two mixins: harmless
		}
		panic(fmt.Sprintf("param.NewSet: stage %q: two params named %q", s.kind, p.Name()))
	}
	s.byName[p.Name()] = p
	s.order = append(s.order, p)
}

// Kind returns the kind of the stage the Set belongs to.
func (s *Set) Kind() string { return s.kind }

// Params returns the declared params, in declaration order.
func (s *Set) Params() []Any { return slices.Clone(s.order) }

// Names returns the declared param names, sorted.
func (s *Set) Names() []string {
	names := make([]string, len(s.order))
	for i, p := range s.order {
		names[i] = p.Name()
	}
	sort.Strings(names)
	return names
}

// Describe lists every declared param with its type, default and doc.
func (s *Set) Describe() []Info {
	out := make([]Info, len(s.order))
	for i, p := range s.order {
		out[i] = p.Info()
	}
	return out
}

func (s *Set) mustDeclare(p Any) {
	if q, ok := s.byName[p.Name()]; !ok || q != p {
		panic(fmt.Sprintf("param: stage %q does not declare param %q", s.kind, p.Name()))
	}
}

func (s *Set) get(p Any) (any, bool) {
	s.mustDeclare(p)
	s.mu.RLock()
	v, ok := s.values[p.Name()]
	s.mu.RUnlock()
	return v, ok
}

func (s *Set) put(p Any, v any) {
	s.mustDeclare(p)
	s.mu.Lock()
	s.values[p.Name()] = v
	s.mu.Unlock()
}

// IsSet reports whether the named param was set explicitly.
func (s *Set) IsSet(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, ok := s.values[name]
	return ok
}

// GetAny returns the value of the named param (its default when unset).
func (s *Set) GetAny(name string) (any, error) {
	p, err := s.lookup(name)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	v, ok := s.values[name]
	s.mu.RUnlock()
	if !ok {
		return p.defaultAny(), nil
	}
	return cloneValue(v), nil
}

func (s *Set) lookup(name string) (Any, error) {
	p, ok := s.byName[name]
	if !ok {
		known := "none"
		if len(s.order) > 0 {
			known = joinNames(s.Names())
		}
		return nil, &Error{Kind: s.kind, Param: name, Err: fmt.Errorf("%w; known params: %s", ErrUnknownParam, known)}
	}
	return p, nil
}

// SetAny converts v (a Go value of the param's type, or a value decoded
// from JSON or YAML) to the named param's type, validates it and stores
// it. The error names the stage kind and the param.
func (s *Set) SetAny(name string, v any) error {
	p, err := s.lookup(name)
	if err != nil {
		return err
	}
	x, err := p.convertAny(v)
	if err != nil {
		return &Error{Kind: s.kind, Param: name, Err: err}
	}
	s.mu.Lock()
	s.values[name] = x
	s.mu.Unlock()
	return nil
}

// SetMap sets every value of m as SetAny does. It is all or nothing: if any
// name is unknown or any value invalid, nothing is set and the error joins
// one error per bad param, in name order.
func (s *Set) SetMap(m map[string]any) error {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	conv := make(map[string]any, len(m))
	var errs []error
	for _, name := range names {
		p, err := s.lookup(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		x, err := p.convertAny(m[name])
		if err != nil {
			errs = append(errs, &Error{Kind: s.kind, Param: name, Err: err})
			continue
		}
		conv[name] = x
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	s.mu.Lock()
	for k, v := range conv {
		s.values[k] = v
	}
	s.mu.Unlock()
	return nil
}

// Values returns the value of every declared param, defaults included.
func (s *Set) Values() map[string]any {
	out := make(map[string]any, len(s.order))
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, p := range s.order {
		if v, ok := s.values[p.Name()]; ok {
			out[p.Name()] = cloneValue(v)
		} else {
			out[p.Name()] = p.defaultAny()
		}
	}
	return out
}

// CopyFrom sets, for every param of from that s declares too (same name,
// same type), the value from has. A model uses it to inherit the params
// of the estimator that made it.
func (s *Set) CopyFrom(from *Set) error {
	vals := from.Values()
	shared := make(map[string]any)
	for name, v := range vals {
		if p, ok := s.byName[name]; ok && p.TypeName() == from.byName[name].TypeName() {
			shared[name] = v
		}
	}
	return s.SetMap(shared)
}

// MarshalJSON encodes every param value, defaults included, as a JSON
// object keyed by param name. A non-finite float64 cannot be encoded.
func (s *Set) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(s.Values())
	if err != nil {
		return nil, fmt.Errorf("stage %q: encode params: %w", s.kind, err)
	}
	return b, nil
}

// UnmarshalJSON sets params from a JSON object keyed by param name, as
// SetMap does. The Set must have been made by NewSet.
func (s *Set) UnmarshalJSON(data []byte) error {
	m, err := DecodeJSON(data)
	if err != nil {
		return fmt.Errorf("stage %q: %w", s.kind, err)
	}
	return s.SetMap(m)
}

// DecodeJSON decodes a JSON object of param values, keeping numbers as
// json.Number so that integers stay exact.
func DecodeJSON(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode params: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decode params: trailing data after the object")
	}
	return m, nil
}
