package state

import (
	"encoding/binary"
	"fmt"
)

// groupMaps is the storage of one state: a map per owned key group,
// created on first write.
type groupMaps[V any] struct {
	groups []map[string]V
}

func newGroupMaps[V any](b *Backend) groupMaps[V] {
	return groupMaps[V]{groups: make([]map[string]V, b.hi-b.lo)}
}

func (m *groupMaps[V]) put(g int, key string, v V) {
	if m.groups[g] == nil {
		m.groups[g] = map[string]V{}
	}
	m.groups[g][key] = v
}

func (m *groupMaps[V]) keys(g int, dst []string) []string {
	for k := range m.groups[g] {
		dst = append(dst, k)
	}
	return dst
}

func checkGroup(g, n int) error {
	if g < 0 || g >= n {
		return fmt.Errorf("key group offset %d outside [0, %d)", g, n)
	}
	return nil
}

// ValueState is one value of type T per key.
type ValueState[T any] struct {
	b *Backend
	c Codec[T]
	groupMaps[T]
}

// NewValueState registers (or returns the already registered) value state
// name of b. Snapshot data restored under name is decoded with c.
func NewValueState[T any](b *Backend, name string, c Codec[T]) (*ValueState[T], error) {
	return register(b, name, kindValue, func() *ValueState[T] {
		return &ValueState[T]{b: b, c: c, groupMaps: newGroupMaps[T](b)}
	})
}

// Get returns the current key's value and whether it is set.
func (s *ValueState[T]) Get() (T, bool) {
	g, k := s.b.slot()
	v, ok := s.groups[g][k]
	return v, ok
}

// Set sets the current key's value.
func (s *ValueState[T]) Set(v T) {
	g, k := s.b.slot()
	s.put(g, k, v)
}

// Clear removes the current key's value.
func (s *ValueState[T]) Clear() {
	g, k := s.b.slot()
	delete(s.groups[g], k)
}

func (s *ValueState[T]) kind() byte { return kindValue }

func (s *ValueState[T]) encodeGroup(dst []byte, g int) ([]byte, int) {
	m := s.groups[g]
	if len(m) == 0 {
		return dst, 0
	}
	dst = binary.AppendUvarint(dst, uint64(len(m)))
	var tmp []byte
	for k, v := range m {
		dst = appendBytes(dst, []byte(k))
		tmp = s.c.Append(tmp[:0], v)
		dst = appendBytes(dst, tmp)
	}
	return dst, len(m)
}

func (s *ValueState[T]) decodeGroup(g int, d *decoder) error {
	if err := checkGroup(g, len(s.groups)); err != nil {
		return err
	}
	n, err := d.count()
	if err != nil {
		return err
	}
	for range n {
		k, err := d.bytes()
		if err != nil {
			return err
		}
		raw, err := d.bytes()
		if err != nil {
			return err
		}
		v, err := s.c.Decode(raw)
		if err != nil {
			return fmt.Errorf("key %q: %w", k, err)
		}
		s.put(g, string(k), v)
	}
	return nil
}

// ListState is a list of values of type T per key.
type ListState[T any] struct {
	b *Backend
	c Codec[T]
	groupMaps[[]T]
}

// NewListState registers (or returns) list state name of b.
func NewListState[T any](b *Backend, name string, c Codec[T]) (*ListState[T], error) {
	return register(b, name, kindList, func() *ListState[T] {
		return &ListState[T]{b: b, c: c, groupMaps: newGroupMaps[[]T](b)}
	})
}

// Get returns the current key's list (nil when empty). The slice is owned
// by the state: do not keep it across updates.
func (s *ListState[T]) Get() []T {
	g, k := s.b.slot()
	return s.groups[g][k]
}

// Add appends v to the current key's list.
func (s *ListState[T]) Add(v T) {
	g, k := s.b.slot()
	s.put(g, k, append(s.groups[g][k], v))
}

// Update replaces the current key's list with a copy of vs (empty clears).
func (s *ListState[T]) Update(vs []T) {
	g, k := s.b.slot()
	if len(vs) == 0 {
		delete(s.groups[g], k)
		return
	}
	s.put(g, k, append([]T(nil), vs...))
}

// Clear removes the current key's list.
func (s *ListState[T]) Clear() {
	g, k := s.b.slot()
	delete(s.groups[g], k)
}

func (s *ListState[T]) kind() byte { return kindList }

