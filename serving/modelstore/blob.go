package modelstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
)

// ctxReader fails reads once ctx is done, so a long upload stops.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// hashingReader counts and hashes what passes through.
type hashingReader struct {
	r io.Reader
	h hash.Hash
	n int64
}

func newHashingReader(r io.Reader) *hashingReader {
	return &hashingReader{r: r, h: sha256.New()}
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	return n, err
}

func (h *hashingReader) sum() string { return hex.EncodeToString(h.h.Sum(nil)) }

// verifyingReader checks size and SHA-256 at EOF and turns a mismatch
// into ErrCorrupt.
type verifyingReader struct {
	hr     *hashingReader
	c      io.Closer
	where  string
	size   int64
	sha256 string
	err    error
}

func newVerifyingReader(r io.Reader, c io.Closer, where string, size int64, sum string) *verifyingReader {
	return &verifyingReader{hr: newHashingReader(r), c: c, where: where, size: size, sha256: sum}
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.hr.Read(p)
	if v.hr.n > v.size {
		v.err = fmt.Errorf("%s: %w: more than the recorded %d bytes", v.where, ErrCorrupt, v.size)
		return 0, v.err
	}
	if err == io.EOF {
		switch {
		case v.hr.n != v.size:
			err = fmt.Errorf("%s: %w: %d bytes, want %d", v.where, ErrCorrupt, v.hr.n, v.size)
		case v.hr.sum() != v.sha256:
			err = fmt.Errorf("%s: %w: sha256 %s, want %s", v.where, ErrCorrupt, v.hr.sum(), v.sha256)
		}
	}
	if err != nil {
		v.err = err
	}
	return n, err
}

func (v *verifyingReader) Close() error {
	if v.c == nil {
		return nil
	}
	return v.c.Close()
}
