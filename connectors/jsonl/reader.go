package jsonl

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/eddyml/eddy/connectors"
)

// Kind is the format's registered kind name.
const Kind = "jsonl"

const (
	// DefaultInferRows is how many lines schema inference looks at.
	DefaultInferRows = 1000
	// DefaultMaxLineBytes bounds one line; a longer line is a bad row.
	DefaultMaxLineBytes = 64 << 20
)

func init() {
	connectors.Register(connectors.Format{
		Kind:       Kind,
		Extensions: []string{".jsonl", ".ndjson"},
		Open: func(ctx context.Context, path string, opts connectors.ReadOptions) (connectors.Source, error) {
			return Open(ctx, path, Options{ReadOptions: opts})
		},
		Create: func(path string, schema *arrow.Schema, opts connectors.WriteOptions) (connectors.Writer, error) {
			return Create(path, schema, WriterOptions{Allocator: opts.Allocator})
		},
	})
}

// Options are the reader's settings: the common ReadOptions plus those
// of this format. Zero values mean defaults.
type Options struct {
	connectors.ReadOptions
	// InferRows is the number of lines schema inference reads
	// (DefaultInferRows). Unused when ReadOptions.Schema is set.
	InferRows int
	// IgnoreUnknown drops keys that are not columns of the schema. By
	// default such a key makes its row bad, so that nothing is dropped
	// silently.
	IgnoreUnknown bool
	// MaxLineBytes bounds one line (DefaultMaxLineBytes).
	MaxLineBytes int
}

func (o Options) withDefaults() Options {
	o.ReadOptions = o.ReadOptions.WithDefaults()
	if o.InferRows <= 0 {
		o.InferRows = DefaultInferRows
	}
	if o.MaxLineBytes <= 0 {
		o.MaxLineBytes = DefaultMaxLineBytes
	}
	return o
}

// Reader reads JSON lines into record batches of ReadOptions.BatchSize
// rows. It implements connectors.Source and table.Seeker.
type Reader struct {
	name   string
	opts   Options
	src    io.ReadCloser // nil for NewReader
	br     *bufio.Reader
	reopen func() (io.ReadCloser, io.Reader, error)

	schema *arrow.Schema
	index  map[string]int
	cols   []column
	cells  []cell
	bld    *array.RecordBuilder

	pending []rawLine // lines read by inference, not yet decoded
	line    int64     // physical lines read so far
	judged  int64     // highest line already counted as skipped
	eof     bool
	buf     []byte

	out     arrow.Record
	offset  int64
	skipped int64
	err     error
}

type rawLine struct {
	text []byte
	line int64
	err  *connectors.RowError // a line too long, seen by inference
}

// Open reads the JSON lines file at path; a name ending in ".gz" is
// decompressed.
func Open(ctx context.Context, path string, opts Options) (*Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	reopen := func() (io.ReadCloser, io.Reader, error) {
		rc, err := connectors.OpenFile(path)
		if err != nil {
			return nil, nil, err
		}
		return rc, rc, nil
	}
	rc, r, err := reopen()
	if err != nil {
		return nil, err
	}
	rd, err := newReader(path, r, reopen, opts)
	if err != nil {
		rc.Close()
		return nil, err
	}
	rd.src = rc
	return rd, nil
}

// NewReader reads JSON lines from r; name labels errors. SeekRow can
// move backwards only when r is an io.Seeker positioned at the start.
// Release does not close r.
func NewReader(name string, r io.Reader, opts Options) (*Reader, error) {
	var reopen func() (io.ReadCloser, io.Reader, error)
	if s, ok := r.(io.Seeker); ok {
		reopen = func() (io.ReadCloser, io.Reader, error) {
			if _, err := s.Seek(0, io.SeekStart); err != nil {
				return nil, nil, err
			}
			return nil, r, nil
		}
	}
	return newReader(name, r, reopen, opts)
}

