package jsonl

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
)

// WriterOptions configure a Writer.
type WriterOptions struct {
	// Allocator is accepted for symmetry with the other formats; the
	// writer allocates no Arrow memory.
	Allocator memory.Allocator
}

// Writer writes one JSON object per line, keys in schema order. It
// implements connectors.Writer.
//
// Nulls are written as null, vectors as arrays, floats in the shortest
// form that reads back to the same value (an integral float keeps a ".0"
// so that inference reads it back as a float). JSON has no NaN or
// infinity, so a NaN or infinite value is an error naming the row and
// column; nothing is written in its place.
type Writer struct {
	name   string
	schema *arrow.Schema
	keys   [][]byte // `"name":` per column, escaped
	af     *connectors.AtomicFile
	bw     *bufio.Writer
	buf    []byte
	rows   int64
	err    error
	closed bool
}

// Create writes a JSON lines file at path atomically (temporary file,
// fsync, rename on Close); a name ending in ".gz" is compressed.
func Create(path string, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	if err := checkWritable(schema); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	af, err := connectors.CreateFile(path)
	if err != nil {
		return nil, err
	}
	w := newWriter(path, af, schema)
	w.af = af
	return w, nil
}

// NewWriter writes JSON lines to out. Close flushes but does not close out.
func NewWriter(out io.Writer, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	if err := checkWritable(schema); err != nil {
		return nil, err
	}
	return newWriter("", out, schema), nil
}

func newWriter(name string, out io.Writer, schema *arrow.Schema) *Writer {
	w := &Writer{name: name, schema: schema, bw: bufio.NewWriterSize(out, 1<<16)}
	for i, f := range schema.Fields() {
		var k []byte
		if i > 0 {
			k = append(k, ',')
		}
		k = appendString(k, f.Name)
		w.keys = append(w.keys, append(k, ':'))
	}
	return w
}

func checkWritable(schema *arrow.Schema) error {
	if schema == nil {
		return errors.New("jsonl writer: nil schema")
	}
	for _, f := range schema.Fields() {
		if err := writable(f.Type); err != nil {
			return fmt.Errorf("jsonl writer: column %s: %w", f.Name, err)
		}
	}
	return nil
}

func writable(t arrow.DataType) error {
	switch t := t.(type) {
	case *arrow.BooleanType, *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
		*arrow.Float32Type, *arrow.Float64Type, *arrow.StringType, *arrow.LargeStringType, *arrow.NullType:
		return nil
	case arrow.ListLikeType:
		if _, isMap := t.(*arrow.MapType); isMap {
			break
		}
		return writable(t.Elem())
	case *arrow.StructType:
		for _, f := range t.Fields() {
			if err := writable(f.Type); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("type %s cannot be written as JSON", t)
}

func (w *Writer) prefix(err error) error {
	if w.name == "" {
		return err
	}
	return fmt.Errorf("%s: %w", w.name, err)
}

// Write appends rec's rows. rec must have the writer's column names and
// types.
func (w *Writer) Write(rec arrow.Record) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return w.prefix(errors.New("jsonl writer: write after close"))
	}
	if err := sameFields(w.schema, rec.Schema()); err != nil {
		return w.prefix(fmt.Errorf("record at row %d: %w", w.rows, err))
	}
	cols := rec.Columns()
	for i := 0; i < int(rec.NumRows()); i++ {
		b := append(w.buf[:0], '{')
		for c, col := range cols {
			b = append(b, w.keys[c]...)
			var err error
			if b, err = appendValue(b, col, i); err != nil {
				w.err = w.prefix(fmt.Errorf("row %d, column %s: %w", w.rows+int64(i), w.schema.Field(c).Name, err))
				return w.err
			}
		}
		b = append(b, '}', '\n')
		w.buf = b
		if _, err := w.bw.Write(b); err != nil {
			w.err = w.prefix(err)
			return w.err
		}
	}
	w.rows += rec.NumRows()
	return nil
}

// Close flushes and, for Create, syncs and renames the file into place.
// After a failed Write the file is discarded and Close returns that error.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	if w.err == nil {
		if err := w.bw.Flush(); err != nil {
			w.err = w.prefix(err)
		}
	}
	if w.af != nil {
		if w.err != nil {
			w.af.Abort()
		} else if err := w.af.Close(); err != nil {
			w.err = err
		}
	}
	return w.err
}

func appendValue(b []byte, arr arrow.Array, i int) ([]byte, error) {
	if arr.IsNull(i) {
		return append(b, "null"...), nil
	}
	switch a := arr.(type) {
	case *array.Boolean:
		return strconv.AppendBool(b, a.Value(i)), nil
	case *array.Int8:
		return strconv.AppendInt(b, int64(a.Value(i)), 10), nil
	case *array.Int16:
		return strconv.AppendInt(b, int64(a.Value(i)), 10), nil
	case *array.Int32:
		return strconv.AppendInt(b, int64(a.Value(i)), 10), nil
	case *array.Int64:
		return strconv.AppendInt(b, a.Value(i), 10), nil
	case *array.Uint8:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10), nil
	case *array.Uint16:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10), nil
	case *array.Uint32:
		return strconv.AppendUint(b, uint64(a.Value(i)), 10), nil
	case *array.Uint64:
		return strconv.AppendUint(b, a.Value(i), 10), nil
	case *array.Float32:
		return appendFloat(b, float64(a.Value(i)), 32)
	case *array.Float64:
		return appendFloat(b, a.Value(i), 64)
	case *array.String:
		return appendString(b, a.Value(i)), nil
	case *array.LargeString:
		return appendString(b, a.Value(i)), nil
	case *array.Null:
		return append(b, "null"...), nil
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		values := a.ListValues()
		b = append(b, '[')
		for k := start; k < end; k++ {
			if k > start {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, values, int(k)); err != nil {
				return b, fmt.Errorf("element %d: %w", k-start, err)
			}
		}
		return append(b, ']'), nil
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		b = append(b, '{')
		for k, f := range st.Fields() {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(appendString(b, f.Name), ':')
			var err error
			if b, err = appendValue(b, a.Field(k), i); err != nil {
				return b, fmt.Errorf("field %s: %w", f.Name, err)
			}
		}
		return append(b, '}'), nil
	}
	return b, fmt.Errorf("type %s cannot be written as JSON", arr.DataType())
}

// appendFloat writes the shortest decimal that reads back as f, keeping a
// ".0" on integral values so that they stay floats.
func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("%v cannot be written as JSON", f)
	}
	start := len(b)
	fmtc := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		fmtc = 'e'
	}
	b = strconv.AppendFloat(b, f, fmtc, -1, bits)
	for _, c := range b[start:] {
		if c == '.' || c == 'e' {
			return b, nil
		}
	}
	return append(b, '.', '0'), nil
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// sameFields checks that got has want's field names and types.
func sameFields(want, got *arrow.Schema) error {
	if want.NumFields() != got.NumFields() {
		return fmt.Errorf("schema mismatch: %d columns, want %d", got.NumFields(), want.NumFields())
	}
	for i, f := range want.Fields() {
		g := got.Field(i)
		if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			return fmt.Errorf("schema mismatch: column %d is %s %s, want %s %s", i+1, g.Name, g.Type, f.Name, f.Type)
		}
	}
	return nil
}

// Abort discards the output instead of completing it: for Create the
// temporary file is removed and nothing appears at the path. It
// implements connectors.Aborter.
func (w *Writer) Abort() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.err == nil {
		w.err = errors.New("writer aborted")
	}
	if w.af != nil {
		return w.af.Abort()
	}
	return nil
}
