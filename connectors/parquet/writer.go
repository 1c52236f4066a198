package parquet

import (
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	pq "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/eddyml/eddy/connectors"
)

// DefaultRowGroupRows is the number of rows per row group when
// WriterOptions leaves RowGroupRows at zero: 128Ki rows, about 20 MiB for
// twenty float64 columns, small enough to buffer and large enough for
// efficient column chunks.
const DefaultRowGroupRows = 128 * 1024

// Compression is the codec of written column chunks.
type Compression int

const (
	// Snappy is the default: cheap to write and read, and read by every
	// Parquet implementation.
	Snappy Compression = iota
	// Zstd compresses harder at a higher write cost.
	Zstd
	// Uncompressed stores pages as they are.
	Uncompressed
)

// WriterOptions configure a Writer. Zero values mean defaults.
type WriterOptions struct {
	// Allocator allocates the buffered row group (memory.DefaultAllocator).
	Allocator memory.Allocator
	// RowGroupRows is the number of rows per row group
	// (DefaultRowGroupRows). A row group is buffered in memory until full.
	RowGroupRows int64
	// Compression is the page codec (Snappy).
	Compression Compression
	// NoDictionary turns dictionary encoding off for every column, not
	// only float ones: faster to write for high-cardinality columns.
	NoDictionary bool
}

// Writer writes record batches to a Parquet file. It implements
// connectors.Writer.
//
// Float and double columns are written without dictionary encoding
// (measured 10-20x faster to write, and real-valued data rarely repeats);
// other columns use Parquet's default dictionary encoding. The Arrow
// schema, field metadata included, is stored in the file so that a
// reader gets the same types (FixedSizeList vectors stay fixed size) and
// metadata such as "eddy.role" back.
type Writer struct {
	name    string
	mem     memory.Allocator
	schema  *arrow.Schema
	storage *arrow.Schema // schema as stored: see storageSchema
	conv    []bool        // columns converted from FixedSizeList to List
	af      *connectors.AtomicFile
	fw      *pqarrow.FileWriter
	rows    int64
	err     error
	closed  bool
}

// Create writes a Parquet file at path atomically: the data goes to a
// temporary file that Close syncs and renames over path.
func Create(path string, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
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

// NewWriter writes Parquet to out. Close writes the footer but does not
// close out.
func NewWriter(out io.Writer, schema *arrow.Schema, opts WriterOptions) (*Writer, error) {
	return newWriter("", out, schema, opts)
}

// noClose hides the Close of the output: the parquet writer closes its
// sink when it can, and the Writer decides between Close and Abort.
type noClose struct{ io.Writer }

func newWriter(name string, out io.Writer, schema *arrow.Schema, opts WriterOptions) (w *Writer, err error) {
	if schema == nil {
		return nil, prefix(name, errors.New("parquet writer: nil schema"))
	}
	if opts.Allocator == nil {
		opts.Allocator = memory.DefaultAllocator
	}
	if opts.RowGroupRows <= 0 {
		opts.RowGroupRows = DefaultRowGroupRows
	}
	var codec compress.Compression
	switch opts.Compression {
	case Snappy:
		codec = compress.Codecs.Snappy
	case Zstd:
		codec = compress.Codecs.Zstd
	case Uncompressed:
		codec = compress.Codecs.Uncompressed
	default:
		return nil, prefix(name, fmt.Errorf("parquet writer: unknown compression %d", opts.Compression))
	}
	defer func() {
		if p := recover(); p != nil {
			err = prefix(name, fmt.Errorf("parquet writer: %v", p))
		}
	}()
	arrProps := pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(opts.Allocator))
	props := []pq.WriterProperty{
		pq.WithAllocator(opts.Allocator),
		pq.WithCompression(codec),
		pq.WithMaxRowGroupLength(opts.RowGroupRows),
		pq.WithCreatedBy("eddy"),
	}
	if opts.NoDictionary {
		props = append(props, pq.WithDictionaryDefault(false))
	}
	storage, conv := storageSchema(schema)
	// Find the float leaves to turn their dictionaries off.
	psc, err := pqarrow.ToParquet(storage, pq.NewWriterProperties(props...), arrProps)
	if err != nil {
		return nil, prefix(name, fmt.Errorf("parquet writer: %w", err))
	}
	for i := 0; i < psc.NumColumns(); i++ {
		col := psc.Column(i)
		if t := col.PhysicalType(); t == pq.Types.Double || t == pq.Types.Float {
			props = append(props, pq.WithDictionaryPath(col.ColumnPath(), false))
		}
	}
	fw, err := pqarrow.NewFileWriter(storage, noClose{out}, pq.NewWriterProperties(props...), arrProps)
	if err != nil {
		return nil, prefix(name, fmt.Errorf("parquet writer: %w", err))
	}
	return &Writer{name: name, mem: opts.Allocator, schema: schema, storage: storage, conv: conv, fw: fw}, nil
}

// Write appends rec, which must have the writer's column names and types
// (metadata may differ). Rows are buffered until a row group is full.
func (w *Writer) Write(rec arrow.Record) (err error) {
	if w.err != nil {
		return w.err
	}
	if w.closed {
		return prefix(w.name, errors.New("parquet writer: write after close"))
	}
	if err := sameFields(w.schema, rec.Schema()); err != nil {
		return prefix(w.name, fmt.Errorf("record at row %d: %w", w.rows, err))
	}
	if rec.NumRows() == 0 {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
		if err != nil {
			w.err = prefix(w.name, fmt.Errorf("write record at row %d: %w", w.rows, err))
			err = w.err
		}
	}()
	if w.conv != nil {
		cols := make([]arrow.Array, rec.NumCols())
		defer func() {
			for _, c := range cols {
				if c != nil {
					c.Release()
				}
			}
		}()
		for i, c := range rec.Columns() {
			if !w.conv[i] {
				c.Retain()
				cols[i] = c
				continue
			}
			if cols[i], err = fslToList(w.mem, c.(*array.FixedSizeList), w.storage.Field(i).Type.(*arrow.ListType)); err != nil {
				return fmt.Errorf("column %s: %w", w.schema.Field(i).Name, err)
			}
		}
		rec = array.NewRecord(w.storage, cols, rec.NumRows())
		defer rec.Release()
	} else if !rec.Schema().Equal(w.storage) {
		// pqarrow insists on an equal schema, metadata included.
		rec = array.NewRecord(w.storage, rec.Columns(), rec.NumRows())
		defer rec.Release()
	}
	if err := w.fw.WriteBuffered(rec); err != nil {
		return err
	}
	w.rows += rec.NumRows()
	return nil
}

// Close flushes the last row group, writes the footer and, for Create,
// syncs and renames the file into place. After a failed Write the file is
// discarded and Close returns that error.
func (w *Writer) Close() (err error) {
	if w.closed {
		return w.err
	}
	w.closed = true
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("%v", p)
			}
		}()
		err = w.fw.Close()
	}()
	if err != nil && w.err == nil {
		w.err = prefix(w.name, fmt.Errorf("parquet writer: %w", err))
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

func prefix(name string, err error) error {
	if name == "" {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
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
	// Closing the file writer frees its buffered row group; what it
	// writes goes to the temporary file removed below.
	func() {
		defer func() { recover() }()
		w.fw.Close()
	}()
	if w.af != nil {
		return w.af.Abort()
	}
	return nil
}