func newReader(name string, r io.Reader, reopen func() (io.ReadCloser, io.Reader, error), opts Options) (*Reader, error) {
	opts = opts.withDefaults()
	rd := &Reader{name: name, opts: opts, br: bufio.NewReaderSize(r, 1<<16), reopen: reopen}
	schema := opts.Schema
	if schema == nil {
		var err error
		if schema, err = rd.infer(); err != nil {
			return nil, rd.prefix(err)
		}
	}
	if err := rd.setSchema(schema); err != nil {
		return nil, rd.prefix(err)
	}
	return rd, nil
}

func (r *Reader) prefix(err error) error {
	if r.name == "" {
		return err
	}
	return fmt.Errorf("%s: %w", r.name, err)
}

// infer reads up to InferRows lines, keeps them for decoding, and builds
// a schema from the keys it saw, in order of first appearance. Lines that
// are not JSON objects are left for the decoder to report.
func (r *Reader) infer() (*arrow.Schema, error) {
	var infos []*colInfo
	seen := map[string]*colInfo{}
	for len(r.pending) < r.opts.InferRows {
		text, ln, err := r.readLine()
		var re *connectors.RowError
		if errors.As(err, &re) {
			// A line too long: left for the decoder to report.
			r.pending = append(r.pending, rawLine{text: []byte(re.Value), line: ln, err: re})
			continue
		}
		if err != nil {
			return nil, err
		}
		if text == nil {
			break
		}
		r.pending = append(r.pending, rawLine{text: bytes.Clone(text), line: ln})
		var conflict error
		_ = eachMember(text, func(kb []byte, raw []byte) error {
			c := seen[string(kb)]
			if c == nil {
				c = &colInfo{name: string(kb)}
				seen[c.name] = c
				infos = append(infos, c)
			}
			k, n := shape(raw)
			if err := c.merge(k, n, ln); err != nil && conflict == nil {
				conflict = err
			}
			return nil
		})
		if conflict != nil {
			return nil, fmt.Errorf("infer schema: %w", conflict)
		}
	}
	fields := make([]arrow.Field, len(infos))
	for i, c := range infos {
		fields[i] = c.field()
	}
	return arrow.NewSchema(fields, nil), nil
}

