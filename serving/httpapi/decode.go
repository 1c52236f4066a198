package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/eddyml/eddy/internal/fastfloat"
	"github.com/eddyml/eddy/internal/trustedrec"
	"github.com/eddyml/eddy/pipeline/table"
)

// colKind is how a column's JSON values are decoded.
type colKind uint8

const (
	kFloat64 colKind = iota
	kFloat32
	kInt64
	kInt32
	kBool
	kString
	kVector
)

// plan is the immutable decoding plan of an input schema.
type plan struct {
	schema *arrow.Schema
	kinds  []colKind
	dims   []int
	index  map[string]int
	// names[c] is `"name"` (quoted), matched against row keys in place.
	quoted [][]byte
	// pool holds columns reused across requests (see columns.lease).
	pool sync.Pool
}

func newPlan(s *arrow.Schema) (*plan, error) {
	p := &plan{schema: s, kinds: make([]colKind, s.NumFields()), dims: make([]int, s.NumFields()), index: make(map[string]int, s.NumFields())}
	for i, f := range s.Fields() {
		switch f.Type.ID() {
		case arrow.FLOAT64:
			p.kinds[i] = kFloat64
		case arrow.FLOAT32:
			p.kinds[i] = kFloat32
		case arrow.INT64:
			p.kinds[i] = kInt64
		case arrow.INT32:
			p.kinds[i] = kInt32
		case arrow.BOOL:
			p.kinds[i] = kBool
		case arrow.STRING:
			p.kinds[i] = kString
		default:
			if !table.IsDenseVector(f.Type) {
				return nil, fmt.Errorf("column %q: type %s cannot be served", f.Name, f.Type)
			}
			p.kinds[i] = kVector
			p.dims[i] = int(f.Type.(*arrow.FixedSizeListType).Len())
		}
		if _, dup := p.index[f.Name]; dup {
			return nil, fmt.Errorf("column %q: duplicate name", f.Name)
		}
		p.index[f.Name] = i
		p.quoted = append(p.quoted, appendJSONString(nil, f.Name))
	}
	return p, nil
}

// want names the JSON a kind accepts, for error messages.
func (k colKind) want() string {
	switch k {
	case kInt64, kInt32:
		return "integer"
	case kBool:
		return "boolean"
	case kString:
		return "string"
	case kVector:
		return "array of numbers"
	}
	return "number"
}

// columns accumulates one request's values, column by column. A plan
// pools its columns: float64 columns append into one slab (column c at
// slab[c*slabRows:]), which the request's record wraps without copying;
// the columns go back to the pool when the last column array of that
// record is released (a model that keeps one keeps the slab: it is then
// garbage collected, never reused under it).
type columns struct {
	p     *plan
	rows  int
	f64   [][]float64
	i64   [][]int64
	bools [][]bool
	strs  [][]string
	valid [][]bool // nil until the column's first null
	seen  []int    // row+1 of the last value set per column

	slab     []float64 // float64 columns' values, slabRows per column
	slabRows int
	bufs     []*memory.Buffer // backing of the arrays' buffer lists
	leased   atomic.Int32     // slab buffers not yet freed
}

// maxSlabBytes bounds the slab kept in the pool.
const maxSlabBytes = 16 << 20

// newColumns returns empty columns of p for about rows rows (a hint).
func newColumns(p *plan, rows int) *columns {
	if cs, ok := p.pool.Get().(*columns); ok {
		if rows > cs.slabRows && slabFits(p, rows) {
			cs.reset(rows)
		}
		return cs
	}
	n := len(p.kinds)
	cs := &columns{p: p, f64: make([][]float64, n), i64: make([][]int64, n), bools: make([][]bool, n),
		strs: make([][]string, n), valid: make([][]bool, n), seen: make([]int, n), bufs: make([]*memory.Buffer, 2*n)}
	cs.reset(1)
	if slabFits(p, rows) {
		cs.reset(rows)
	}
	return cs
}

func slabFits(p *plan, rows int) bool { return rows*len(p.kinds)*8 <= maxSlabBytes }

