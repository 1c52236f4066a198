package parquet

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	pq "github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/internal/ipcverify"
)

// Kind is the format's registered kind name.
const Kind = "parquet"

func init() {
	connectors.Register(connectors.Format{
		Kind:       Kind,
		Extensions: []string{".parquet"},
		Open: func(ctx context.Context, path string, opts connectors.ReadOptions) (connectors.Source, error) {
			return Open(ctx, path, opts)
		},
		Create: func(path string, schema *arrow.Schema, opts connectors.WriteOptions) (connectors.Writer, error) {
			return Create(path, schema, WriterOptions{Allocator: opts.Allocator})
		},
	})
}

// fieldIDKey is the metadata key pqarrow adds to every field it reads; it
// is dropped when the file carries no field ids, so that a written schema
// reads back unchanged.
const fieldIDKey = "PARQUET:field_id"

// Reader reads a Parquet file in batches of exactly ReadOptions.BatchSize
// rows (the last one may be shorter); a batch that spans a row group
// boundary is concatenated from both. It implements connectors.Source and
// table.Seeker. Each row group must yield the row count its metadata
// states, or reading stops with an error naming the row group and column.
type Reader struct {
	name     string
	opts     connectors.ReadOptions
	closer   io.Closer
	pf       *file.Reader
	fr       *pqarrow.FileReader
	schema   *arrow.Schema
	leaves   []int        // every leaf column
	included map[int]bool // the same, as GetFieldReader wants it
	fields   []int        // top-level fields holding the leaves
	fixed    []int        // per column, the FixedSizeList size stored as a List, or 0
	starts   []int64      // starts[i] is the first row of row group i; last entry is the row count

	cols   []*pqarrow.ColumnReader // readers over row group rg
	rg     int                     // open row group
	rgLeft int64                   // rows of rg not read yet
	out    arrow.Record
	offset int64
	err    error
}

// Open opens the Parquet file at path. A name ending in ".gz" is
// decompressed into memory first, because Parquet needs random access.
func Open(ctx context.Context, path string, opts connectors.ReadOptions) (*Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rc, err := connectors.OpenFile(path)
	if err != nil {
		return nil, err
	}
	var ra pq.ReaderAtSeeker
	if f, ok := rc.(*os.File); ok {
		ra = f
	} else {
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		ra, rc = bytes.NewReader(data), nil
	}
	r, err := NewReader(path, ra, opts)
	if err != nil {
		if rc != nil {
			rc.Close()
		}
		return nil, err
	}
	r.closer = rc
	return r, nil
}

// NewReader reads Parquet from r; name labels errors. Release does not
// close r.
func NewReader(name string, r pq.ReaderAtSeeker, opts connectors.ReadOptions) (rd *Reader, err error) {
	opts = opts.WithDefaults()
	defer func() {
		if p := recover(); p != nil {
			err = prefix(name, fmt.Errorf("not a valid parquet file: %v", p))
		}
	}()
	pf, err := file.NewParquetReader(r, file.WithReadProps(pq.NewReaderProperties(opts.Allocator)))
	if err != nil {
		return nil, prefix(name, fmt.Errorf("not a valid parquet file: %w", err))
	}
	if err := verifyStoredSchema(pf); err != nil {
		pf.Close()
		return nil, prefix(name, fmt.Errorf("parquet schema: %w", err))
	}
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: int64(opts.BatchSize)}, opts.Allocator)
	if err != nil {
		pf.Close()
		return nil, prefix(name, fmt.Errorf("parquet schema: %w", err))
	}
	sc, err := fr.Schema()
	if err != nil {
		pf.Close()
		return nil, prefix(name, fmt.Errorf("parquet schema: %w", err))
	}
	schema, sizes, err := readSchema(stripFieldIDs(sc))
	if err != nil {
		pf.Close()
		return nil, prefix(name, fmt.Errorf("parquet schema: %w", err))
	}
	rd = &Reader{name: name, opts: opts, pf: pf, fr: fr, schema: schema, fixed: sizes}
	md := pf.MetaData()
	rd.leaves = make([]int, md.Schema.NumColumns())
	rd.included = make(map[int]bool, len(rd.leaves))
	for i := range rd.leaves {
		rd.leaves[i] = i
		rd.included[i] = true
	}
	if rd.fields, err = fr.Manifest.GetFieldIndices(rd.leaves); err != nil {
		pf.Close()
		return nil, prefix(name, fmt.Errorf("parquet schema: %w", err))
	}
	rd.starts = make([]int64, pf.NumRowGroups()+1)
	for i := 0; i < pf.NumRowGroups(); i++ {
		n := md.RowGroup(i).NumRows()
		if n < 0 {
			pf.Close()
			return nil, prefix(name, fmt.Errorf("row group %d: negative row count %d", i, n))
		}
		rd.starts[i+1] = rd.starts[i] + n
	}
	if err := rd.openGroup(0); err != nil {
		pf.Close()
		return nil, prefix(name, err)
	}
	return rd, nil
}