// eachMember calls fn for every member of the JSON object in line, or
// returns an error when line is not one well-formed object. The key
// bytes are only valid during the call. A valid line is split by a small
// scanner; an invalid one goes through encoding/json for its error
// message.
func eachMember(line []byte, fn func(key []byte, raw []byte) error) error {
	if !json.Valid(line) {
		return eachMemberSlow(line, fn)
	}
	i := skipSpace(line, 0)
	if line[i] != '{' {
		return errNotObject
	}
	i = skipSpace(line, i+1)
	var unq []byte
	for line[i] != '}' {
		end := skipString(line, i)
		key := line[i+1 : end-1]
		if bytes.IndexByte(key, '\\') >= 0 || !utf8.Valid(key) {
			var s string
			if err := json.Unmarshal(line[i:end], &s); err != nil {
				return fmt.Errorf("invalid JSON: %w", err)
			}
			unq = append(unq[:0], s...)
			key = unq
		}
		i = skipSpace(line, end) + 1 // the colon
		i = skipSpace(line, i)
		vend := skipValue(line, i)
		if err := fn(key, line[i:vend]); err != nil {
			return err
		}
		i = skipSpace(line, vend)
		if line[i] == ',' {
			i = skipSpace(line, i+1)
		}
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] (a
// quote); b is valid JSON.
func skipString(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i]; b is
// valid JSON.
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = skipString(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

// eachMemberSlow is eachMember through encoding/json's tokenizer.
func eachMemberSlow(line []byte, fn func(key []byte, raw []byte) error) error {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errNotObject
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("invalid JSON: %w", err)
		}
		key, ok := tok.(string)
		if !ok {
			return errors.New("invalid JSON: object key is not a string")
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return &memberError{key: key, err: fmt.Errorf("invalid JSON: %w", err)}
		}
		if err := fn([]byte(key), raw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("invalid JSON: data after the object")
	}
	return nil
}

var errNotObject = errors.New("line is not a JSON object")

// memberError is an error in the value of one key.
type memberError struct {
	key string
	err error
}

func (e *memberError) Error() string { return e.err.Error() }
func (e *memberError) Unwrap() error { return e.err }

func (r *Reader) setSchema(schema *arrow.Schema) error {
	r.schema = schema
	r.index = make(map[string]int, schema.NumFields())
	r.cols = make([]column, schema.NumFields())
	r.cells = make([]cell, schema.NumFields())
	for i, f := range schema.Fields() {
		if _, dup := r.index[f.Name]; dup {
			return fmt.Errorf("schema has column %q twice", f.Name)
		}
		if err := supported(f.Type); err != nil {
			return fmt.Errorf("column %s: %w", f.Name, err)
		}
		r.index[f.Name] = i
		r.cols[i] = newColumn(f)
	}
	r.bld = array.NewRecordBuilder(r.opts.Allocator, schema)
	return nil
}

// readLine returns the next non-blank physical line (without its line
// break) and its 1-based number, or nil at the end. A line longer than
// MaxLineBytes is returned as errTooLong's rawLine via a RowError.
func (r *Reader) readLine() ([]byte, int64, error) {
	for {
		if r.eof {
			return nil, 0, nil
		}
		r.buf = r.buf[:0]
		tooLong := false
		for {
			chunk, err := r.br.ReadSlice('\n')
			if !tooLong {
				if len(r.buf)+len(chunk) > r.opts.MaxLineBytes+2 {
					tooLong = true
					r.buf = append(r.buf, chunk[:min(len(chunk), 256)]...)
				} else {
					r.buf = append(r.buf, chunk...)
				}
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				r.eof = true
				if len(r.buf) == 0 {
					return nil, 0, nil
				}
				break
			}
			if err != nil {
				return nil, 0, fmt.Errorf("after line %d: %w", r.line, err)
			}
			break
		}
		r.line++
		text := bytes.TrimSuffix(r.buf, []byte("\n"))
		text = bytes.TrimSuffix(text, []byte("\r"))
		if tooLong {
			return nil, r.line, &connectors.RowError{File: r.name, Line: r.line, Index: -1, Value: string(text),
				Err: fmt.Errorf("line longer than %d bytes", r.opts.MaxLineBytes)}
		}
		if len(bytes.TrimSpace(text)) == 0 {
			continue
		}
		return text, r.line, nil
	}
}

// nextRow decodes the next good row into r.cells. It returns false at the
// end of input or on an error (in r.err). Bad rows are skipped or fail by
// policy.
func (r *Reader) nextRow() bool {
	for {
		var text []byte
		var ln int64
		var err error
		if len(r.pending) > 0 {
			text, ln = r.pending[0].text, r.pending[0].line
			if r.pending[0].err != nil {
				err = r.pending[0].err
			}
			r.pending = r.pending[1:]
		} else {
			text, ln, err = r.readLine()
		}
		if err != nil {
			var re *connectors.RowError
			if !errors.As(err, &re) {
				r.err = r.prefix(err)
				return false
			}
			if !r.bad(re, []byte(re.Value)) {
				return false
			}
			continue
		}
		if text == nil {
			return false
		}
		if re := r.decode(text, ln); re != nil {
			if !r.bad(re, text) {
				return false
			}
			continue
		}
		return true
	}
}

// bad applies the error policy to a bad row and reports whether to go on.
func (r *Reader) bad(re *connectors.RowError, text []byte) bool {
	if r.opts.OnError != connectors.Skip {
		r.err = re
		return false
	}
	if re.Line <= r.judged {
		return true // seen before a backward seek: already counted
	}
	r.judged = re.Line
	r.skipped++
	if r.opts.DeadLetter != nil {
		if _, err := r.opts.DeadLetter.Write(append(bytes.Clone(text), '\n')); err != nil {
			r.err = r.prefix(fmt.Errorf("dead letter: %w", err))
			return false
		}
	}
	return true
}

// decode parses one line into r.cells, or describes what is wrong.
func (r *Reader) decode(text []byte, ln int64) *connectors.RowError {
	for i := range r.cells {
		r.cells[i].reset()
	}
	rowErr := func(col int, key string, value []byte, err error) *connectors.RowError {
		return &connectors.RowError{File: r.name, Line: ln, Column: key, Index: col, Value: string(value), Err: err}
	}
	var bad *connectors.RowError
	err := eachMember(text, func(kb []byte, raw []byte) error {
		i, ok := r.index[string(kb)]
		if !ok {
			if r.opts.IgnoreUnknown {
				return nil
			}
			bad = rowErr(-1, string(kb), raw, errors.New("key is not a column of the schema"))
			return bad
		}
		c := &r.cells[i]
		if c.set {
			bad = rowErr(i, r.cols[i].name, raw, errors.New("duplicate key"))
			return bad
		}
		if err := r.cols[i].parse(c, raw); err != nil {
			bad = rowErr(i, r.cols[i].name, raw, err)
			return bad
		}
		c.set = true
		return nil
	})
	if bad != nil {
		return bad
	}
	if err != nil {
		var me *memberError
		if errors.As(err, &me) {
			i, ok := r.index[me.key]
			if !ok {
				i = -1
			}
			return rowErr(i, me.key, text, err)
		}
		return rowErr(-1, "", text, err)
	}
	for i := range r.cells {
		if c := &r.cells[i]; (!c.set || c.null) && !r.cols[i].nullable {
			return rowErr(i, r.cols[i].name, nil, errors.New("missing value for a non-nullable column"))
		}
	}
	return nil
}

// Schema is the explicit or inferred schema.
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Next decodes the next batch.
func (r *Reader) Next() bool {
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
	if r.err != nil {
		return false
	}
	n := 0
	for n < r.opts.BatchSize && r.nextRow() {
		for i := range r.cols {
			r.cols[i].append(r.bld.Field(i), &r.cells[i])
		}
		n++
	}
	if r.err != nil || n == 0 {
		if n > 0 {
			r.bld.NewRecord().Release()
		}
		return false
	}
	r.out = r.bld.NewRecord()
	r.offset += int64(n)
	return true
}

// Record is the current batch, valid until the next call to Next.
func (r *Reader) Record() arrow.Record { return r.out }

// Err is the error that stopped Next (a *connectors.RowError for a bad
// row under the Fail policy), or nil at the end of the input.
func (r *Reader) Err() error { return r.err }

// Skipped is the number of bad rows dropped under the Skip policy.
func (r *Reader) Skipped() int64 { return r.skipped }

// Offset is the number of rows delivered from the start of the input.
// Bad rows skipped under the Skip policy are not rows.
func (r *Reader) Offset() int64 { return r.offset }

// SeekRow makes the next batch start at row offset (counting good rows
// only). Seeking forward decodes and drops the rows between; seeking
// backward reopens the input. Bad rows met again after a backward seek are
// not counted or dead-lettered twice.
func (r *Reader) SeekRow(offset int64) error {
	if offset < 0 {
		return fmt.Errorf("seek to row %d: negative offset", offset)
	}
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
	if offset < r.offset || r.err != nil {
		if r.reopen == nil {
			return r.prefix(fmt.Errorf("seek to row %d: the input cannot be reopened", offset))
		}
		rc, rd, err := r.reopen()
		if err != nil {
			return r.prefix(fmt.Errorf("seek to row %d: %w", offset, err))
		}
		if r.src != nil {
			r.src.Close()
		}
		r.src = rc
		r.br.Reset(rd)
		r.pending, r.line, r.eof, r.offset, r.err = nil, 0, false, 0, nil
	}
	for r.offset < offset && r.nextRow() {
		r.offset++
	}
	if r.err != nil {
		return fmt.Errorf("seek to row %d: %w", offset, r.err)
	}
	return nil
}

// Release frees the current batch and closes the input.
func (r *Reader) Release() {
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
	if r.bld != nil {
		r.bld.Release()
		r.bld = nil
	}
	if r.src != nil {
		r.src.Close()
		r.src = nil
	}
}

// column decodes JSON values of one field.
type column struct {
	name     string
	nullable bool
	typ      arrow.DataType
	fixed    int // vector length for FixedSizeList, else -1
	elems    [][]byte
}

func newColumn(f arrow.Field) column {
	c := column{name: f.Name, nullable: f.Nullable, typ: f.Type, fixed: -1}
	if t, ok := f.Type.(*arrow.FixedSizeListType); ok {
		c.fixed = int(t.Len())
	}
	return c
}

// cell is one decoded value.
type cell struct {
	set, null bool
	b         bool
	i         int64
	u         uint64
	f         float64
	s         string
	vec       []float64
	ivec      []int64
	valid     []bool
}

func (c *cell) reset() {
	c.set, c.null = false, false
	c.vec, c.ivec, c.valid = c.vec[:0], c.ivec[:0], c.valid[:0]
}

func (c *column) parse(dst *cell, raw []byte) error {
	if len(raw) == 0 {
		return errors.New("empty value")
	}
	if raw[0] == 'n' {
		if !c.nullable {
			return errors.New("null in a non-nullable column")
		}
		dst.null = true
		return nil
	}
	switch t := c.typ.(type) {
	case *arrow.BooleanType:
		switch string(raw) {
		case "true":
			dst.b = true
		case "false":
			dst.b = false
		default:
			return errors.New("want true or false")
		}
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type:
		v, err := parseInt(raw, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return err
		}
		dst.i = v
	case *arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type:
		v, err := parseUint(raw, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return err
		}
		dst.u = v
	case *arrow.Float32Type, *arrow.Float64Type:
		v, err := parseFloat(raw, t.(arrow.FixedWidthDataType).BitWidth())
		if err != nil {
			return err
		}
		dst.f = v
	case *arrow.StringType, *arrow.LargeStringType:
		switch raw[0] {
		case '"':
			if body := raw[1 : len(raw)-1]; bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
				dst.s = string(body)
			} else if err := json.Unmarshal(raw, &dst.s); err != nil {
				return fmt.Errorf("bad string: %w", err)
			}
		case '{', '[':
			dst.s = string(raw) // nested JSON kept as its text
		default:
			return errors.New("want a string")
		}
	default: // vectors
		elem := c.typ.(arrow.ListLikeType).Elem()
		if raw[0] != '[' {
			return errors.New("want an array of numbers")
		}
		elems, ok := numberArrayInto(c.elems[:0], raw)
		c.elems = elems
		if !ok {
			return errors.New("want an array of numbers")
		}
		if c.fixed >= 0 && len(elems) != c.fixed {
			return fmt.Errorf("vector of %d values, want %d", len(elems), c.fixed)
		}
		for k, e := range elems {
			if e[0] == 'n' {
				dst.valid = append(dst.valid, false)
				dst.vec = append(dst.vec, 0)
				dst.ivec = append(dst.ivec, 0)
				continue
			}
			dst.valid = append(dst.valid, true)
			switch elem.ID() {
			case arrow.INT32, arrow.INT64:
				v, err := parseInt(e, elem.(arrow.FixedWidthDataType).BitWidth())
				if err != nil {
					return fmt.Errorf("element %d: %w", k, err)
				}
				dst.ivec = append(dst.ivec, v)
				dst.vec = append(dst.vec, 0)
			default:
				v, err := parseFloat(e, elem.(arrow.FixedWidthDataType).BitWidth())
				if err != nil {
					return fmt.Errorf("element %d: %w", k, err)
				}
				dst.vec = append(dst.vec, v)
				dst.ivec = append(dst.ivec, 0)
			}
		}
	}
	return nil
}

func isNumber(raw []byte) bool {
	return len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9')
}

func parseInt(raw []byte, bits int) (int64, error) {
	if !isNumber(raw) {
		return 0, errors.New("want an integer")
	}
	if isIntegral(raw) {
		v, err := strconv.ParseInt(string(raw), 10, bits)
		if err != nil {
			return 0, fmt.Errorf("does not fit int%d", bits)
		}
		return v, nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
		return 0, errors.New("not an integer")
	}
	if lim := math.Ldexp(1, bits-1); f < -lim || f >= lim {
		return 0, fmt.Errorf("does not fit int%d", bits)
	}
	return int64(f), nil
}

func parseUint(raw []byte, bits int) (uint64, error) {
	if !isNumber(raw) {
		return 0, errors.New("want an unsigned integer")
	}
	if raw[0] == '-' {
		return 0, fmt.Errorf("negative value does not fit uint%d", bits)
	}
	if isIntegral(raw) {
		v, err := strconv.ParseUint(string(raw), 10, bits)
		if err != nil {
			return 0, fmt.Errorf("does not fit uint%d", bits)
		}
		return v, nil
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || f != math.Trunc(f) || f > 1<<53 {
		return 0, errors.New("not an integer")
	}
	if f >= math.Ldexp(1, bits) {
		return 0, fmt.Errorf("does not fit uint%d", bits)
	}
	return uint64(f), nil
}

func parseFloat(raw []byte, bits int) (float64, error) {
	if !isNumber(raw) {
		return 0, errors.New("want a number")
	}
	v, err := strconv.ParseFloat(string(raw), bits)
	if err != nil {
		return 0, fmt.Errorf("does not fit float%d", bits)
	}
	return v, nil
}

// append adds a decoded cell to the column's builder.
func (c *column) append(b array.Builder, v *cell) {
	if !v.set || v.null {
		b.AppendNull()
		return
	}
	switch b := b.(type) {
	case *array.BooleanBuilder:
		b.Append(v.b)
	case *array.Int8Builder:
		b.Append(int8(v.i))
	case *array.Int16Builder:
		b.Append(int16(v.i))
	case *array.Int32Builder:
		b.Append(int32(v.i))
	case *array.Int64Builder:
		b.Append(v.i)
	case *array.Uint8Builder:
		b.Append(uint8(v.u))
	case *array.Uint16Builder:
		b.Append(uint16(v.u))
	case *array.Uint32Builder:
		b.Append(uint32(v.u))
	case *array.Uint64Builder:
		b.Append(v.u)
	case *array.Float32Builder:
		b.Append(float32(v.f))
	case *array.Float64Builder:
		b.Append(v.f)
	case *array.StringBuilder:
		b.Append(v.s)
	case *array.LargeStringBuilder:
		b.Append(v.s)
	case array.ListLikeBuilder:
		b.Append(true)
		switch vb := b.ValueBuilder().(type) {
		case *array.Float64Builder:
			vb.AppendValues(v.vec, v.valid)
		case *array.Float32Builder:
			for k, x := range v.vec {
				if v.valid[k] {
					vb.Append(float32(x))
				} else {
					vb.AppendNull()
				}
			}
		case *array.Int64Builder:
			vb.AppendValues(v.ivec, v.valid)
		case *array.Int32Builder:
			for k, x := range v.ivec {
				if v.valid[k] {
					vb.Append(int32(x))
				} else {
					vb.AppendNull()
				}
			}
		}
	}
}
