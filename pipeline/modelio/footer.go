package modelio

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// checkFooter walks the flatbuffer footer of an Arrow IPC file and checks
// that every vector the arrow reader sizes an allocation by (schema fields,
// their children, custom metadata, record batch blocks) fits in the
// footer. The arrow reader trusts these lengths: a corrupted one makes it
// allocate terabytes, which is a fatal error, not a panic. The walk counts
// the tables it visits, so a footer whose offsets form a dense DAG cannot
// make the reader loop either.
//
// Layout (Arrow columnar format, File.fbs, Schema.fbs): the file ends in
// footer bytes, their int32 length and "ARROW1". Footer{version, schema:
// Schema, dictionaries: [Block], recordBatches: [Block], custom_metadata};
// Schema{endianness, fields: [Field], custom_metadata, features}; Field{
// name, nullable, type_type, type, dictionary, children: [Field],
// custom_metadata}.
func checkFooter(b []byte) error {
	const magic = "ARROW1"
	if len(b) < 2*len(magic)+4 || string(b[len(b)-len(magic):]) != magic || string(b[:len(magic)]) != magic {
		return errors.New("not an arrow ipc file (no ARROW1 magic)")
	}
	size := int(binary.LittleEndian.Uint32(b[len(b)-len(magic)-4:]))
	end := len(b) - len(magic) - 4
	if size <= 0 || size > end-len(magic) {
		return fmt.Errorf("footer size %d does not fit the file", size)
	}
	fb := flatbuf{b: b[end-size : end], budget: 1 << 16}
	root, err := fb.root()
	if err != nil {
		return err
	}
	for _, slot := range []int{2, 3} { // dictionaries, recordBatches: structs of 24 bytes
		if _, _, err := fb.vector(root, slot, 24); err != nil {
			return err
		}
	}
	if _, _, err := fb.vector(root, 4, 4); err != nil {
		return err
	}
	schema, ok, err := fb.table(root, 1)
	if err != nil || !ok {
		return errors.Join(err, errors.New("footer has no schema"))
	}
	if _, _, err := fb.vector(schema, 2, 4); err != nil { // custom_metadata
		return err
	}
	if _, _, err := fb.vector(schema, 3, 8); err != nil { // features: [long]
		return err
	}
	return fb.fields(schema, 1, 0)
}

// flatbuf reads a flatbuffer with bounds checks.
type flatbuf struct {
	b      []byte
	budget int // tables left to visit
}

var errFlatbuf = errors.New("corrupted footer")

func (f *flatbuf) u32(pos int) (int, error) {
	if pos < 0 || pos+4 > len(f.b) {
		return 0, fmt.Errorf("%w: offset %d out of bounds", errFlatbuf, pos)
	}
	return int(binary.LittleEndian.Uint32(f.b[pos:])), nil
}

func (f *flatbuf) root() (int, error) {
	off, err := f.u32(0)
	if err != nil {
		return 0, err
	}
	return off, f.checkTable(off)
}

func (f *flatbuf) checkTable(pos int) error {
	f.budget--
	if f.budget < 0 {
		return fmt.Errorf("%w: too many tables", errFlatbuf)
	}
	soff, err := f.u32(pos)
	if err != nil {
		return err
	}
	vt := pos - int(int32(soff))
	if vt < 0 || vt+4 > len(f.b) {
		return fmt.Errorf("%w: vtable out of bounds", errFlatbuf)
	}
	vtSize := int(binary.LittleEndian.Uint16(f.b[vt:]))
	if vtSize < 4 || vt+vtSize > len(f.b) {
		return fmt.Errorf("%w: vtable size %d out of bounds", errFlatbuf, vtSize)
	}
	return nil
}

// field returns the position of slot's value in the table at pos, or
// false if the slot is absent.
func (f *flatbuf) field(pos, slot int) (int, bool, error) {
	soff, _ := f.u32(pos) // checked by checkTable
	vt := pos - int(int32(soff))
	vtSize := int(binary.LittleEndian.Uint16(f.b[vt:]))
	at := 4 + 2*slot
	if at+2 > vtSize {
		return 0, false, nil
	}
	off := int(binary.LittleEndian.Uint16(f.b[vt+at:]))
	if off == 0 {
		return 0, false, nil
	}
	if pos+off+4 > len(f.b) {
		return 0, false, fmt.Errorf("%w: field out of bounds", errFlatbuf)
	}
	return pos + off, true, nil
}

// table returns the sub-table in slot.
func (f *flatbuf) table(pos, slot int) (int, bool, error) {
	fp, ok, err := f.field(pos, slot)
	if err != nil || !ok {
		return 0, false, err
	}
	off, err := f.u32(fp)
	if err != nil {
		return 0, false, err
	}
	t := fp + off
	return t, true, f.checkTable(t)
}

// vector returns the start and length of the vector in slot, checking
// that n elements of elemSize bytes fit.
func (f *flatbuf) vector(pos, slot, elemSize int) (start, n int, err error) {
	fp, ok, err := f.field(pos, slot)
	if err != nil || !ok {
		return 0, 0, err
	}
	off, err := f.u32(fp)
	if err != nil {
		return 0, 0, err
	}
	vp := fp + off
	n, err = f.u32(vp)
	if err != nil {
		return 0, 0, err
	}
	if n > (len(f.b)-vp-4)/elemSize {
		return 0, 0, fmt.Errorf("%w: vector of %d elements does not fit", errFlatbuf, n)
	}
	return vp + 4, n, nil
}

// fields checks the [Field] vector in slot of the table at pos.
func (f *flatbuf) fields(pos, slot, depth int) error {
	if depth > 64 {
		return fmt.Errorf("%w: fields nested deeper than 64", errFlatbuf)
	}
	start, n, err := f.vector(pos, slot, 4)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		e := start + 4*i
		off, err := f.u32(e)
		if err != nil {
			return err
		}
		t := e + off
		if err := f.checkTable(t); err != nil {
			return err
		}
		if _, _, err := f.vector(t, 6, 4); err != nil { // custom_metadata
			return err
		}
		if err := f.fields(t, 5, depth+1); err != nil { // children
			return err
		}
	}
	return nil
}
