package ipcverify

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrCorrupt is wrapped by every error of this package.
var ErrCorrupt = errors.New("corrupt arrow ipc metadata")

const maxVisits = 1 << 20

type fbVerifier struct {
	b      []byte
	visits int
}

type fbTable struct {
	v   *fbVerifier
	pos int
}

func (v *fbVerifier) u32(p int) (int, bool) {
	if p < 0 || p+4 > len(v.b) {
		return 0, false
	}
	return int(binary.LittleEndian.Uint32(v.b[p:])), true
}

func (v *fbVerifier) tableAt(p int) (fbTable, error) {
	v.visits++
	if v.visits > maxVisits {
		return fbTable{}, fmt.Errorf("%w: too many tables", ErrCorrupt)
	}
	if p < 0 || p+4 > len(v.b) {
		return fbTable{}, ErrCorrupt
	}
	vt := p - int(int32(binary.LittleEndian.Uint32(v.b[p:])))
	if vt < 0 || vt+4 > len(v.b) {
		return fbTable{}, ErrCorrupt
	}
	vsize := int(binary.LittleEndian.Uint16(v.b[vt:]))
	if vsize < 4 || vt+vsize > len(v.b) {
		return fbTable{}, ErrCorrupt
	}
	return fbTable{v: v, pos: p}, nil
}

func (v *fbVerifier) root() (fbTable, error) {
	p, ok := v.u32(0)
	if !ok {
		return fbTable{}, ErrCorrupt
	}
	return v.tableAt(p)
}

// field returns the position of slot's value, or -1 when absent, checking
// that size bytes are there.
func (t fbTable) field(slot, size int) (int, error) {
	b := t.v.b
	vt := t.pos - int(int32(binary.LittleEndian.Uint32(b[t.pos:])))
	vsize := int(binary.LittleEndian.Uint16(b[vt:]))
	o := 4 + 2*slot
	if o+2 > vsize {
		return -1, nil
	}
	off := int(binary.LittleEndian.Uint16(b[vt+o:]))
	if off == 0 {
		return -1, nil
	}
	p := t.pos + off
	if p+size > len(b) {
		return 0, ErrCorrupt
	}
	return p, nil
}

func (t fbTable) byteField(slot int) (byte, error) {
	p, err := t.field(slot, 1)
	if err != nil || p < 0 {
		return 0, err
	}
	return t.v.b[p], nil
}

// table follows slot to a sub-table; ok is false when absent.
func (t fbTable) table(slot int) (fbTable, bool, error) {
	p, err := t.field(slot, 4)
	if err != nil || p < 0 {
		return fbTable{}, false, err
	}
	off, _ := t.v.u32(p)
	sub, err := t.v.tableAt(p + off)
	return sub, err == nil, err
}

// vector checks slot's vector of n elements of elem bytes and returns
// the position of its first element.
func (t fbTable) vector(slot, elem int) (start, n int, err error) {
	p, err := t.field(slot, 4)
	if err != nil || p < 0 {
		return 0, 0, err
	}
	off, _ := t.v.u32(p)
	vp := p + off
	n, ok := t.v.u32(vp)
	if !ok || int64(vp)+4+int64(n)*int64(elem) > int64(len(t.v.b)) {
		return 0, 0, ErrCorrupt
	}
	return vp + 4, n, nil
}

// tables checks slot's vector of tables with check.
func (t fbTable) tables(slot int, check func(fbTable) error) error {
	start, n, err := t.vector(slot, 4)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		p := start + 4*i
		off, _ := t.v.u32(p)
		sub, err := t.v.tableAt(p + off)
		if err != nil {
			return err
		}
		if err := check(sub); err != nil {
			return err
		}
	}
	return nil
}

func (t fbTable) str(slot int) error {
	_, _, err := t.vector(slot, 1)
	return err
}

func verifyKeyValues(t fbTable, slot int) error {
	return t.tables(slot, func(kv fbTable) error {
		if err := kv.str(0); err != nil {
			return err
		}
		return kv.str(1)
	})
}

