package state

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"fmt"
	"math"
)

// Codec encodes the values of one state type into bytes for snapshots.
// Append appends the encoding of v to dst; Decode decodes exactly the bytes
// one Append produced (the backend frames them). Decode must not keep src.
type Codec[T any] interface {
	Append(dst []byte, v T) []byte
	Decode(src []byte) (T, error)
}

// Codecs of the common state types.
var (
	Int64    Codec[int64]     = int64Codec{}
	Float64  Codec[float64]   = float64Codec{}
	String   Codec[string]    = stringCodec{}
	Bytes    Codec[[]byte]    = bytesCodec{}
	Float64s Codec[[]float64] = float64sCodec{}
)

type int64Codec struct{}

func (int64Codec) Append(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }
func (int64Codec) Decode(src []byte) (int64, error) {
	v, n := binary.Varint(src)
	if n <= 0 || n != len(src) {
		return 0, fmt.Errorf("int64: bad varint of %d bytes", len(src))
	}
	return v, nil
}

type float64Codec struct{}

func (float64Codec) Append(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}
func (float64Codec) Decode(src []byte) (float64, error) {
	if len(src) != 8 {
		return 0, fmt.Errorf("float64: %d bytes, want 8", len(src))
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(src)), nil
}

type stringCodec struct{}

func (stringCodec) Append(dst []byte, v string) []byte { return append(dst, v...) }
func (stringCodec) Decode(src []byte) (string, error)  { return string(src), nil }

type bytesCodec struct{}

func (bytesCodec) Append(dst []byte, v []byte) []byte { return append(dst, v...) }
func (bytesCodec) Decode(src []byte) ([]byte, error)  { return bytes.Clone(src), nil }

type float64sCodec struct{}

func (float64sCodec) Append(dst []byte, v []float64) []byte {
	for _, x := range v {
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(x))
	}
	return dst
}
func (float64sCodec) Decode(src []byte) ([]float64, error) {
	if len(src)%8 != 0 {
		return nil, fmt.Errorf("[]float64: %d bytes, not a multiple of 8", len(src))
	}
	v := make([]float64, len(src)/8)
	for i := range v {
		v[i] = math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:]))
	}
	return v, nil
}

// Gob returns a codec for any type encoding/gob can encode (structs of
// exported fields, slices, maps...). It is slower and larger than a
// hand-written codec; each value carries its gob type description.
func Gob[T any]() Codec[T] { return gobCodec[T]{} }

type gobCodec[T any] struct{}

func (gobCodec[T]) Append(dst []byte, v T) []byte {
	buf := bytes.NewBuffer(dst)
	if err := gob.NewEncoder(buf).Encode(&v); err != nil {
		// Encode fails only for types gob cannot handle (channels,
		// functions): a programming error, reported at snapshot time by
		// the engine's panic recovery.
		panic(fmt.Sprintf("state: gob codec: %v", err))
	}
	return buf.Bytes()
}

func (gobCodec[T]) Decode(src []byte) (T, error) {
	var v T
	if err := gob.NewDecoder(bytes.NewReader(src)).Decode(&v); err != nil {
		return v, fmt.Errorf("gob: %w", err)
	}
	return v, nil
}