// stripFieldIDs removes the "PARQUET:field_id" = "-1" metadata pqarrow
// puts on fields of a file written without field ids.
func stripFieldIDs(sc *arrow.Schema) *arrow.Schema {
	fields := sc.Fields()
	changed := false
	for i, f := range fields {
		idx := f.Metadata.FindKey(fieldIDKey)
		if idx < 0 || f.Metadata.Values()[idx] != "-1" {
			continue
		}
		var keys, vals []string
		for j, k := range f.Metadata.Keys() {
			if j != idx {
				keys = append(keys, k)
				vals = append(vals, f.Metadata.Values()[j])
			}
		}
		fields[i].Metadata = arrow.NewMetadata(keys, vals)
		changed = true
	}
	if !changed {
		return sc
	}
	md := sc.Metadata()
	return arrow.NewSchema(fields, &md)
}

// openGroup makes column readers over row group rg alone (nothing past
// the last group). Reading one row group at a time lets the reader check
// that each column yields exactly the rows the metadata promises: pqarrow
// v17 drops a page error and moves on to the next row group, which would
// otherwise lose rows silently.
func (r *Reader) openGroup(rg int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("corrupt parquet data: %v", p)
		}
	}()
	r.releaseCols()
	r.rg, r.rgLeft = rg, 0
	if rg >= r.pf.NumRowGroups() || len(r.leaves) == 0 {
		return nil
	}
	// GetFieldReaders would run these on errgroup goroutines, where a
	// panic on corrupt metadata could not be recovered: call
	// GetFieldReader here instead.
	cols := make([]*pqarrow.ColumnReader, 0, len(r.fields))
	for _, fidx := range r.fields {
		cr, err := r.fr.GetFieldReader(context.Background(), fidx, r.included, []int{rg})
		if err == nil && cr == nil {
			err = errors.New("no reader for column")
		}
		if err != nil {
			for _, c := range cols {
				c.Release()
			}
			return fmt.Errorf("open row group %d, column %d: %w", rg, fidx, err)
		}
		cols = append(cols, cr)
	}
	if len(cols) != r.schema.NumFields() {
		for _, c := range cols {
			c.Release()
		}
		return fmt.Errorf("open row group %d: %d columns, want %d", rg, len(cols), r.schema.NumFields())
	}
	r.cols = cols
	r.rgLeft = r.starts[rg+1] - r.starts[rg]
	return nil
}

func (r *Reader) releaseCols() {
	for _, c := range r.cols {
		c.Release()
	}
	r.cols = nil
}

// Schema is the Arrow schema stored in the file (or derived from the
// Parquet schema when none is stored).
func (r *Reader) Schema() *arrow.Schema { return r.schema }

// Next reads the next batch.
func (r *Reader) Next() bool {
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
	if r.err != nil {
		return false
	}
	rec, err := r.read(int64(r.opts.BatchSize))
	if err != nil {
		r.err = prefix(r.name, fmt.Errorf("after row %d: %w", r.offset, err))
		return false
	}
	if rec == nil {
		return false
	}
	r.out = rec
	r.offset += rec.NumRows()
	return true
}

// read reads up to n rows, crossing row groups, or returns (nil, nil) at
// the end. A batch that spans a row group boundary is concatenated.
func (r *Reader) read(n int64) (arrow.Record, error) {
	var parts []arrow.Record
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	got := int64(0)
	for got < n {
		if r.rgLeft == 0 {
			if r.rg+1 >= r.pf.NumRowGroups() {
				r.releaseCols()
				r.rg = r.pf.NumRowGroups()
				break
			}
			if err := r.openGroup(r.rg + 1); err != nil {
				return nil, err
			}
			continue
		}
		k := min(n-got, r.rgLeft)
		part, err := r.readGroup(k)
		if err != nil {
			return nil, fmt.Errorf("row group %d: %w", r.rg, err)
		}
		parts = append(parts, part)
		got += k
		r.rgLeft -= k
	}
	switch len(parts) {
	case 0:
		return nil, nil
	case 1:
		rec := parts[0]
		parts = nil
		return rec, nil
	}
	cols := make([]arrow.Array, r.schema.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	chunk := make([]arrow.Array, len(parts))
	for i := range cols {
		for j, p := range parts {
			chunk[j] = p.Column(i)
		}
		c, err := array.Concatenate(chunk, r.opts.Allocator)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", r.schema.Field(i).Name, err)
		}
		cols[i] = c
	}
	return array.NewRecord(r.schema, cols, got), nil
}