// Type union values used below (Schema.fbs).
const (
	typeTimestamp = 10
	typeUnion     = 14
)

func verifyField(f fbTable) error {
	if err := f.str(0); err != nil {
		return err
	}
	tt, err := f.byteField(2)
	if err != nil {
		return err
	}
	if typ, ok, err := f.table(3); err != nil {
		return err
	} else if ok {
		switch tt {
		case typeTimestamp:
			if err := typ.str(1); err != nil {
				return err
			}
		case typeUnion:
			if _, _, err := typ.vector(1, 4); err != nil {
				return err
			}
		}
	}
	if dict, ok, err := f.table(4); err != nil {
		return err
	} else if ok {
		if _, _, err := dict.table(1); err != nil {
			return err
		}
	}
	if err := f.tables(5, verifyField); err != nil {
		return err
	}
	return verifyKeyValues(f, 6)
}

func verifySchema(s fbTable) error {
	if err := s.tables(1, verifyField); err != nil {
		return err
	}
	if err := verifyKeyValues(s, 2); err != nil {
		return err
	}
	_, _, err := s.vector(3, 8)
	return err
}

func verifyRecordBatch(rb fbTable) error {
	if _, err := rb.field(0, 8); err != nil {
		return err
	}
	if _, _, err := rb.vector(1, 16); err != nil {
		return err
	}
	if _, _, err := rb.vector(2, 16); err != nil {
		return err
	}
	if _, _, err := rb.table(3); err != nil {
		return err
	}
	_, _, err := rb.vector(4, 8)
	return err
}

// Message header union values (Message.fbs).
const (
	headerSchema          = 1
	headerDictionaryBatch = 2
	headerRecordBatch     = 3
)

// Message checks a flatbuffer-encoded Message (without its stream framing).
func Message(b []byte) error {
	v := &fbVerifier{b: b}
	m, err := v.root()
	if err != nil {
		return err
	}
	ht, err := m.byteField(1)
	if err != nil {
		return err
	}
	if _, err := m.field(3, 8); err != nil {
		return err
	}
	if err := verifyKeyValues(m, 4); err != nil {
		return err
	}
	h, ok, err := m.table(2)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: message without a header", ErrCorrupt)
	}
	switch ht {
	case headerSchema:
		return verifySchema(h)
	case headerRecordBatch:
		return verifyRecordBatch(h)
	case headerDictionaryBatch:
		if rb, ok, err := h.table(1); err != nil {
			return err
		} else if ok {
			return verifyRecordBatch(rb)
		}
		return nil
	}
	return fmt.Errorf("%w: unsupported message type %d", ErrCorrupt, ht)
}

// Block is a File.fbs Block: where a message sits in an IPC file.
type Block struct {
	Offset int64 // of the message's framing
	Meta   int32 // framing and metadata length
	Body   int64 // body length
}

// Footer checks a flatbuffer Footer and returns its dictionary and
// record batch blocks.
func Footer(b []byte) (dicts, recs []Block, err error) {
	v := &fbVerifier{b: b}
	f, err := v.root()
	if err != nil {
		return nil, nil, err
	}
	s, ok, err := f.table(1)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, fmt.Errorf("%w: footer without a schema", ErrCorrupt)
	}
	if err := verifySchema(s); err != nil {
		return nil, nil, err
	}
	if err := verifyKeyValues(f, 4); err != nil {
		return nil, nil, err
	}
	blocks := func(slot int) ([]Block, error) {
		start, n, err := f.vector(slot, 24)
		if err != nil {
			return nil, err
		}
		out := make([]Block, n)
		for i := range out {
			p := start + 24*i
			out[i] = Block{
				Offset: int64(binary.LittleEndian.Uint64(b[p:])),
				Meta:   int32(binary.LittleEndian.Uint32(b[p+8:])),
				Body:   int64(binary.LittleEndian.Uint64(b[p+16:])),
			}
		}
		return out, nil
	}
	if dicts, err = blocks(2); err != nil {
		return nil, nil, err
	}
	if recs, err = blocks(3); err != nil {
		return nil, nil, err
	}
	return dicts, recs, nil
}