// reset empties cs for a request of about rows rows.
func (cs *columns) reset(rows int) {
	cs.rows = 0
	if rows > cs.slabRows || cs.slab == nil {
		cs.slabRows = max(rows, cs.slabRows)
		cs.slab = make([]float64, cs.slabRows*len(cs.p.kinds))
	}
	// Only the slices of each column's kind hold values (and the
	// writes of the others would cost a GC write barrier each).
	for c, k := range cs.p.kinds {
		switch k {
		case kFloat64:
			if v := cs.f64[c]; cap(v) == cs.slabRows && &v[:1][0] == &cs.slab[c*cs.slabRows] {
				cs.f64[c] = cs.f64[c][:0] // still on the slab: no pointer write
			} else {
				cs.f64[c] = cs.slab[c*cs.slabRows : c*cs.slabRows : (c+1)*cs.slabRows]
			}
		case kFloat32, kVector:
			cs.f64[c] = cs.f64[c][:0]
		case kInt64, kInt32:
			cs.i64[c] = cs.i64[c][:0]
		case kBool:
			cs.bools[c] = cs.bools[c][:0]
		case kString:
			clear(cs.strs[c])
			cs.strs[c] = cs.strs[c][:0]
		}
		if cs.valid[c] != nil {
			cs.valid[c] = nil
		}
	}
	clear(cs.seen)
}

// Allocate, Reallocate and Free make columns the memory.Allocator of its
// slab buffer: Free is called once the record and everything that
// retained its float64 columns are released.
func (cs *columns) Allocate(n int) []byte { return make([]byte, n) }

func (cs *columns) Reallocate(n int, b []byte) []byte {
	out := make([]byte, n)
	copy(out, b)
	return out
}

func (cs *columns) Free([]byte) {
	if cs.leased.Add(-1) == 0 {
		cs.recycle()
	}
}

func (cs *columns) recycle() {
	// The next request likely has as many rows as this one.
	if cs.rows > cs.slabRows && slabFits(cs.p, cs.rows) {
		cs.slabRows = cs.rows
		cs.slab = nil
	}
	cs.reset(cs.slabRows)
	cs.p.pool.Put(cs)
}

// inSlab reports whether column c's values still live in the slab (an
// append beyond slabRows moved them).
func (cs *columns) inSlab(c int) bool {
	v := cs.f64[c]
	return len(v) > 0 && cs.slabRows > 0 && &v[0] == &cs.slab[c*cs.slabRows]
}

// appendNull adds a null (a zero value) to column c.
func (cs *columns) appendNull(c int) {
	if cs.valid[c] == nil {
		cs.valid[c] = make([]bool, cs.rows, cs.rows+1)
		for i := range cs.valid[c] {
			cs.valid[c][i] = true
		}
	}
	cs.valid[c] = append(cs.valid[c], false)
	switch cs.p.kinds[c] {
	case kFloat64, kFloat32:
		cs.f64[c] = append(cs.f64[c], 0)
	case kInt64, kInt32:
		cs.i64[c] = append(cs.i64[c], 0)
	case kBool:
		cs.bools[c] = append(cs.bools[c], false)
	case kString:
		cs.strs[c] = append(cs.strs[c], "")
	case kVector:
		cs.f64[c] = append(cs.f64[c], make([]float64, cs.p.dims[c])...)
	}
}

func (cs *columns) markValid(c int) {
	if cs.valid[c] != nil {
		cs.valid[c] = append(cs.valid[c], true)
	}
}