// readGroup reads exactly n rows of the open row group from every column.
func (r *Reader) readGroup(n int64) (rec arrow.Record, err error) {
	cols := make([]arrow.Array, len(r.cols))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("corrupt parquet data: %v", p)
		}
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, cr := range r.cols {
		name := r.schema.Field(i).Name
		ch, err := cr.NextBatch(n)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		cols[i], err = single(ch, r)
		ch.Release()
		if err == nil && r.fixed != nil && r.fixed[i] > 0 {
			l, ok := cols[i].(*array.List)
			if !ok {
				return nil, fmt.Errorf("column %s: stored as %s, want a list", name, cols[i].DataType())
			}
			var f arrow.Array
			f, err = listToFSL(r.opts.Allocator, l, r.schema.Field(i).Type.(*arrow.FixedSizeListType))
			cols[i].Release()
			cols[i] = f
		}
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", name, err)
		}
		if l := int64(cols[i].Len()); l != n {
			return nil, fmt.Errorf("column %s: read %d of %d rows: corrupt or truncated data", name, l, n)
		}
	}
	return array.NewRecord(r.schema, cols, n), nil
}

func single(ch *arrow.Chunked, r *Reader) (arrow.Array, error) {
	switch chunks := ch.Chunks(); len(chunks) {
	case 0:
		return array.MakeArrayOfNull(r.opts.Allocator, ch.DataType(), 0), nil
	case 1:
		chunks[0].Retain()
		return chunks[0], nil
	default:
		return array.Concatenate(chunks, r.opts.Allocator)
	}
}

// Err is the error that stopped Next, or nil at the end of the input.
func (r *Reader) Err() error { return r.err }

// Record is the current batch, valid until the next call to Next.
func (r *Reader) Record() arrow.Record { return r.out }

// Skipped is always 0: Parquet values are typed, so no row is ever bad.
func (r *Reader) Skipped() int64 { return 0 }

// Offset is the number of rows delivered from the start of the file.
func (r *Reader) Offset() int64 { return r.offset }

// NumRows is the number of rows in the file, from its metadata.
func (r *Reader) NumRows() int64 { return r.starts[len(r.starts)-1] }

// SeekRow makes the next batch start at row offset: it skips whole row
// groups using the file metadata, then reads and drops the rows before
// offset within its row group.
func (r *Reader) SeekRow(offset int64) error {
	if offset < 0 {
		return fmt.Errorf("seek to row %d: negative offset", offset)
	}
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
	r.err = nil
	total := r.NumRows()
	if offset >= total {
		r.releaseCols()
		r.rg, r.rgLeft = r.pf.NumRowGroups(), 0
		r.offset = total
		return nil
	}
	rg := 0
	for r.starts[rg+1] <= offset {
		rg++
	}
	if err := r.openGroup(rg); err != nil {
		r.err = prefix(r.name, fmt.Errorf("seek to row %d: %w", offset, err))
		return r.err
	}
	r.offset = r.starts[rg]
	for r.offset < offset {
		k := min(offset-r.offset, int64(r.opts.BatchSize))
		rec, err := r.readGroup(k)
		if err != nil {
			r.err = prefix(r.name, fmt.Errorf("seek to row %d: row group %d: %w", offset, rg, err))
			return r.err
		}
		rec.Release()
		r.offset += k
		r.rgLeft -= k
	}
	return nil
}

// Release frees the current batch and closes the file.
func (r *Reader) Release() {
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
	r.releaseCols()
	if r.pf != nil {
		r.pf.Close()
		r.pf = nil
	}
	if r.closer != nil {
		r.closer.Close()
		r.closer = nil
	}
}

// verifyStoredSchema checks the Arrow schema pqarrow stores in the file
// metadata (an IPC message, base64) before pqarrow decodes it: the ipc
// decoder allocates whatever a corrupt vector length says.
func verifyStoredSchema(pf *file.Reader) error {
	kv := pf.MetaData().KeyValueMetadata()
	if kv == nil {
		return nil
	}
	v := kv.FindValue("ARROW:schema")
	if v == nil {
		return nil
	}
	var decoded []byte
	var err error
	if len(*v)%4 == 0 {
		decoded, err = base64.StdEncoding.DecodeString(*v)
	}
	if len(decoded) == 0 || err != nil {
		if decoded, err = base64.RawStdEncoding.DecodeString(*v); err != nil {
			return fmt.Errorf("stored arrow schema: %w", err)
		}
	}
	meta, rest, err := ipcverify.Framed(decoded)
	if err == nil {
		var body int64
		if body, err = ipcverify.BodyLength(meta); err == nil && body > int64(len(rest)) {
			err = fmt.Errorf("%w: message body of %d bytes in %d", ipcverify.ErrCorrupt, body, len(rest))
		}
	}
	if err != nil {
		return fmt.Errorf("stored arrow schema: %w", err)
	}
	return nil
}
