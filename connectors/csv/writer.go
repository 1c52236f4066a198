package csv

import (
	"bytes"
	"fmt"
	"io"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/eddyml/eddy/connectors"
)

// Writer writes record batches as CSV: a header row, then one row per
// record row. Strings are quoted when they hold the separator, a quote, a
// line break, are empty or read as null (DefaultNullValues); nulls are empty
// fields; floats are written in the shortest form that reads back to the
// same value (strconv 'g', -1); vectors (FixedSizeList or List of floats)
// are one quoted field of space-separated (or WriterOptions.VectorSep)
// numbers.
type Writer struct {
	file   *connectors.AtomicFile // nil for NewWriter
	w      io.Writer
	schema *arrow.Schema
	opts   WriterOptions
	buf    []byte
	closed bool
	err    error
}

var _ connectors.Writer = (*Writer)(nil)

// Create creates a CSV file (gzip-compressed when its name ends in ".gz").
// The file appears at path only when Close succeeds.
func Create(path string, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	opts, err := opts.withDefaults(path)
	if err != nil {
		return nil, err
	}
	if err := checkWritable(schema); err != nil {
		return nil, fmt.Errorf("csv: %s: %w", path, err)
	}
	f, err := connectors.CreateFile(path)
	if err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	w := newWriter(f, schema, opts)
	w.file = f
	return w, nil
}

// NewWriter writes CSV to out. Close flushes but does not close out.
func NewWriter(out io.Writer, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	opts, err := opts.withDefaults("")
	if err != nil {
		return nil, err
	}
	if err := checkWritable(schema); err != nil {
		return nil, fmt.Errorf("csv: %w", err)
	}
	return newWriter(out, schema, opts), nil
}

func newWriter(out io.Writer, schema *arrow.Schema, opts WriterOptions) *Writer {
	w := &Writer{w: out, schema: schema, opts: opts, buf: make([]byte, 0, 1<<16)}
	for i, f := range schema.Fields() {
		if i > 0 {
			w.buf = append(w.buf, opts.Comma)
		}
		w.buf = w.appendString(w.buf, f.Name)
	}
	w.buf = append(w.buf, '\n')
	return w
}

func isFloat(t arrow.DataType) bool {
	return t.ID() == arrow.FLOAT64 || t.ID() == arrow.FLOAT32
}

func checkWritable(schema *arrow.Schema) error {
	for _, f := range schema.Fields() {
		switch t := f.Type.(type) {
		case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
			*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type,
			*arrow.Float32Type, *arrow.Float64Type, *arrow.BooleanType,
			*arrow.StringType, *arrow.LargeStringType, *arrow.TimestampType:
			continue
		case *arrow.FixedSizeListType:
			if isFloat(t.Elem()) {
				continue
			}
		case *arrow.ListType:
			if isFloat(t.Elem()) {
				continue
			}
		}
		return fmt.Errorf("column %q: type %s cannot be written as csv", f.Name, f.Type)
	}
	return nil
}

// needsQuote reports whether a string field must be quoted to read back.
func (w *Writer) needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"', '\n', '\r', w.opts.Comma:
			return true
		}
	}
	for _, n := range DefaultNullValues {
		if s == n {
			return true
		}
	}
	return false
}

func (w *Writer) appendString(b []byte, s string) []byte {
	if !w.needsQuote(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := bytes.IndexByte([]byte(s), '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

func appendFloats(b []byte, a arrow.Array, from, to int, sep byte) []byte {
	for k := from; k < to; k++ {
		if k > from {
			b = append(b, sep)
		}
		switch v := a.(type) {
		case *array.Float64:
			b = strconv.AppendFloat(b, v.Value(k), 'g', -1, 64)
		case *array.Float32:
			b = strconv.AppendFloat(b, float64(v.Value(k)), 'g', -1, 32)
		}
	}
	return b
}

// Write appends the rows of rec, whose schema must equal the writer's.
func (w *Writer) Write(rec arrow.Record) error {
	if w.closed {
		return fmt.Errorf("csv: write after close")
	}
	if w.err != nil {
		return w.err
	}
	if !rec.Schema().Equal(w.schema) {
		return fmt.Errorf("csv: record schema %s does not match the writer's %s", rec.Schema(), w.schema)
	}
	cols := rec.Columns()
	n := int(rec.NumRows())
	sep := w.opts.Comma
	b := w.buf
	for row := 0; row < n; row++ {
		for ci, a := range cols {
			if ci > 0 {
				b = append(b, sep)
			}
			if a.IsNull(row) {
				continue
			}
			switch a := a.(type) {
			case *array.Float64:
				b = strconv.AppendFloat(b, a.Value(row), 'g', -1, 64)
			case *array.Float32:
				b = strconv.AppendFloat(b, float64(a.Value(row)), 'g', -1, 32)
			case *array.Int64:
				b = strconv.AppendInt(b, a.Value(row), 10)
			case *array.Int32:
				b = strconv.AppendInt(b, int64(a.Value(row)), 10)
			case *array.Int16:
				b = strconv.AppendInt(b, int64(a.Value(row)), 10)
			case *array.Int8:
				b = strconv.AppendInt(b, int64(a.Value(row)), 10)
			case *array.Uint64:
				b = strconv.AppendUint(b, a.Value(row), 10)
			case *array.Uint32:
				b = strconv.AppendUint(b, uint64(a.Value(row)), 10)
			case *array.Uint16:
				b = strconv.AppendUint(b, uint64(a.Value(row)), 10)
			case *array.Uint8:
				b = strconv.AppendUint(b, uint64(a.Value(row)), 10)
			case *array.Boolean:
				b = strconv.AppendBool(b, a.Value(row))
			case *array.Timestamp:
				b = appendTimestamp(b, int64(a.Value(row)), a.DataType().(*arrow.TimestampType).Unit)
			case *array.String:
				b = w.appendString(b, a.Value(row))
			case *array.LargeString:
				b = w.appendString(b, a.Value(row))
			case *array.FixedSizeList:
				from, to := a.ValueOffsets(row)
				b = append(b, '"')
				b = appendFloats(b, a.ListValues(), int(from), int(to), w.opts.VectorSep)
				b = append(b, '"')
			case *array.List:
				from, to := a.ValueOffsets(row)
				b = append(b, '"')
				b = appendFloats(b, a.ListValues(), int(from), int(to), w.opts.VectorSep)
				b = append(b, '"')
			}
		}
		b = append(b, '\n')
		if len(b) >= 1<<20 {
			if _, err := w.w.Write(b); err != nil {
				w.err = fmt.Errorf("csv: %w", err)
				return w.err
			}
			b = b[:0]
		}
	}
	w.buf = b
	return nil
}

// Close writes what is buffered and, for Create, puts the file in place.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	err := w.err
	if err == nil {
		if _, werr := w.w.Write(w.buf); werr != nil {
			err = fmt.Errorf("csv: %w", werr)
		}
	}
	if w.file != nil {
		if err != nil {
			w.file.Abort()
			return err
		}
		return w.file.Close()
	}
	return err
}

// Abort discards a file being created; for NewWriter it only stops the
// writer.
func (w *Writer) Abort() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if w.file != nil {
		return w.file.Abort()
	}
	return nil
}