// record builds the Arrow record; the caller owns one Release. cs
// belongs to the record from then on (see columns).
func (cs *columns) record(mem memory.Allocator) (arrow.Record, error) {
	cols := make([]arrow.Array, 0, len(cs.p.kinds))
	owned := false // the record took our references to cols
	defer func() {
		if !owned {
			for _, c := range cols {
				c.Release()
			}
		}
	}()
	var slabBuf *memory.Buffer
	if cs.rows > 0 {
		slabBuf = memory.NewBufferWithAllocator(arrow.Float64Traits.CastToBytes(cs.slab), cs)
		cs.leased.Store(1)
		defer slabBuf.Release() // our reference: Free runs after the arrays'
	}
	for c, k := range cs.p.kinds {
		if k == kFloat64 && cs.valid[c] == nil {
			// Zero copy: wrap the slab (or the Go slice an append moved
			// the column to, garbage collected).
			vals := cs.f64[c]
			bufs := cs.bufs[2*c : 2*c+2 : 2*c+2]
			off := 0
			if cs.inSlab(c) {
				bufs[1], off = slabBuf, c*cs.slabRows
			} else {
				bufs[1] = memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(vals))
			}
			// Fresh arrays every time: arrow's Data.Release frees its
			// buffers (our Free, which pools cs) before it clears its
			// own fields, so a pooled array could be reset under a
			// release still running.
			data := array.NewData(arrow.PrimitiveTypes.Float64, len(vals), bufs, nil, 0, off)
			cols = append(cols, array.NewFloat64Data(data))
			data.Release()
			continue
		}
		b := array.NewBuilder(mem, cs.p.schema.Field(c).Type)
		switch k {
		case kFloat64:
			b.(*array.Float64Builder).AppendValues(cs.f64[c], cs.valid[c])
		case kFloat32:
			fb := b.(*array.Float32Builder)
			fb.Reserve(cs.rows)
			for i, v := range cs.f64[c] {
				if cs.valid[c] != nil && !cs.valid[c][i] {
					fb.AppendNull()
				} else {
					fb.UnsafeAppend(float32(v))
				}
			}
		case kInt64:
			b.(*array.Int64Builder).AppendValues(cs.i64[c], cs.valid[c])
		case kInt32:
			ib := b.(*array.Int32Builder)
			ib.Reserve(cs.rows)
			for i, v := range cs.i64[c] {
				if cs.valid[c] != nil && !cs.valid[c][i] {
					ib.AppendNull()
				} else {
					ib.UnsafeAppend(int32(v))
				}
			}
		case kBool:
			b.(*array.BooleanBuilder).AppendValues(cs.bools[c], cs.valid[c])
		case kString:
			b.(*array.StringBuilder).AppendValues(cs.strs[c], cs.valid[c])
		case kVector:
			lb := b.(*array.FixedSizeListBuilder)
			lb.ValueBuilder().(*array.Float64Builder).AppendValues(cs.f64[c], nil)
			if cs.valid[c] != nil {
				lb.AppendValues(cs.valid[c])
			} else {
				for range cs.rows {
					lb.Append(true)
				}
			}
		}
		cols = append(cols, b.NewArray())
		b.Release()
	}
	if slabBuf == nil {
		cs.recycle() // nothing wraps cs: the builders copied
	}
	// Columns made above from the plan's schema: skip array.NewRecord's
	// reflect.DeepEqual type check per column, and hand the record our
	// references.
	rec, err := trustedrec.Own(cs.p.schema, cols, int64(cs.rows))
	owned = err == nil
	return rec, err
}

// scanner is a minimal JSON reader over a byte slice.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// eat consumes c (after whitespace) or reports false.
func (s *scanner) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// kindName names the JSON value starting at the current position.
func (s *scanner) kindName() string {
	switch c := s.peek(); {
	case c == '"':
		return "string"
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	case c == '-' || c >= '0' && c <= '9':
		return "number"
	case c == 0:
		return "end of input"
	}
	return fmt.Sprintf("%q", s.b[s.i])
}

func (s *scanner) syntax(what string) *Error {
	if s.i >= len(s.b) {
		return errorf(CodeBadJSON, "invalid JSON: unexpected end of input, want %s", what)
	}
	return errorf(CodeBadJSON, "invalid JSON at offset %d: want %s, got %s", s.i, what, s.kindName())
}