// Framed splits one stream-framed message (optional 0xFFFFFFFF
// continuation marker, int32 length, flatbuffer) off the front of b and
// checks its metadata. It returns the flatbuffer and what follows it.
func Framed(b []byte) (meta, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, fmt.Errorf("%w: short message", ErrCorrupt)
	}
	n := binary.LittleEndian.Uint32(b)
	b = b[4:]
	if n == 0xFFFFFFFF {
		if len(b) < 4 {
			return nil, nil, fmt.Errorf("%w: short message", ErrCorrupt)
		}
		n = binary.LittleEndian.Uint32(b)
		b = b[4:]
	}
	if int64(n) > int64(len(b)) {
		return nil, nil, fmt.Errorf("%w: message of %d bytes in %d", ErrCorrupt, n, len(b))
	}
	if err := Message(b[:n]); err != nil {
		return nil, nil, err
	}
	return b[:n], b[n:], nil
}

// File checks the footer of an IPC file of size bytes read through r
// and the metadata of every message it lists.
func File(r io.ReaderAt, size int64) error {
	const magic = "ARROW1"
	if size < 8+10 {
		return fmt.Errorf("%w: file of %d bytes is too short", ErrCorrupt, size)
	}
	var tail [10]byte
	if _, err := r.ReadAt(tail[:], size-10); err != nil {
		return err
	}
	if string(tail[4:]) != magic {
		return fmt.Errorf("%w: no footer magic", ErrCorrupt)
	}
	flen := int64(int32(binary.LittleEndian.Uint32(tail[:])))
	fstart := size - 10 - flen
	if flen <= 0 || fstart < 8 {
		return fmt.Errorf("%w: footer length %d", ErrCorrupt, flen)
	}
	footer := make([]byte, flen)
	if _, err := r.ReadAt(footer, fstart); err != nil {
		return err
	}
	dicts, recs, err := Footer(footer)
	if err != nil {
		return fmt.Errorf("footer: %w", err)
	}
	for i, b := range append(dicts, recs...) {
		if b.Offset < 8 || b.Meta < 8 || b.Body < 0 || b.Offset > fstart || int64(b.Meta) > fstart-b.Offset || b.Body > fstart-b.Offset-int64(b.Meta) {
			return fmt.Errorf("%w: block %d (offset %d, metadata %d, body %d) outside the file", ErrCorrupt, i, b.Offset, b.Meta, b.Body)
		}
		meta := make([]byte, b.Meta)
		if _, err := r.ReadAt(meta, b.Offset); err != nil {
			return err
		}
		if _, _, err := Framed(meta); err != nil {
			return fmt.Errorf("block %d: %w", i, err)
		}
	}
	return nil
}

// BodyLength reads Message.bodyLength (field 3, an int64) from a
// flatbuffer-encoded Message, checking every offset.
func BodyLength(b []byte) (int64, error) {
	bad := fmt.Errorf("%w: message header", ErrCorrupt)
	if len(b) < 4 {
		return 0, bad
	}
	table := int64(binary.LittleEndian.Uint32(b))
	if table+4 > int64(len(b)) {
		return 0, bad
	}
	vtable := table - int64(int32(binary.LittleEndian.Uint32(b[table:])))
	if vtable < 0 || vtable+4 > int64(len(b)) {
		return 0, bad
	}
	vsize := int64(binary.LittleEndian.Uint16(b[vtable:]))
	const field = 4 + 2*3
	if vsize < field+2 || vtable+vsize > int64(len(b)) {
		return 0, nil // field absent: no body
	}
	off := int64(binary.LittleEndian.Uint16(b[vtable+field:]))
	if off == 0 {
		return 0, nil
	}
	if table+off+8 > int64(len(b)) {
		return 0, bad
	}
	n := int64(binary.LittleEndian.Uint64(b[table+off:]))
	if n < 0 {
		return 0, fmt.Errorf("message body length %d is negative", n)
	}
	return n, nil
}
