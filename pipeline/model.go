package pipeline

import (
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/pipeline/table"
)

// ModelVersionKey is the schema metadata key of a model data record that
// holds the model version (a decimal int64). Online learners stamp each
// model they emit with WithModelVersion; SetModelData reads it back.
const ModelVersionKey = "eddy.model_version"

// ModelState holds a model's current data for concurrent use: Transform
// calls Load and works on an immutable Snapshot while SetModelData swaps
// in a new one with Set, without locks. The zero ModelState holds no
// data.
//
// # Memory
//
// Set copies the records into memory owned by the Go garbage collector
// and never releases them, so a snapshot stays valid for as long as any
// Transform holds it and a model needs no Release. The caller of Set
// keeps its own records.
type ModelState[S any] struct {
	cur atomic.Pointer[Snapshot[S]]
}

// Snapshot is one immutable version of a model's data: the records, the
// state decoded from them and the version. It must not be modified.
type Snapshot[S any] struct {
	State   S
	Version int64
	Data    []arrow.Record // garbage-collected copies; do not Release
}

// Set copies recs, reads their version (ModelVersionOf), decodes the copies
// with decode and makes the result current. On error the current data is
// unchanged. decode may keep references to the copies' memory.
func (m *ModelState[S]) Set(recs []arrow.Record, decode func(data []arrow.Record) (S, error)) error {
	version, err := ModelVersionOf(recs)
	if err != nil {
		return err
	}
	data := make([]arrow.Record, len(recs))
	for i, r := range recs {
		if r == nil {
			return fmt.Errorf("model data record %d is nil", i)
		}
		c, err := CopyRecord(goAlloc, r)
		if err != nil {
			return fmt.Errorf("model data record %d: %w", i, err)
		}
		data[i] = c
	}
	state, err := decode(data)
	if err != nil {
		return err
	}
	m.cur.Store(&Snapshot[S]{State: state, Version: version, Data: data})
	return nil
}

var goAlloc = memory.NewGoAllocator()

// Load returns the current snapshot, or nil if no data was ever set.
func (m *ModelState[S]) Load() *Snapshot[S] { return m.cur.Load() }

// ModelData returns the current records, each retained for the caller, or
// nil.
func (m *ModelState[S]) ModelData() []arrow.Record {
	snap := m.cur.Load()
	if snap == nil {
		return nil
	}
	out := make([]arrow.Record, len(snap.Data))
	for i, r := range snap.Data {
		r.Retain()
		out[i] = r
	}
	return out
}

// ModelVersion returns the version of the current data (0 when unset).
func (m *ModelState[S]) ModelVersion() int64 {
	if snap := m.cur.Load(); snap != nil {
		return snap.Version
	}
	return 0
}

// CopyRecord returns a deep copy of rec with buffers from mem. The caller
// owns one Release.
func CopyRecord(mem memory.Allocator, rec arrow.Record) (arrow.Record, error) {
	cols := make([]arrow.Array, 0, rec.NumCols())
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for i, col := range rec.Columns() {
		c, err := array.Concatenate([]arrow.Array{col}, mem)
		if err != nil {
			return nil, fmt.Errorf("copy column %q: %w", rec.ColumnName(i), err)
		}
		cols = append(cols, c)
	}
	return array.NewRecord(rec.Schema(), cols, rec.NumRows()), nil
}

// WithModelVersion returns rec with version stored in its schema metadata
// under ModelVersionKey, sharing rec's columns. The caller owns one Release.
func WithModelVersion(rec arrow.Record, version int64) arrow.Record {
	s := rec.Schema()
	md := s.Metadata()
	keys, vals := []string{}, []string{}
	for i, k := range md.Keys() {
		if k != ModelVersionKey {
			keys = append(keys, k)
			vals = append(vals, md.Values()[i])
		}
	}
	keys = append(keys, ModelVersionKey)
	vals = append(vals, strconv.FormatInt(version, 10))
	nmd := arrow.NewMetadata(keys, vals)
	return array.NewRecord(arrow.NewSchema(s.Fields(), &nmd), rec.Columns(), rec.NumRows())
}

// ModelVersionOf returns the version stored in the records' schema
// metadata, 0 if none has it. Records that disagree are an error.
func ModelVersionOf(recs []arrow.Record) (int64, error) {
	var version int64
	found := -1
	for i, r := range recs {
		if r == nil {
			continue
		}
		md := r.Schema().Metadata()
		k := md.FindKey(ModelVersionKey)
		if k < 0 {
			continue
		}
		raw := md.Values()[k]
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("model data record %d: metadata %s=%q is not an int64", i, ModelVersionKey, raw)
		}
		if found >= 0 && v != version {
			return 0, fmt.Errorf("model data records %d and %d carry versions %d and %d", found, i, version, v)
		}
		version, found = v, i
	}
	return version, nil
}

// VersionField is the field of a model version column named name.
func VersionField(name string) arrow.Field {
	return table.WithRole(arrow.Field{Name: name, Type: arrow.PrimitiveTypes.Int64}, table.RoleModelVersion)
}

// AppendField returns in with f appended, or an error if in already has a
// column named f.Name. Stages use it in OutputSchema.
func AppendField(in *arrow.Schema, f arrow.Field) (*arrow.Schema, error) {
	if len(in.FieldIndices(f.Name)) > 0 {
		return nil, fmt.Errorf("output column %q already exists in the input", f.Name)
	}
	fields := append(append(make([]arrow.Field, 0, in.NumFields()+1), in.Fields()...), f)
	md := in.Metadata()
	return arrow.NewSchema(fields, &md), nil
}

// AppendVersionColumn returns rec with an int64 column named name (role
// model_version) holding version on every row, as described by
// AppendField(rec.Schema(), VersionField(name)). rec is borrowed; the
// caller owns one Release.
func AppendVersionColumn(mem memory.Allocator, rec arrow.Record, name string, version int64) (arrow.Record, error) {
	schema, err := AppendField(rec.Schema(), VersionField(name))
	if err != nil {
		return nil, err
	}
	n := int(rec.NumRows())
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * arrow.Int64SizeBytes)
	vals := arrow.Int64Traits.CastFromBytes(buf.Bytes())
	for i := range vals {
		vals[i] = version
	}
	data := array.NewData(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	col := array.MakeFromData(data)
	data.Release()
	defer col.Release()
	cols := append(append(make([]arrow.Array, 0, rec.NumCols()+1), rec.Columns()...), col)
	return array.NewRecord(schema, cols, rec.NumRows()), nil
}