// str reads a string; the result may alias the input.
func (s *scanner) str() ([]byte, *Error) {
	if !s.eat('"') {
		return nil, s.syntax("string")
	}
	start := s.i
	esc := false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			if !esc {
				if !utf8.Valid(raw) {
					return nil, errorf(CodeBadJSON, "invalid JSON at offset %d: string is not UTF-8", start)
				}
				return raw, nil
			}
			var out string
			if err := json.Unmarshal(s.b[start-1:s.i], &out); err != nil {
				return nil, errorf(CodeBadJSON, "invalid JSON at offset %d: %v", start, err)
			}
			return []byte(out), nil
		case c == '\\':
			esc = true
			s.i += 2
			continue
		case c < 0x20:
			return nil, errorf(CodeBadJSON, "invalid JSON at offset %d: control character in string", s.i)
		}
		s.i++
	}
	s.i = len(s.b)
	return nil, s.syntax("closing quote")
}

// numLit reads a number literal's bytes, checking JSON number syntax.
func (s *scanner) numLit() ([]byte, bool) {
	s.ws()
	start := s.i
	b := s.b
	i := s.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else if digits() == 0 {
		return nil, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return nil, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	s.i = i
	return b[start:i], true
}

func (s *scanner) lit(word string) bool {
	s.ws()
	if bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		s.i += len(word)
		return true
	}
	return false
}

// skip reads any value, up to depth levels of nesting.
func (s *scanner) skip(depth int) *Error {
	if depth > 64 {
		return errorf(CodeBadJSON, "invalid JSON at offset %d: nested more than 64 levels", s.i)
	}
	switch s.peek() {
	case '"':
		_, err := s.str()
		return err
	case '{':
		s.i++
		if s.eat('}') {
			return nil
		}
		for {
			if _, err := s.str(); err != nil {
				return err
			}
			if !s.eat(':') {
				return s.syntax("':'")
			}
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			if s.eat('}') {
				return nil
			}
			if !s.eat(',') {
				return s.syntax("',' or '}'")
			}
		}
	case '[':
		s.i++
		if s.eat(']') {
			return nil
		}
		for {
			if err := s.skip(depth + 1); err != nil {
				return err
			}
			if s.eat(']') {
				return nil
			}
			if !s.eat(',') {
				return s.syntax("',' or ']'")
			}
		}
	case 't':
		if s.lit("true") {
			return nil
		}
	case 'f':
		if s.lit("false") {
			return nil
		}
	case 'n':
		if s.lit("null") {
			return nil
		}
	default:
		if _, ok := s.numLit(); ok {
			return nil
		}
	}
	return s.syntax("a value")
}

func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// decodeInstances reads {"instances":[{col: value}...]} (other top-level
// keys are ignored) into a record of p's schema, or of a schema inferred
// from the first row when p is nil. The caller owns one Release.
func decodeInstances(body []byte, p *plan, maxRows int, mem memory.Allocator) (arrow.Record, *Error) {
	cs, e := decodeColumns(body, p, maxRows)
	if e != nil {
		return nil, e
	}
	rec, err := cs.record(mem)
	if err != nil {
		return nil, errorf(CodeInternal, "build batch: %v", err)
	}
	return rec, nil
}

// decodeColumns reads {"instances":[...]} as decodeInstances does, into
// columns that the caller turns into a record (columns.record) or hands
// back to the pool (columns.recycle).
func decodeColumns(body []byte, p *plan, maxRows int) (*columns, *Error) {
	s := &scanner{b: body}
	if !s.eat('{') {
		return nil, s.syntax("an object {\"instances\": [...]}")
	}
	var cs *columns
	found := false
	if !s.eat('}') {
		for {
			key, err := s.str()
			if err != nil {
				return nil, err
			}
			if !s.eat(':') {
				return nil, s.syntax("':'")
			}
			if string(key) == "instances" {
				if found {
					return nil, errorf(CodeBadJSON, "instances: given twice")
				}
				found = true
				if cs, err = s.instances(p, maxRows); err != nil {
					return nil, err
				}
			} else if err := s.skip(0); err != nil {
				return nil, err
			}
			if s.eat('}') {
				break
			}
			if !s.eat(',') {
				return nil, s.syntax("',' or '}'")
			}
		}
	}
	if s.peek() != 0 {
		return nil, s.syntax("end of input")
	}
	if !found {
		return nil, errorf(CodeNoInstances, "instances: missing")
	}
	return cs, nil
}