func (s *ListState[T]) encodeGroup(dst []byte, g int) ([]byte, int) {
	m := s.groups[g]
	if len(m) == 0 {
		return dst, 0
	}
	dst = binary.AppendUvarint(dst, uint64(len(m)))
	var tmp []byte
	for k, vs := range m {
		dst = appendBytes(dst, []byte(k))
		dst = binary.AppendUvarint(dst, uint64(len(vs)))
		for _, v := range vs {
			tmp = s.c.Append(tmp[:0], v)
			dst = appendBytes(dst, tmp)
		}
	}
	return dst, len(m)
}

func (s *ListState[T]) decodeGroup(g int, d *decoder) error {
	if err := checkGroup(g, len(s.groups)); err != nil {
		return err
	}
	n, err := d.count()
	if err != nil {
		return err
	}
	for range n {
		k, err := d.bytes()
		if err != nil {
			return err
		}
		m, err := d.count()
		if err != nil {
			return err
		}
		vs := make([]T, 0, m)
		for range m {
			raw, err := d.bytes()
			if err != nil {
				return err
			}
			v, err := s.c.Decode(raw)
			if err != nil {
				return fmt.Errorf("key %q: %w", k, err)
			}
			vs = append(vs, v)
		}
		s.put(g, string(k), vs)
	}
	return nil
}

// MapState is a map from K to V per key.
type MapState[K comparable, V any] struct {
	b  *Backend
	kc Codec[K]
	vc Codec[V]
	groupMaps[map[K]V]
}

// NewMapState registers (or returns) map state name of b.
func NewMapState[K comparable, V any](b *Backend, name string, kc Codec[K], vc Codec[V]) (*MapState[K, V], error) {
	return register(b, name, kindMap, func() *MapState[K, V] {
		return &MapState[K, V]{b: b, kc: kc, vc: vc, groupMaps: newGroupMaps[map[K]V](b)}
	})
}

// Get returns the value of k under the current key.
func (s *MapState[K, V]) Get(k K) (V, bool) {
	g, key := s.b.slot()
	v, ok := s.groups[g][key][k]
	return v, ok
}

// Put sets k to v under the current key.
func (s *MapState[K, V]) Put(k K, v V) {
	g, key := s.b.slot()
	m := s.groups[g][key]
	if m == nil {
		m = map[K]V{}
		s.put(g, key, m)
	}
	m[k] = v
}

// Delete removes k under the current key.
func (s *MapState[K, V]) Delete(k K) {
	g, key := s.b.slot()
	m := s.groups[g][key]
	delete(m, k)
	if len(m) == 0 {
		delete(s.groups[g], key)
	}
}

// Len returns the number of entries under the current key.
func (s *MapState[K, V]) Len() int {
	g, key := s.b.slot()
	return len(s.groups[g][key])
}

// All calls fn for every entry under the current key (in no particular
// order) until fn returns false. fn must not modify the state.
func (s *MapState[K, V]) All(fn func(k K, v V) bool) {
	g, key := s.b.slot()
	for k, v := range s.groups[g][key] {
		if !fn(k, v) {
			return
		}
	}
}

// Clear removes every entry under the current key.
func (s *MapState[K, V]) Clear() {
	g, key := s.b.slot()
	delete(s.groups[g], key)
}

func (s *MapState[K, V]) kind() byte { return kindMap }

func (s *MapState[K, V]) encodeGroup(dst []byte, g int) ([]byte, int) {
	m := s.groups[g]
	if len(m) == 0 {
		return dst, 0
	}
	dst = binary.AppendUvarint(dst, uint64(len(m)))
	var tmp []byte
	for key, mm := range m {
		dst = appendBytes(dst, []byte(key))
		dst = binary.AppendUvarint(dst, uint64(len(mm)))
		for k, v := range mm {
			tmp = s.kc.Append(tmp[:0], k)
			dst = appendBytes(dst, tmp)
			tmp = s.vc.Append(tmp[:0], v)
			dst = appendBytes(dst, tmp)
		}
	}
	return dst, len(m)
}

func (s *MapState[K, V]) decodeGroup(g int, d *decoder) error {
	if err := checkGroup(g, len(s.groups)); err != nil {
		return err
	}
	n, err := d.count()
	if err != nil {
		return err
	}
	for range n {
		key, err := d.bytes()
		if err != nil {
			return err
		}
		m, err := d.count()
		if err != nil {
			return err
		}
		mm := make(map[K]V, m)
		for range m {
			rk, err := d.bytes()
			if err != nil {
				return err
			}
			rv, err := d.bytes()
			if err != nil {
				return err
			}
			k, err := s.kc.Decode(rk)
			if err != nil {
				return fmt.Errorf("key %q: map key: %w", key, err)
			}
			v, err := s.vc.Decode(rv)
			if err != nil {
				return fmt.Errorf("key %q: map value: %w", key, err)
			}
			mm[k] = v
		}
		s.put(g, string(key), mm)
	}
	return nil
}
