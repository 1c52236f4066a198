package checkpoint

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
)

// SubtaskState is what one operator or sink subtask stores in a checkpoint.
type SubtaskState struct {
	// Operator is the operator's own (non-keyed) snapshot, nil when it has
	// none.
	Operator []byte
	// KeySchema describes the key columns of a keyed operator (an
	// encoded Arrow schema), nil otherwise.
	KeySchema []byte
	// KeyGroups holds the keyed state and timers, key group -> bytes.
	KeyGroups map[int][]byte
}

// Empty reports whether s holds nothing worth a file.
func (s *SubtaskState) Empty() bool {
	return s.Operator == nil && len(s.KeyGroups) == 0
}

var magic = []byte("EDDYSST1")

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Marshal encodes s: a magic, the operator bytes (with a presence flag), the
// key schema, the key groups in ascending order, and a CRC-32C of all of it.
func (s *SubtaskState) Marshal() []byte {
	n := len(magic) + len(s.Operator) + len(s.KeySchema) + 32
	for _, b := range s.KeyGroups {
		n += len(b) + 8
	}
	buf := make([]byte, 0, n)
	buf = append(buf, magic...)
	if s.Operator == nil {
		buf = append(buf, 0)
	} else {
		buf = append(buf, 1)
		buf = appendBytes(buf, s.Operator)
	}
	buf = appendBytes(buf, s.KeySchema)
	groups := make([]int, 0, len(s.KeyGroups))
	for g := range s.KeyGroups {
		groups = append(groups, g)
	}
	slices.Sort(groups)
	buf = binary.AppendUvarint(buf, uint64(len(groups)))
	for _, g := range groups {
		buf = binary.AppendUvarint(buf, uint64(g))
		buf = appendBytes(buf, s.KeyGroups[g])
	}
	return binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf, crcTable))
}

// UnmarshalSubtaskState decodes data written by Marshal, keeping only the
// key groups for which keep returns true (nil keeps all). The returned
// slices alias data.
func UnmarshalSubtaskState(data []byte, keep func(g int) bool) (*SubtaskState, error) {
	if len(data) < len(magic)+4 || string(data[:len(magic)]) != string(magic) {
		return nil, errors.New("subtask state: bad magic")
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, errors.New("subtask state: checksum mismatch")
	}
	r := body[len(magic):]
	s := &SubtaskState{}
	next := func() ([]byte, error) {
		n, k := binary.Uvarint(r)
		if k <= 0 || n > uint64(len(r)-k) {
			return nil, errors.New("subtask state: truncated")
		}
		v := r[k : k+int(n) : k+int(n)]
		r = r[k+int(n):]
		return v, nil
	}
	if len(r) == 0 {
		return nil, errors.New("subtask state: truncated")
	}
	flag := r[0]
	r = r[1:]
	var err error
	switch flag {
	case 0:
	case 1:
		if s.Operator, err = next(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("subtask state: bad operator flag %d", flag)
	}
	if s.KeySchema, err = next(); err != nil {
		return nil, err
	}
	if len(s.KeySchema) == 0 {
		s.KeySchema = nil
	}
	count, k := binary.Uvarint(r)
	if k <= 0 || count > uint64(len(r)) {
		return nil, errors.New("subtask state: bad key group count")
	}
	r = r[k:]
	prev := -1
	for range count {
		g, k := binary.Uvarint(r)
		if k <= 0 || g > 1<<30 || int(g) <= prev {
			return nil, errors.New("subtask state: bad key group index")
		}
		r = r[k:]
		prev = int(g)
		v, err := next()
		if err != nil {
			return nil, err
		}
		if keep == nil || keep(int(g)) {
			if s.KeyGroups == nil {
				s.KeyGroups = map[int][]byte{}
			}
			s.KeyGroups[int(g)] = v
		}
	}
	if len(r) != 0 {
		return nil, fmt.Errorf("subtask state: %d trailing bytes", len(r))
	}
	return s, nil
}

func appendBytes(dst, b []byte) []byte {
	return append(binary.AppendUvarint(dst, uint64(len(b))), b...)
}