func (s *scanner) instances(p *plan, maxRows int) (*columns, *Error) {
	if !s.eat('[') {
		return nil, errorf(CodeBadJSON, "instances: want array, got %s", s.kindName())
	}
	if s.eat(']') {
		return nil, errorf(CodeNoInstances, "instances: empty")
	}
	if p == nil {
		save := s.i
		ip, err := s.inferRow()
		if err != nil {
			return nil, err
		}
		s.i = save
		p = ip
	}
	cs := newColumns(p, 1)
	for row := 0; ; row++ {
		if row >= maxRows {
			return nil, errorf(CodeTooManyRows, "instances: more than %d rows (the limit)", maxRows)
		}
		if err := s.row(cs, row); err != nil {
			return nil, err
		}
		if s.eat(']') {
			return cs, nil
		}
		if !s.eat(',') {
			return nil, s.syntax("',' or ']' after instances[" + strconv.Itoa(row) + "]")
		}
	}
}

// inferRow reads the first row and infers a schema from its values.
func (s *scanner) inferRow() (*plan, *Error) {
	if !s.eat('{') {
		return nil, errorf(CodeBadJSON, "instances[0]: want object, got %s", s.kindName())
	}
	var fields []arrow.Field
	seen := map[string]bool{}
	if !s.eat('}') {
		for {
			key, err := s.str()
			if err != nil {
				return nil, err
			}
			name := string(key)
			if !s.eat(':') {
				return nil, s.syntax("':'")
			}
			var t arrow.DataType
			switch s.peek() {
			case '"':
				t = arrow.BinaryTypes.String
			case 't', 'f':
				t = arrow.FixedWidthTypes.Boolean
			case '[':
				save := s.i
				s.i++
				n := 0
				if !s.eat(']') {
					for {
						if _, ok := s.numLit(); !ok {
							return nil, errorf(CodeWrongType, "instances[0].%s[%d]: want number, got %s", name, n, s.kindName())
						}
						n++
						if s.eat(']') {
							break
						}
						if !s.eat(',') {
							return nil, s.syntax("',' or ']'")
						}
					}
				}
				if n == 0 {
					return nil, errorf(CodeInvalidValue, "instances[0].%s: empty array", name)
				}
				s.i = save
				t = table.DenseVectorType(n)
			case '{':
				return nil, errorf(CodeWrongType, "instances[0].%s: want number, string, boolean or array, got object", name)
			case 'n':
				return nil, errorf(CodeInvalidValue, "instances[0].%s: null not allowed (the model declares no input schema to type it)", name)
			default:
				t = arrow.PrimitiveTypes.Float64
			}
			if err := s.skip(0); err != nil {
				return nil, err
			}
			if seen[name] {
				return nil, errorf(CodeBadJSON, "instances[0].%s: given twice", name)
			}
			seen[name] = true
			fields = append(fields, arrow.Field{Name: name, Type: t})
			if s.eat('}') {
				break
			}
			if !s.eat(',') {
				return nil, s.syntax("',' or '}'")
			}
		}
	}
	if len(fields) == 0 {
		return nil, errorf(CodeMissingFeature, "instances[0]: no columns")
	}
	p, err := newPlan(arrow.NewSchema(fields, nil))
	if err != nil {
		return nil, errorf(CodeBadJSON, "instances[0]: %v", err)
	}
	return p, nil
}

