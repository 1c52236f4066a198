package window

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// accCodec encodes a window accumulator for checkpoints:
//
//	varint start, varint end, byte fired, uvarint len(f), f as little-endian float64 bits,
//	then per custom aggregation: uvarint length, the codec's bytes.
type accCodec struct{ l *layout }

func (c accCodec) Append(dst []byte, a *acc) []byte {
	dst = binary.AppendVarint(dst, a.start)
	dst = binary.AppendVarint(dst, a.end)
	fired := byte(0)
	if a.fired {
		fired = 1
	}
	dst = append(dst, fired)
	dst = binary.AppendUvarint(dst, uint64(len(a.f)))
	for _, v := range a.f {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
	}
	for i, cc := range c.l.codecs {
		b := cc.encode(nil, a.u[i])
		dst = binary.AppendUvarint(dst, uint64(len(b)))
		dst = append(dst, b...)
	}
	return dst
}

var errShort = errors.New("truncated window accumulator")

func (c accCodec) Decode(src []byte) (*acc, error) {
	start, n := binary.Varint(src)
	if n <= 0 {
		return nil, errShort
	}
	src = src[n:]
	end, n := binary.Varint(src)
	if n <= 0 || len(src) < n+1 {
		return nil, errShort
	}
	src = src[n:]
	a := &acc{start: start, end: end, fired: src[0] == 1}
	src = src[1:]
	nf, n := binary.Uvarint(src)
	if n <= 0 {
		return nil, errShort
	}
	src = src[n:]
	if nf != uint64(c.l.nf) || uint64(len(src)) < 8*nf {
		return nil, fmt.Errorf("window accumulator has %d float slots, the aggregations need %d (were they changed since the checkpoint?)", nf, c.l.nf)
	}
	if nf <= uint64(len(a.fbuf)) {
		a.f = a.fbuf[:nf]
	} else {
		a.f = make([]float64, nf)
	}
	for i := range a.f {
		a.f[i] = math.Float64frombits(binary.LittleEndian.Uint64(src))
		src = src[8:]
	}
	if c.l.nu > 0 {
		a.u = make([]any, c.l.nu)
	}
	for i, cc := range c.l.codecs {
		ln, n := binary.Uvarint(src)
		if n <= 0 || uint64(len(src)-n) < ln {
			return nil, errShort
		}
		v, err := cc.decode(src[n : n+int(ln)])
		if err != nil {
			return nil, fmt.Errorf("custom aggregation %d: %w", i, err)
		}
		a.u[i] = v
		src = src[n+int(ln):]
	}
	if len(src) != 0 {
		return nil, fmt.Errorf("window accumulator: %d trailing bytes", len(src))
	}
	return a, nil
}

// windowsCodec encodes a key's windows: uvarint count, then each
// accumulator length-prefixed.
type windowsCodec struct{ acc accCodec }

func (c windowsCodec) Append(dst []byte, ws []*acc) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(ws)))
	var tmp []byte
	for _, w := range ws {
		tmp = c.acc.Append(tmp[:0], w)
		dst = binary.AppendUvarint(dst, uint64(len(tmp)))
		dst = append(dst, tmp...)
	}
	return dst
}

func (c windowsCodec) Decode(src []byte) ([]*acc, error) {
	n, k := binary.Uvarint(src)
	if k <= 0 || n > uint64(len(src)) {
		return nil, errShort
	}
	src = src[k:]
	ws := make([]*acc, 0, n)
	for range n {
		ln, k := binary.Uvarint(src)
		if k <= 0 || uint64(len(src)-k) < ln {
			return nil, errShort
		}
		w, err := c.acc.Decode(src[k : k+int(ln)])
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
		src = src[k+int(ln):]
	}
	if len(src) != 0 {
		return nil, fmt.Errorf("window state: %d trailing bytes", len(src))
	}
	return ws, nil
}
