package arrowipc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/connectors"
	"github.com/eddyml/eddy/internal/ipcverify"
)

// Kind is the format's registered kind name.
const Kind = "arrow"

// fileMagic opens and closes every file in the IPC file format.
var fileMagic = []byte("ARROW1")

func init() {
	connectors.Register(connectors.Format{
		Kind:       Kind,
		Extensions: []string{".arrow", ".arrows", ".ipc", ".feather"},
		Open: func(ctx context.Context, path string, opts connectors.ReadOptions) (connectors.Source, error) {
			return Open(ctx, path, opts)
		},
		Create: func(path string, schema *arrow.Schema, opts connectors.WriteOptions) (connectors.Writer, error) {
			return Create(path, schema, WriterOptions{Allocator: opts.Allocator})
		},
	})
}

// batchSource is one of the two IPC layouts behind a Reader.
type batchSource interface {
	schema() *arrow.Schema
	// next returns the next batch, owned by the caller, or (nil, nil) at the end.
	next() (arrow.Record, error)
	// seek positions the source so that the batch returned by next holds
	// row, and returns that batch's first row. Past the end it returns the
	// total row count and next returns (nil, nil).
	seek(row int64) (int64, error)
	close() error
}

// Reader reads an Arrow IPC file or stream. It implements
// connectors.Source and table.Seeker. Batches are the file's own record
// batches, sliced (without copying) to at most ReadOptions.BatchSize rows.
type Reader struct {
	name string
	opts connectors.ReadOptions
	src  batchSource

	cur    arrow.Record // batch being delivered, owned
	curOff int64        // rows of cur already delivered
	out    arrow.Record // record handed out by Record, owned
	offset int64
	err    error
}