func (s *scanner) row(cs *columns, row int) *Error {
	if !s.eat('{') {
		return errorf(CodeWrongType, "instances[%d]: want object, got %s", row, s.kindName())
	}
	p := cs.p
	guess := 0 // rows usually list columns in schema order: try that first
	if !s.eat('}') {
		for {
			var c int
			var ok bool
			var key []byte
			s.ws()
			if q := p.quoted; guess < len(q) && bytes.HasPrefix(s.b[s.i:], q[guess]) {
				// The key is the next column's name, in place.
				key = q[guess][1 : len(q[guess])-1]
				s.i += len(q[guess])
				c, ok = guess, true
			} else {
				var err *Error
				if key, err = s.str(); err != nil {
					return err
				}
				c, ok = p.index[unsafeString(key)]
			}
			if !s.eat(':') {
				return s.syntax("':'")
			}
			guess = c + 1
			if !ok {
				if err := s.skip(0); err != nil {
					return err
				}
			} else {
				if cs.seen[c] == row+1 {
					return errorf(CodeBadJSON, "instances[%d].%s: given twice", row, key)
				}
				// The common case inline: a plain number for a float64
				// column (value handles the rest, and errors).
				done := false
				if p.kinds[c] == kFloat64 {
					var v float64
					if v, done = s.fastNumber(); done {
						cs.f64[c] = append(cs.f64[c], v)
						cs.markValid(c)
					}
				}
				if !done {
					if err := s.value(cs, c, row); err != nil {
						return err
					}
				}
				cs.seen[c] = row + 1
			}
			if s.eat('}') {
				break
			}
			if !s.eat(',') {
				return s.syntax("',' or '}'")
			}
		}
	}
	for c, last := range cs.seen {
		if last == row+1 {
			continue
		}
		// An absent feature is an error even when the column is nullable:
		// a misspelt or forgotten name must not pass as a missing value.
		// A missing value is sent as null.
		f := p.schema.Field(c)
		if f.Nullable {
			return errorf(CodeMissingFeature, "instances[%d].%s: missing feature (send null for a missing value)", row, f.Name)
		}
		return errorf(CodeMissingFeature, "instances[%d].%s: missing feature", row, f.Name)
	}
	cs.rows++
	return nil
}

func (s *scanner) value(cs *columns, c, row int) *Error {
	p := cs.p
	k := p.kinds[c]
	name := p.schema.Field(c).Name
	if s.peek() == 'n' {
		if !s.lit("null") {
			return s.syntax("a value")
		}
		if !p.schema.Field(c).Nullable {
			return errorf(CodeInvalidValue, "instances[%d].%s: null not allowed", row, name)
		}
		cs.appendNull(c)
		return nil
	}
	switch k {
	case kFloat64, kFloat32:
		v, err := s.float(row, name, -1)
		if err != nil {
			return err
		}
		if k == kFloat32 && math.Abs(v) > math.MaxFloat32 {
			return errorf(CodeInvalidValue, "instances[%d].%s: %g overflows float32", row, name, v)
		}
		cs.f64[c] = append(cs.f64[c], v)
	case kInt64, kInt32:
		lit, ok := s.numLit()
		if !ok {
			return errorf(CodeWrongType, "instances[%d].%s: want integer, got %s", row, name, s.kindName())
		}
		v, err := strconv.ParseInt(unsafeString(lit), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(unsafeString(lit), 64)
			if ferr != nil || f != math.Trunc(f) || math.Abs(f) >= 1<<63 {
				return errorf(CodeInvalidValue, "instances[%d].%s: want integer, got %s", row, name, lit)
			}
			v = int64(f)
		}
		if k == kInt32 && (v > math.MaxInt32 || v < math.MinInt32) {
			return errorf(CodeInvalidValue, "instances[%d].%s: %d overflows int32", row, name, v)
		}
		cs.i64[c] = append(cs.i64[c], v)
	case kBool:
		switch {
		case s.lit("true"):
			cs.bools[c] = append(cs.bools[c], true)
		case s.lit("false"):
			cs.bools[c] = append(cs.bools[c], false)
		default:
			return errorf(CodeWrongType, "instances[%d].%s: want boolean, got %s", row, name, s.kindName())
		}
	case kString:
		if s.peek() != '"' {
			return errorf(CodeWrongType, "instances[%d].%s: want string, got %s", row, name, s.kindName())
		}
		b, err := s.str()
		if err != nil {
			return err
		}
		cs.strs[c] = append(cs.strs[c], string(b))
	case kVector:
		if !s.eat('[') {
			return errorf(CodeWrongType, "instances[%d].%s: want array of numbers, got %s", row, name, s.kindName())
		}
		dim := p.dims[c]
		n := 0
		if !s.eat(']') {
			for {
				v, err := s.float(row, name, n)
				if err != nil {
					return err
				}
				if n < dim {
					cs.f64[c] = append(cs.f64[c], v)
				}
				n++
				if s.eat(']') {
					break
				}
				if !s.eat(',') {
					return s.syntax("',' or ']'")
				}
			}
		}
		if n != dim {
			return errorf(CodeInvalidValue, "instances[%d].%s: want %d values, got %d", row, name, dim, n)
		}
	}
	cs.markValid(c)
	return nil
}

