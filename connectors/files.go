package connectors

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// IsGzip reports whether path names a gzip-compressed file (".gz").
func IsGzip(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".gz")
}

// Progresser is the optional ability of a file source to tell how far it
// has read: bytes of the file consumed so far and the file's size (both
// compressed for a gzip file). The CLI draws its progress bar from it.
type Progresser interface {
	Progress() (read, total int64)
}

// OpenFile opens path for reading, decompressing it when its name ends in
// ".gz". Closing the result closes the file. The result is a Progresser.
func OpenFile(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	cf := &countingFile{f: f, total: st.Size()}
	if !IsGzip(path) {
		return cf, nil
	}
	zr, err := gzip.NewReader(bufio.NewReaderSize(cf, 1<<16))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: not a gzip file: %w", path, err)
	}
	return &gzipFile{Reader: zr, cf: cf}, nil
}

// countingFile counts the bytes read from a file for Progress. The count
// is atomic because a parallel reader may ask from another goroutine.
type countingFile struct {
	f     *os.File
	read  atomic.Int64
	total int64
}

func (c *countingFile) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	c.read.Add(int64(n))
	return n, err
}

func (c *countingFile) Close() error { return c.f.Close() }

func (c *countingFile) Progress() (int64, int64) { return c.read.Load(), c.total }

type gzipFile struct {
	*gzip.Reader
	cf *countingFile
}

func (g *gzipFile) Close() error { return errors.Join(g.Reader.Close(), g.cf.Close()) }

func (g *gzipFile) Progress() (int64, int64) { return g.cf.Progress() }

// CreateFile creates path for writing, compressing when its name ends in
// ".gz". The data is written to a temporary file beside path and renamed
// over it on Close, so a reader never sees a half-written file.
// Abort removes the temporary file instead.
func CreateFile(path string) (*AtomicFile, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, err
	}
	a := &AtomicFile{path: path, f: tmp}
	a.buf = bufio.NewWriterSize(tmp, 1<<16)
	a.w = a.buf
	if IsGzip(path) {
		a.gz = gzip.NewWriter(a.buf)
		a.w = a.gz
	}
	return a, nil
}

// AtomicFile is a file being written; see CreateFile.
type AtomicFile struct {
	path string
	f    *os.File
	buf  *bufio.Writer
	gz   *gzip.Writer
	w    io.Writer
	done bool
}

func (a *AtomicFile) Write(p []byte) (int, error) { return a.w.Write(p) }

// Close flushes, syncs and renames the file into place.
func (a *AtomicFile) Close() error {
	if a.done {
		return nil
	}
	a.done = true
	var err error
	if a.gz != nil {
		err = a.gz.Close()
	}
	if err == nil {
		err = a.buf.Flush()
	}
	if err == nil {
		err = a.f.Sync()
	}
	if cerr := a.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(a.f.Name(), a.path)
	}
	if err != nil {
		os.Remove(a.f.Name())
		return fmt.Errorf("%s: %w", a.path, err)
	}
	return nil
}

// Abort discards what was written.
func (a *AtomicFile) Abort() error {
	if a.done {
		return nil
	}
	a.done = true
	a.f.Close()
	return os.Remove(a.f.Name())
}