// Open opens an Arrow IPC file at path. The layout is sniffed from the
// content, whatever the extension: a file that starts with "ARROW1" is read
// in the random-access file format, anything else as a stream. A name
// ending in ".gz" is decompressed; a compressed file-format input is read
// into memory first, because that format needs random access.
func Open(ctx context.Context, path string, opts connectors.ReadOptions) (*Reader, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opts = opts.WithDefaults()
	rc, err := connectors.OpenFile(path)
	if err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(rc, 1<<16)
	head, _ := br.Peek(len(fileMagic))
	if !bytes.Equal(head, fileMagic) {
		reopen := func() (io.ReadCloser, io.Reader, error) {
			rc, err := connectors.OpenFile(path)
			if err != nil {
				return nil, nil, err
			}
			return rc, bufio.NewReaderSize(rc, 1<<16), nil
		}
		size := int64(-1)
		if f, ok := rc.(*os.File); ok {
			if st, err := f.Stat(); err == nil {
				size = st.Size()
			}
		}
		src, err := newStreamSource(rc, br, reopen, size, opts)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return &Reader{name: path, opts: opts, src: src}, nil
	}
	var ra ipc.ReadAtSeeker
	if f, ok := rc.(*os.File); ok {
		ra = f
	} else {
		data, err := io.ReadAll(br)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		ra, rc = bytes.NewReader(data), nil
	}
	src, err := newFileSource(ra, rc, opts)
	if err != nil {
		if rc != nil {
			rc.Close()
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &Reader{name: path, opts: opts, src: src}, nil
}

// NewFileReader reads the IPC file format from r. name labels errors.
// Release does not close r.
func NewFileReader(name string, r ipc.ReadAtSeeker, opts connectors.ReadOptions) (*Reader, error) {
	opts = opts.WithDefaults()
	src, err := newFileSource(r, nil, opts)
	if err != nil {
		return nil, prefix(name, err)
	}
	return &Reader{name: name, opts: opts, src: src}, nil
}

// NewStreamReader reads the IPC stream format from r. name labels errors.
// Seeking backwards needs r to be an io.Seeker positioned at the stream's
// start; otherwise SeekRow can only move forward. Release does not close r.
func NewStreamReader(name string, r io.Reader, opts connectors.ReadOptions) (*Reader, error) {
	opts = opts.WithDefaults()
	var reopen func() (io.ReadCloser, io.Reader, error)
	if s, ok := r.(io.Seeker); ok {
		reopen = func() (io.ReadCloser, io.Reader, error) {
			if _, err := s.Seek(0, io.SeekStart); err != nil {
				return nil, nil, err
			}
			return nil, r, nil
		}
	}
	src, err := newStreamSource(nil, r, reopen, sizeOf(r), opts)
	if err != nil {
		return nil, prefix(name, err)
	}
	return &Reader{name: name, opts: opts, src: src}, nil
}

func prefix(name string, err error) error {
	if name == "" {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// Schema is the schema of every batch.
func (r *Reader) Schema() *arrow.Schema { return r.src.schema() }

// Next advances to the next batch.
func (r *Reader) Next() bool {
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
	if r.err != nil {
		return false
	}
	for {
		if r.cur != nil && r.curOff < r.cur.NumRows() {
			n := min(int64(r.opts.BatchSize), r.cur.NumRows()-r.curOff)
			if r.curOff == 0 && noData(r.cur) {
				// A batch without buffers has a length nothing
				// bounds: hand it over whole rather than slice it.
				n = r.cur.NumRows()
			}
			if r.curOff == 0 && n == r.cur.NumRows() {
				r.cur.Retain()
				r.out = r.cur
			} else {
				r.out = r.cur.NewSlice(r.curOff, r.curOff+n)
			}
			r.curOff += n
			r.offset += n
			return true
		}
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		rec, err := r.src.next()
		if err == nil && rec != nil {
			if err = validateRecord(rec); err != nil {
				rec.Release()
				err = fmt.Errorf("batch at row %d: %w", r.offset, err)
			}
		}
		if err != nil {
			r.err = prefix(r.name, err)
			return false
		}
		if rec == nil {
			return false
		}
		r.cur, r.curOff = rec, 0
	}
}

// Record is the current batch, valid until the next call to Next.
func (r *Reader) Record() arrow.Record { return r.out }

// Err is the error that stopped Next, or nil at the end of the input.
func (r *Reader) Err() error { return r.err }

// Skipped is always 0: IPC batches are typed, so no row is ever bad.
func (r *Reader) Skipped() int64 { return 0 }

// Offset is the number of rows delivered from the start of the input.
func (r *Reader) Offset() int64 { return r.offset }

// SeekRow makes the next batch start at row offset. In the file format it
// jumps to the batch holding the row using the lengths of the batches before
// it (read once and remembered); a stream is read forward from its start
// or from the current position.
func (r *Reader) SeekRow(offset int64) error {
	if offset < 0 {
		return fmt.Errorf("seek to row %d: negative offset", offset)
	}
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	r.err = nil
	start, err := r.src.seek(offset)
	if err != nil {
		r.err = prefix(r.name, fmt.Errorf("seek to row %d: %w", offset, err))
		return r.err
	}
	r.offset = start
	if start >= offset {
		return nil
	}
	rec, err := r.src.next()
	if err != nil {
		r.err = prefix(r.name, fmt.Errorf("seek to row %d: %w", offset, err))
		return r.err
	}
	if rec == nil {
		return nil
	}
	if err := validateRecord(rec); err != nil {
		rec.Release()
		r.err = prefix(r.name, fmt.Errorf("seek to row %d: %w", offset, err))
		return r.err
	}
	r.cur, r.curOff = rec, offset-start
	if r.curOff > rec.NumRows() {
		r.curOff = rec.NumRows()
	}
	r.offset = start + r.curOff
	return nil
}

// Release frees the current batch and closes the input.
func (r *Reader) Release() {
	if r.out != nil {
		r.out.Release()
		r.out = nil
	}
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.src != nil {
		r.src.close()
		r.src = nil
	}
}

// corrupt turns a panic from the ipc package (it panics on some malformed
// buffers) into an error.
func corrupt(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("corrupt arrow ipc data: %v", p)
	}
}

// fileSource reads the random-access file format.
type fileSource struct {
	fr     *ipc.FileReader
	closer io.Closer
	starts []int64 // starts[i] is the first row of batch i, for known batches; len = known+1
	idx    int     // next batch to read
}

func newFileSource(r ipc.ReadAtSeeker, closer io.Closer, opts connectors.ReadOptions) (s *fileSource, err error) {
	defer corrupt(&err)
	size := sizeOf(r)
	if size < 0 {
		return nil, errors.New("cannot find the size of the input")
	}
	if err := ipcverify.File(r, size); err != nil {
		return nil, fmt.Errorf("not a valid arrow ipc file: %w", err)
	}
	fr, err := ipc.NewFileReader(r, ipc.WithAllocator(limited(opts.Allocator, size)))
	if err != nil {
		return nil, fmt.Errorf("not an arrow ipc file: %w", err)
	}
	return &fileSource{fr: fr, closer: closer, starts: []int64{0}}, nil
}

func (s *fileSource) schema() *arrow.Schema { return s.fr.Schema() }

func (s *fileSource) read(i int) (rec arrow.Record, err error) {
	defer corrupt(&err)
	rec, err = s.fr.RecordAt(i)
	if err != nil {
		return nil, fmt.Errorf("record batch %d: %w", i, err)
	}
	if len(s.starts) == i+1 {
		s.starts = append(s.starts, s.starts[i]+rec.NumRows())
	}
	return rec, nil
}

func (s *fileSource) next() (arrow.Record, error) {
	if s.idx >= s.fr.NumRecords() {
		return nil, nil
	}
	rec, err := s.read(s.idx)
	if err != nil {
		return nil, err
	}
	s.idx++
	return rec, nil
}

func (s *fileSource) seek(row int64) (int64, error) {
	n := s.fr.NumRecords()
	for len(s.starts) <= n && s.starts[len(s.starts)-1] <= row {
		rec, err := s.read(len(s.starts) - 1)
		if err != nil {
			return 0, err
		}
		rec.Release()
	}
	// starts is sorted; find the last batch whose start is <= row and
	// that holds it.
	for i := 0; i+1 < len(s.starts); i++ {
		if row < s.starts[i+1] {
			s.idx = i
			return s.starts[i], nil
		}
	}
	s.idx = n
	return s.starts[len(s.starts)-1], nil
}

func (s *fileSource) close() error {
	err := s.fr.Close()
	if s.closer != nil {
		err = errors.Join(err, s.closer.Close())
	}
	return err
}

// streamSource reads the stream format, which has no index: seeking
// backwards reopens it.
type streamSource struct {
	opts   connectors.ReadOptions
	mem    memory.Allocator
	rd     *ipc.Reader
	closer io.Closer
	reopen func() (io.ReadCloser, io.Reader, error)
	sc     *arrow.Schema
	pos    int64 // rows read from the stream so far

	pending arrow.Record // batch read by seek, returned by the next call to next
}

func newStreamSource(closer io.Closer, r io.Reader, reopen func() (io.ReadCloser, io.Reader, error), size int64, opts connectors.ReadOptions) (*streamSource, error) {
	s := &streamSource{opts: opts, closer: closer, reopen: reopen, mem: limited(opts.Allocator, size)}
	if err := s.open(r); err != nil {
		return nil, err
	}
	s.sc = s.rd.Schema()
	return s, nil
}

func (s *streamSource) open(r io.Reader) (err error) {
	defer corrupt(&err)
	rd, err := ipc.NewReaderFromMessageReader(newMessageReader(r, s.mem), ipc.WithAllocator(s.mem))
	if err != nil {
		return fmt.Errorf("not an arrow ipc stream: %w", err)
	}
	if s.sc != nil && !rd.Schema().Equal(s.sc) {
		rd.Release()
		return errors.New("stream schema changed on reopen")
	}
	s.rd = rd
	s.pos = 0
	return nil
}

func (s *streamSource) schema() *arrow.Schema { return s.sc }

func (s *streamSource) next() (rec arrow.Record, err error) {
	defer corrupt(&err)
	if s.pending != nil {
		rec, s.pending = s.pending, nil
		return rec, nil
	}
	if s.rd == nil {
		return nil, nil
	}
	if !s.rd.Next() {
		if err := s.rd.Err(); err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("after row %d: %w", s.pos, err)
		}
		return nil, nil
	}
	rec = s.rd.Record()
	rec.Retain()
	s.pos += rec.NumRows()
	return rec, nil
}

func (s *streamSource) seek(row int64) (int64, error) {
	if s.pending != nil {
		s.pos -= s.pending.NumRows()
		s.pending.Release()
		s.pending = nil
	}
	if row < s.pos {
		if s.reopen == nil {
			return 0, errors.New("cannot seek backwards in a stream that cannot be reopened")
		}
		s.rd.Release()
		s.rd = nil
		if s.closer != nil {
			s.closer.Close()
			s.closer = nil
		}
		closer, r, err := s.reopen()
		if err != nil {
			return 0, err
		}
		s.closer = closer
		if err := s.open(r); err != nil {
			return 0, err
		}
	}
	// Read forward until the next batch holds row. The batch that holds
	// it is read here and kept for next.
	for {
		start := s.pos
		rec, err := s.next()
		if err != nil {
			return 0, err
		}
		if rec == nil {
			return s.pos, nil
		}
		if row < s.pos {
			s.pending = rec
			return start, nil
		}
		rec.Release()
	}
}

func (s *streamSource) close() error {
	if s.pending != nil {
		s.pending.Release()
		s.pending = nil
	}
	if s.rd != nil {
		s.rd.Release()
		s.rd = nil
	}
	if s.closer != nil {
		return s.closer.Close()
	}
	return nil
}

// noData reports whether rec has no column that holds buffers (no
// columns, or only null-type ones).
func noData(rec arrow.Record) bool {
	for _, c := range rec.Columns() {
		if c.DataType().ID() != arrow.NULL {
			return false
		}
	}
	return true
}