// float reads a number for row.name (element elem of a vector, or -1).
func (s *scanner) float(row int, name string, elem int) (float64, *Error) {
	where := func() string {
		if elem >= 0 {
			return fmt.Sprintf("instances[%d].%s[%d]", row, name, elem)
		}
		return fmt.Sprintf("instances[%d].%s", row, name)
	}
	if v, ok := s.fastNumber(); ok {
		return v, nil
	}
	lit, ok := s.numLit()
	if !ok {
		if s.peek() == '"' {
			// "NaN", "Infinity": named so the message says why.
			save := s.i
			if b, err := s.str(); err == nil {
				switch string(b) {
				case "NaN", "nan", "Infinity", "-Infinity", "inf", "-inf":
					return 0, errorf(CodeInvalidValue, "%s: %s not allowed", where(), b)
				}
			}
			s.i = save
		}
		return 0, errorf(CodeWrongType, "%s: want number, got %s", where(), s.kindName())
	}
	v, ok := parseNumber(lit)
	if !ok {
		return 0, errorf(CodeInvalidValue, "%s: %s out of range", where(), lit)
	}
	return v, nil
}

// pow10 holds the powers of ten that are exact in a float64.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastNumber reads the common JSON number, -?(0|[1-9][0-9]*)(.[0-9]+)?
// with at most 18 digits and no exponent, checking its syntax and
// computing its value in one pass (Clinger's fast path: a mantissa below
// 2^53 divided by an exact power of ten is correctly rounded, the value
// strconv.ParseFloat gives). Anything else reports false without
// consuming input, for numLit and parseNumber to handle.
func (s *scanner) fastNumber() (float64, bool) {
	s.ws()
	b, i := s.b, s.i
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	if i >= len(b) {
		return 0, false
	}
	var mant uint64
	nd := 0
	switch c := b[i]; {
	case c == '0':
		i++
	case c >= '1' && c <= '9':
		for i < len(b) {
			d := b[i] - '0'
			if d > 9 {
				break
			}
			mant = mant*10 + uint64(d)
			i++
			nd++
		}
	default:
		return 0, false
	}
	frac := 0
	if i < len(b) && b[i] == '.' {
		i++
		fs := i
		for i < len(b) {
			d := b[i] - '0'
			if d > 9 {
				break
			}
			mant = mant*10 + uint64(d)
			i++
		}
		frac = i - fs
		if frac == 0 {
			return 0, false
		}
	}
	if nd+frac > 18 || frac > 22 || mant>>53 != 0 || i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		return 0, false
	}
	f := float64(mant) / pow10[frac]
	if neg {
		f = -f
	}
	s.i = i
	return f, true
}

// parseNumber parses a number literal numLit checked; false when it is
// out of the float64 range.
func parseNumber(lit []byte) (float64, bool) {
	if v, j, ok := fastfloat.Float(lit, 0); ok && j == len(lit) {
		return v, true
	}
	v, err := strconv.ParseFloat(unsafeString(lit), 64)
	return v, err == nil
}

type memoryAllocator = memory.Allocator

func vectorType(n int) arrow.DataType { return table.DenseVectorType(n) }
