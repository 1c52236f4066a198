package arrowipc

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
)

// Compression is the body compression of written batches.
type Compression int

const (
	// Uncompressed writes plain buffers (the default): the fastest to
	// write and read, and what every Arrow reader understands.
	Uncompressed Compression = iota
	// LZ4 compresses buffers with LZ4 frames.
	LZ4
	// Zstd compresses buffers with Zstandard.
	Zstd
)

// WriterOptions configure a Writer. Zero values mean defaults.
type WriterOptions struct {
	// Allocator allocates scratch buffers (memory.DefaultAllocator).
	Allocator memory.Allocator
	// Stream selects the IPC stream format instead of the file format.
	// Create sets it for names ending in ".arrows".
	Stream bool
	// Compression is the buffer compression (Uncompressed).
	Compression Compression
}

// Writer writes record batches in the Arrow IPC file (or stream) format.
// It implements connectors.Writer.
type Writer struct {
	name   string
	schema *arrow.Schema
	af     *connectors.AtomicFile // nil for NewWriter
	fw     *ipc.FileWriter
	sw     *ipc.Writer
	rows   int64
	err    error
	closed bool
}

// Create writes an IPC file at path, atomically: the data goes to a
// temporary file that Close renames over path. A name ending in ".arrows"
// (before an optional ".gz") selects the stream format, unless opts already
// does; every other extension gets the file format.
func Create(path string, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	name := strings.TrimSuffix(strings.ToLower(filepath.Base(path)), ".gz")
	if filepath.Ext(name) == ".arrows" {
		opts.Stream = true
	}
	af, err := connectors.CreateFile(path)
	if err != nil {
		return nil, err
	}
	w, err := newWriter(path, af, schema, opts)
	if err != nil {
		af.Abort()
		return nil, err
	}
	w.af = af
	return w, nil
}

// NewWriter writes the IPC format to out. Close finishes the format but
// does not close out.
func NewWriter(out io.Writer, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	return newWriter("", out, schema, opts)
}

func newWriter(name string, out io.Writer, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	if schema == nil {
		return nil, prefix(name, errors.New("arrow ipc writer: nil schema"))
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	ipcOpts := []ipc.Option{ipc.WithSchema(schema), ipc.WithAllocator(opts.Allocator)}
	switch opts.Compression {
	case Uncompressed:
	case LZ4:
		ipcOpts = append(ipcOpts, ipc.WithLZ4())
	case Zstd:
		ipcOpts = append(ipcOpts, ipc.WithZstd())
	default:
		return nil, prefix(name, fmt.Errorf("arrow ipc writer: unknown compression %d", opts.Compression))
	}
	w := &Writer{name: name, schema: schema}
	if opts.Stream {
		w.sw = ipc.NewWriter(out, ipcOpts...)
		return w, nil
	}
	ws, ok := out.(io.WriteSeeker)
	if !ok {
		ws = &positionWriter{w: out}
	}
	fw, err := ipc.NewFileWriter(ws, ipcOpts...)
	if err != nil {
		return nil, prefix(name, fmt.Errorf("arrow ipc writer: %w", err))
	}
	w.fw = fw
	return w, nil
}

// Write appends rec, which must have the writer's schema (field names and
// types; metadata may differ).
func (w *Writer) Write(rec arrow.Record) error {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return prefix(w.name, errors.New("arrow ipc writer: write after close"))
	}
	if err := sameFields(w.schema, rec.Schema()); err != nil {
		return prefix(w.name, fmt.Errorf("record at row %d: %w", w.rows, err))
	}
	if rec.NumRows() == 0 {
		return nil
	}
	if !rec.Schema().Equal(w.schema) {
		// The ipc writer insists on an equal schema, metadata included.
		rec = array.NewRecord(w.schema, rec.Columns(), rec.NumRows())
		defer rec.Release()
	}
	var err error
	if w.fw != nil {
		err = w.fw.Write(rec)
	} else {
		err = w.sw.Write(rec)
	}
	if err != nil {
		w.err = prefix(w.name, fmt.Errorf("write record at row %d: %w", w.rows, err))
		return w.err
	}
	w.rows += rec.NumRows()
	return nil
}

// Close writes the footer (file format) or end-of-stream marker and, for
// Create, syncs and renames the file into place. After a failed Write the
// file is discarded and Close returns that error.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	var err error
	if w.fw != nil {
		err = w.fw.Close()
	} else {
		err = w.sw.Close()
	}
	if err != nil && w.err == nil {
		w.err = prefix(w.name, fmt.Errorf("arrow ipc writer: %w", err))
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

// positionWriter gives an io.Writer the one Seek the IPC file writer
// uses: asking for the current position.
type positionWriter struct {
	w   io.Writer
	pos int64
}

func (p *positionWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.pos += int64(n)
	return n, err
}

func (p *positionWriter) Seek(offset int64, whence int) (int64, error) {
	if offset == 0 && whence == io.SeekCurrent {
		return p.pos, nil
	}
	return 0, errors.New("arrow ipc writer: output cannot seek")
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
