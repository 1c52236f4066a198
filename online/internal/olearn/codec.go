package olearn

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Enc appends a snapshot's values to a byte slice.
type Enc struct{ B []byte }

// NewEnc starts a snapshot with an 8-byte magic and a format version.
func NewEnc(magic string, version uint32, sizeHint int) *Enc {
	if len(magic) != 8 {
		panic("olearn: magic must be 8 bytes")
	}
	e := &Enc{B: make([]byte, 0, 12+sizeHint)}
	e.B = append(e.B, magic...)
	e.U32(version)
	return e
}

func (e *Enc) U32(v uint32)  { e.B = binary.LittleEndian.AppendUint32(e.B, v) }
func (e *Enc) U64(v uint64)  { e.B = binary.LittleEndian.AppendUint64(e.B, v) }
func (e *Enc) I64(v int64)   { e.U64(uint64(v)) }
func (e *Enc) F64(v float64) { e.U64(math.Float64bits(v)) }
func (e *Enc) Bool(v bool) {
	if v {
		e.B = append(e.B, 1)
	} else {
		e.B = append(e.B, 0)
	}
}

// F64s writes a length and the values.
func (e *Enc) F64s(v []float64) {
	e.U64(uint64(len(v)))
	for _, x := range v {
		e.B = binary.LittleEndian.AppendUint64(e.B, math.Float64bits(x))
	}
}

// Dec reads what Enc wrote. The first failure sticks: later reads return
// zero values and Err reports it.
type Dec struct {
	b   []byte
	err error
}

// NewDec checks the magic and returns the format version.
func NewDec(b []byte, magic string) (*Dec, uint32, error) {
	if len(b) < 12 || string(b[:8]) != magic {
		return nil, 0, fmt.Errorf("not a %s snapshot", magic)
	}
	d := &Dec{b: b[8:]}
	v := d.U32()
	return d, v, d.err
}

var errShort = errors.New("snapshot is truncated")

func (d *Dec) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.b) < n {
		d.err = errShort
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *Dec) U32() uint32 {
	if p := d.take(4); p != nil {
		return binary.LittleEndian.Uint32(p)
	}
	return 0
}

func (d *Dec) U64() uint64 {
	if p := d.take(8); p != nil {
		return binary.LittleEndian.Uint64(p)
	}
	return 0
}

func (d *Dec) I64() int64   { return int64(d.U64()) }
func (d *Dec) F64() float64 { return math.Float64frombits(d.U64()) }
func (d *Dec) Bool() bool {
	if p := d.take(1); p != nil {
		return p[0] != 0
	}
	return false
}

// F64s reads a length-prefixed slice of at most maxLen values.
func (d *Dec) F64s(maxLen int) []float64 {
	n := d.U64()
	if d.err != nil {
		return nil
	}
	if n > uint64(maxLen) || n > uint64(len(d.b)/8) {
		d.err = fmt.Errorf("snapshot holds a vector of %d values, more than the %d bytes left allow", n, len(d.b))
		return nil
	}
	p := d.take(int(n) * 8)
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(p[8*i:]))
	}
	return out
}

// Fail records err (the first one wins).
func (d *Dec) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Err reports the first failure, or trailing bytes after a complete read.
func (d *Dec) Err() error {
	if d.err == nil && len(d.b) != 0 {
		return fmt.Errorf("snapshot has %d trailing bytes", len(d.b))
	}
	return d.err
}

// Failed reports whether a read failed so far (trailing bytes are not a
// failure until the end: see Err).
func (d *Dec) Failed() bool { return d.err != nil }

// Remaining returns the number of unread bytes.
func (d *Dec) Remaining() int { return len(d.b) }
