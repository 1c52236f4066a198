package arrowipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/eddyml/eddy/internal/ipcverify"
)

// messageReader reads the IPC stream framing (continuation marker,
// metadata length, metadata, body) like ipc's own message reader, but
// grows its buffers as bytes arrive instead of allocating the lengths a
// corrupt stream claims up front.
type messageReader struct {
	r    io.Reader
	mem  memory.Allocator
	refs atomic.Int64
	msg  *ipc.Message
}

func newMessageReader(r io.Reader, mem memory.Allocator) *messageReader {
	m := &messageReader{r: r, mem: mem}
	m.refs.Store(1)
	return m
}

func (m *messageReader) Retain() { m.refs.Add(1) }

func (m *messageReader) Release() {
	if m.refs.Add(-1) == 0 && m.msg != nil {
		m.msg.Release()
		m.msg = nil
	}
}

// Message returns the next message, valid until the next call, or io.EOF.
func (m *messageReader) Message() (*ipc.Message, error) {
	if m.msg != nil {
		m.msg.Release()
		m.msg = nil
	}
	var word [4]byte
	if _, err := io.ReadFull(m.r, word[:]); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		return nil, fmt.Errorf("read message length: %w", err)
	}
	n := binary.LittleEndian.Uint32(word[:])
	if n == 0xFFFFFFFF {
		if _, err := io.ReadFull(m.r, word[:]); err != nil {
			return nil, fmt.Errorf("read message length: %w", noEOF(err))
		}
		n = binary.LittleEndian.Uint32(word[:])
	}
	if n == 0 {
		return nil, io.EOF
	}
	if n > 1<<31-1 {
		return nil, fmt.Errorf("message metadata length %d is negative", int32(n))
	}
	meta, err := readGrowing(m.r, int64(n), memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("read message metadata: %w", err)
	}
	if err := ipcverify.Message(meta.Bytes()); err != nil {
		meta.Release()
		return nil, err
	}
	bodyLen, err := ipcverify.BodyLength(meta.Bytes())
	if err != nil {
		meta.Release()
		return nil, err
	}
	body, err := readGrowing(m.r, bodyLen, m.mem)
	if err != nil {
		meta.Release()
		return nil, fmt.Errorf("read message body: %w", err)
	}
	m.msg = ipc.NewMessage(meta, body)
	meta.Release()
	body.Release()
	return m.msg, nil
}

func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// readGrowing reads exactly n bytes into a buffer from mem that grows
// (doubling from 1 MiB) as data arrives.
func readGrowing(r io.Reader, n int64, mem memory.Allocator) (*memory.Buffer, error) {
	buf := memory.NewResizableBuffer(mem)
	got := int64(0)
	for got < n {
		next := min(n, max(2*got, 1<<20))
		buf.Resize(int(next))
		k, err := io.ReadFull(r, buf.Bytes()[got:next])
		got += int64(k)
		if err != nil {
			buf.Release()
			return nil, fmt.Errorf("%d of %d bytes: %w", got, n, noEOF(err))
		}
	}
	buf.Resize(int(n))
	return buf, nil
}
